import FTCore
import FTData
import FTEngine
import FTPluginKit
import Foundation
import ModelPlugin

/// Rebuilding a run from its folder: the same base (checked), data, method and settings, then
/// the checkpoint's weights, moments and state.
enum TrainResume {
    static func state(_ path: String) -> RunState? {
        guard let text = try? String(contentsOfFile: path + "/checkpoint/state.json", encoding: .utf8),
              let r = try? JSON.decode(text).recordValue else { return nil }
        return RunState(r)
    }

    static func load(_ shown: String, _ inv: Invocation, _ ctx: CommandContext) throws -> TrainRun {
        let path = ctx.resolve(shown)
        let folder = RunFolder(path: path)
        let config = try ModelArguments.located(inv, "run") { () throws(Diagnostic) in try folder.readConfig(display: shown) }
        guard let method = config["method"]?.stringValue.flatMap(Method.init(rawValue:)) else {
            throw inv.error("\(shown)/config.json names no known method", id: "train.not-a-run", at: "run")
        }
        if let s = state(path), s.status == "completed" || s.status == "early-stop" {
            throw inv.error("\(shown) has finished (\(s.status) at step \(s.step)); nothing to resume", id: "train.finished", at: "run")
        }
        // The base: the one given, or the one the run recorded; it must be the same weights.
        let base: LocalGPT
        if inv.has("model") {
            base = try ModelArguments.resolve(inv["model"], inv, ctx, argument: "model").model
        } else {
            let ref = config["base"]?.stringValue ?? "base"
            base = try ModelArguments.located(inv, "run") { () throws(Diagnostic) in
                let dir = try ModelFolders.baseFolder(ref, relativeTo: path, environment: ctx.environment)
                let (model, tok, files) = try ModelFolders.hfFolder(dir, display: ref)
                return LocalGPT(model: model, tokenizer: tok, tokenizerFiles: files, source: ref, baseReference: ref)
            }
        }
        let expected = config["base_fingerprint"]?.stringValue ?? ""
        guard LocalGPT.fingerprint(base.model) == expected else {
            throw inv.error("\(shown) was trained from a different base model than \(base.source)", id: "train.base-mismatch",
                            at: inv.has("model") ? "model" : "run",
                            notes: ["the run started from \(config["base_source"]?.stringValue ?? "?"); resume it on that model"])
        }
        // The data, as saved with the run, cut and filtered the same way as at the start.
        let length = config["length"]?.intValue ?? 64
        func examples(_ file: String) throws -> [TokenizedExample] {
            let p = path + "/data/" + file
            guard FileManager.default.fileExists(atPath: p) else { return [] }
            let ds = try DataLoader.load(path: p, display: shown + "/data/" + file).dataset
            return try TrainingText.tokenize(ds, tokenizer: base.tokenizer, endOfText: base.endOfText, display: file)
                .filter { ex in ex.weights.prefix(length + 1).dropFirst().contains { $0 != 0 } }
        }
        let train = try examples("train.jsonl"), valid = try examples("valid.jsonl")
        guard train.count == config["examples"]?.intValue, valid.count == config["valid_examples"]?.intValue else {
            throw inv.error("\(shown)/data no longer matches the run's configuration", id: "train.bad-checkpoint", at: "run")
        }
        let model = try base.baseCopy()
        guard let seed = config["seed"]?.numberValue.flatMap({ UInt64(exactly: $0) }) else {
            throw inv.error("\(shown)/config.json has no usable seed (a whole number, 0 or more)", id: "train.bad-checkpoint", at: "run")
        }
        try method.apply(config["options"]?.recordValue ?? [:], to: model, tokenizer: base, seed: seed)
        let ref = config["base"]?.stringValue
        let trainee = LocalGPT(model: model, tokenizer: base.tokenizer, tokenizerFiles: base.tokenizerFiles, source: shown,
                               baseReference: ref == "base" ? path + "/base" : ref, method: method.rawValue, runFolder: path)
        let run = TrainRun(method: method, folder: folder, display: shown, config: config, model: trainee, train: train, valid: valid)
        let (state, best) = try ModelArguments.located(inv, "run") { () throws(Diagnostic) in
            try folder.readCheckpoint(model: model, optimizer: run.optimizer, display: shown)
        }
        run.state = state
        run.bestValues = best ?? (state.bestStep != nil ? run.snapshot() : nil)
        run.metrics = folder.readMetrics().filter { $0.step <= state.step }
        ctx.print("resuming \(shown) (\(method.rawValue)) at step \(state.step)/\(run.totalSteps)")
        return run
    }
}
