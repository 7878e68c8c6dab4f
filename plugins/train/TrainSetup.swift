import FTCore
import FTData
import FTEngine
import FTPluginKit
import Foundation
import ModelPlugin

/// Turning `train METHOD ...` into a ready run: the base model, the data, the resolved
/// settings, the run folder and the model with the method applied.
enum TrainSetup {
    static let sharedFlags: [FlagSpec] = [
        FlagSpec("data", "Training data: a workspace dataset or a JSONL/CSV file.", type: .value,
                 completion: .file(extensions: ["jsonl", "csv", "tsv", "json"])),
        FlagSpec("valid", "Validation data (for validation loss, best checkpoint and early stopping).", type: .value,
                 completion: .file(extensions: ["jsonl", "csv", "tsv", "json"])),
        FlagSpec("model", "Base model: a workspace model, 'tiny' (default) or a folder.", type: .value, completion: .object(kind: "model")),
        FlagSpec("epochs", "Passes over the training data.", type: .int, default: .int(3)),
        FlagSpec("lr", "Peak learning rate (default depends on the method).", type: .number),
        FlagSpec("batch", "Examples per step.", type: .int, default: .int(8)),
        FlagSpec("seed", "Seed for the method's initialisation and the data order.", type: .int),
        FlagSpec("max-steps", "Stop after this many steps at most.", type: .int),
        FlagSpec("eval-every", "Steps between validation evaluations.", type: .int),
        FlagSpec("early-stop", "Stop after this many evaluations without a better validation loss.", type: .int),
        FlagSpec("warmup", "Steps of linear learning-rate warm-up.", type: .int, default: .int(0)),
        FlagSpec("schedule", "Learning-rate decay after warm-up.", type: .choice(["linear", "cosine", "constant"]), default: .string("linear")),
        FlagSpec("weight-decay", "AdamW's decoupled weight decay.", type: .number, default: .number(0)),
        FlagSpec("grad-clip", "Clip the gradient norm to this (0: no clipping).", type: .number, default: .number(1)),
        FlagSpec("max-length", "Cut examples to this many tokens.", type: .int),
        FlagSpec("out", "Run folder (default runs/METHOD-N).", type: .path, completion: .directory),
        FlagSpec("force", "Replace the --out folder if it holds an earlier run (nothing else is ever removed)."),
        FlagSpec("stop-at", "Pause after this step; 'train resume RUN' continues.", type: .int),
    ]

    /// A dataset from the workspace or a file, with how to name it.
    static func dataset(_ v: Value, flag: String, _ inv: Invocation, _ ctx: CommandContext) throws -> (Dataset, String) {
        if let (name, entry) = ctx.workspace.lookup(v) {
            guard let ds = entry.object as? Dataset else {
                throw inv.error("'\(name)' is a \(entry.kind), not a dataset", id: "workspace.not-a-dataset", at: flag)
            }
            return (ds, name)
        }
        let shown = v.text
        let path = ctx.resolve(shown)
        guard FileManager.default.fileExists(atPath: path) else {
            throw inv.error("no dataset named '\(shown)' and no such file", id: "train.missing-data", at: flag,
                            notes: ["load one with 'data load PATH' or give a JSONL file"])
        }
        do {
            return (try DataLoader.load(path: path, display: shown).dataset, shown)
        } catch let d as Diagnostic { throw d.located(inv.location(of: flag)) }
    }

    /// Tokenized examples, refusing sets that cannot teach anything.
    static func tokenized(_ ds: Dataset, display: String, m: LocalGPT, flag: String, _ inv: Invocation) throws(Diagnostic) -> [TokenizedExample] {
        guard ds.count > 0 else { throw inv.error("\(display) has no examples", id: "train.empty-data", at: flag) }
        let set = try ModelArguments.located(inv, flag) { () throws(Diagnostic) in
            try TrainingText.tokenize(ds, tokenizer: m.tokenizer, endOfText: m.endOfText, display: display)
        }
        guard set.contains(where: { $0.trainable > 0 }) else {
            throw inv.error("\(display) has no trainable tokens (no assistant message or completion with a weight above 0)",
                            id: "train.no-trainable-tokens", at: flag)
        }
        return set
    }

    /// The first free `runs/METHOD-N` under the working directory.
    static func defaultFolder(_ method: String, _ ctx: CommandContext) -> String {
        var n = 1
        while FileManager.default.fileExists(atPath: ctx.resolve("runs/\(method)-\(n)")) { n += 1 }
        return "runs/\(method)-\(n)"
    }

    /// Everything `train METHOD` does before the first step.
    static func start(_ method: Method, _ inv: Invocation, _ ctx: CommandContext, folderOverride: String? = nil,
                      quiet: Bool = false) throws -> (TrainRun, String) {
        let (_, base) = try ModelArguments.resolve(inv.has("model") ? inv["model"] : .string("tiny"), inv, ctx, argument: "model")
        guard !base.hasModules else {
            throw inv.error("the base model already has \(base.method ?? "adapter") weights attached", id: "train.base-has-adapters",
                            at: "model", notes: ["merge them first ('model merge') or train on the plain base model"])
        }
        guard inv.has("data") else { throw inv.error("give the training data with --data", id: "usage.missing-argument") }
        let (trainSet, trainName) = try dataset(inv["data"], flag: "data", inv, ctx)
        var train = try tokenized(trainSet, display: trainName, m: base, flag: "data", inv)
        var valid: [TokenizedExample] = []
        var validName: String?
        var validSet: Dataset?
        if inv.has("valid") {
            let (vs, vn) = try dataset(inv["valid"], flag: "valid", inv, ctx)
            valid = try tokenized(vs, display: vn, m: base, flag: "valid", inv)
            validName = vn
            validSet = vs
            let trainIDs = Set(train.map(\.ids))
            let overlap = valid.filter { trainIDs.contains($0.ids) }.count
            if overlap > 0 {
                ctx.report(.warning("\(overlap) of \(valid.count) validation examples also appear in the training data; "
                                    + "the validation loss will look better than it is", id: "train.valid-overlap"))
            }
        }
        let options = try method.options(inv, config: base.config)
        // Settings.
        func positive(_ name: String, _ v: Int?) throws(Diagnostic) -> Int? {
            if let v, v < 1 { throw inv.error("--\(name) must be at least 1", id: "usage.bad-argument", at: name) }
            return v
        }
        let epochs = try positive("epochs", inv.int("epochs")) ?? 3
        let batch = min(try positive("batch", inv.int("batch")) ?? 8, train.count)
        let maxSteps = try positive("max-steps", inv.int("max-steps"))
        let lr = inv.number("lr") ?? method.defaultLearningRate
        guard lr > 0 && lr.isFinite else { throw inv.error("--lr must be positive", id: "usage.bad-argument", at: "lr") }
        let patience = try positive("early-stop", inv.int("early-stop"))
        if patience != nil && valid.isEmpty {
            throw inv.error("--early-stop needs --valid data to watch", id: "usage.missing-argument", at: "early-stop")
        }
        var seedSource = ctx.makeRandom()
        if let s = inv.int("seed"), s < 0 {
            throw inv.error("--seed must be 0 or more, got \(s)", id: "usage.bad-argument", at: "seed")
        }
        let seed = inv.int("seed").map { UInt64($0) } ?? (seedSource.next() >> 12)
        let virtual = method == .prompt ? options["virtual_tokens"]?.intValue ?? 0 : 0
        let longest = (train + valid).map(\.ids.count).max() ?? 2
        var length = min(max(1, longest - 1), base.config.contextLength - virtual)
        if let cap = try positive("max-length", inv.int("max-length")) { length = min(length, max(1, cap - 1)) }
        let cut = (train + valid).filter { $0.ids.count > length + 1 }.count
        if cut > 0 && !quiet {
            ctx.report(.warning("\(cut) examples are longer than \(length + 1) tokens and are cut", id: "train.truncated"))
        }
        train = train.filter { ex in ex.weights.prefix(length + 1).dropFirst().contains { $0 != 0 } }
        valid = valid.filter { ex in ex.weights.prefix(length + 1).dropFirst().contains { $0 != 0 } }
        guard !train.isEmpty else {
            throw inv.error("no training example keeps a trainable token within \(length + 1) tokens", id: "train.no-trainable-tokens", at: "data")
        }
        let stepsPerEpoch = (train.count + batch - 1) / batch
        let total = min(epochs * stepsPerEpoch, maxSteps ?? Int.max)
        let evalEvery = try positive("eval-every", inv.int("eval-every")) ?? max(1, min(stepsPerEpoch, (total + 9) / 10))
        // The folder.
        let shown = folderOverride ?? inv.string("out") ?? defaultFolder(method.rawValue, ctx)
        let path = ctx.resolve(shown)
        if inv.flag("force"), FileManager.default.fileExists(atPath: path) {
            // Only a folder that says it is a run may go, so a typo cannot remove other files.
            _ = try ModelArguments.located(inv, "out") { () throws(Diagnostic) in try RunFolder(path: path).readConfig(display: shown) }
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw inv.error("cannot replace \(shown): \(error.localizedDescription)", id: "io.write", at: "out")
            }
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw inv.error("\(shown) already exists", id: "io.exists", at: inv.has("out") ? "out" : nil,
                            notes: ["choose another --out, add --force to replace it, or 'train resume \(shown)' to continue that run"])
        }
        do {
            try FileManager.default.createDirectory(atPath: path + "/data", withIntermediateDirectories: true)
        } catch { throw Diagnostic.error("cannot create \(shown): \(error.localizedDescription)", id: "io.write") }
        let folder = RunFolder(path: path)
        var baseRef = base.baseReference
        if baseRef == nil || base.method != nil {
            // Weights that exist only in this session are kept with the run, so it can resume.
            try HFCheckpoint.save(base.model, to: path + "/base", extraFiles: base.tokenizerFiles, overwrite: false)
            baseRef = "base"
        }
        try AtomicFile.write(trainSet.jsonl(), to: path + "/data/train.jsonl", overwrite: true)
        if let validSet { try AtomicFile.write(validSet.jsonl(), to: path + "/data/valid.jsonl", overwrite: true) }
        // The model.
        let model = try base.baseCopy()
        try method.apply(options, to: model, tokenizer: base, seed: seed)
        let trainee = LocalGPT(model: model, tokenizer: base.tokenizer, tokenizerFiles: base.tokenizerFiles,
                               source: shown, baseReference: baseRef == "base" ? path + "/base" : baseRef,
                               method: method.rawValue, runFolder: path)
        let config: Record = [
            "format": "ftsh-run", "method": .string(method.rawValue), "options": .record(options),
            "base": .string(baseRef ?? "base"), "base_source": .string(base.source),
            "base_fingerprint": .string(LocalGPT.fingerprint(base.model)),
            "data": .string(trainName), "valid": validName.map { .string($0) } ?? .null,
            "examples": .int(train.count), "valid_examples": .int(valid.count),
            "seed": .number(Double(seed)), "epochs": .int(epochs), "batch": .int(batch), "length": .int(length),
            "learning_rate": .number(lr), "schedule": .string(inv.string("schedule") ?? "linear"), "warmup": .int(inv.int("warmup") ?? 0),
            "weight_decay": .number(inv.number("weight-decay") ?? 0),
            "grad_clip": (inv.number("grad-clip") ?? 1) > 0 ? .number(inv.number("grad-clip") ?? 1) : .null,
            "max_steps": maxSteps.map { .int($0) } ?? .null, "steps_per_epoch": .int(stepsPerEpoch), "total_steps": .int(total),
            "eval_every": .int(evalEvery), "early_stop": patience.map { .int($0) } ?? .null,
            "trainable": .int(model.trainableCount), "all": .int(model.parameterCount),
        ]
        try folder.writeConfig(config)
        let run = TrainRun(method: method, folder: folder, display: shown, config: config, model: trainee, train: train, valid: valid)
        if !quiet {
            ctx.print("\(method.rawValue) on \(base.source): " + LocalGPT.trainableLine(trainable: model.trainableCount, all: model.parameterCount))
            ctx.print("\(train.count) examples × \(epochs) epochs, batch \(batch), \(total) steps, sequences of \(length) tokens → \(shown)")
        }
        return (run, shown)
    }
}
