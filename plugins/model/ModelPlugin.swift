import FTCore
import FTEngine
import FTPluginKit
import FTTokenizer
import Foundation

/// `model` and `generate`: load, make, inspect, save and merge local GPT models, and run them.
/// Each command parses its words, calls FTEngine, and returns a value; ModelRender shows it.
public enum ModelPlugin {
    public static func plugin() -> Plugin {
        ModelSource.registerWithEval()
        return Plugin(name: "model", summary: "Local GPT models: load, create, inspect, save, merge, generate.",
                      commands: [load, new, info, save, merge, next, GenerateCommand.spec, PretrainCommand.spec])
    }

    static let load = CommandSpec(["model", "load"], summary: "Load the bundled model, an HF GPT-2 folder, an adapter or a run.",
        discussion: "PATH is `tiny` (the small GPT bundled with ftsh), an HF GPT-2 folder (config.json, model.safetensors and the tokenizer as vocab.json + merges.txt or tokenizer.json), a PEFT LoRA or prompt-tuning folder (adapter_config.json; its base model is loaded too, or the one given with --base), an ftsh adapter folder, or a training run folder (its best weights).",
        arguments: [ArgumentSpec("path", "tiny, or a folder.", type: .string, completion: .directory)] + [ArgumentSpec.resultName],
        flags: [FlagSpec("base", "Base model for an adapter or run folder (overrides the one it names).", type: .path, completion: .directory)],
        examples: ["model load tiny", "model load ~/models/distilgpt2 as distil", "model load runs/lora-1 as tuned"],
        display: .custom(ModelRender.loaded)) { inv, ctx in
        let shown = inv.string("path")!
        let m = try ModelArguments.located(inv, "path") { () throws(Diagnostic) in
            do throws(Diagnostic) { return try ModelArguments.load(shown, base: inv.string("base"), ctx) } catch {
                throw error.id == "model.base-unused" ? error.located(inv.location(of: "base")) : error
            }
        }
        let name = try inv.resultName(default: ModelArguments.defaultName(for: shown))
        return ModelArguments.put(m, name: name, ctx)
    }

    static let new = CommandSpec(["model", "new"], summary: "Make a GPT with random weights (seeded) for experiments.",
        discussion: "GPT-2's initialisation, drawn from the session's seeded generator (or --seed), so the same script makes the same model everywhere. Without --tokenizer the model reads bytes: one token per UTF-8 byte plus <|endoftext|>, so any language encodes.",
        arguments: [ArgumentSpec.resultName],
        flags: [FlagSpec("layers", "Transformer blocks.", type: .int, default: .int(2)),
                FlagSpec("heads", "Attention heads per block.", type: .int, default: .int(2)),
                FlagSpec("dims", "Embedding width (a multiple of --heads).", type: .int, default: .int(64)),
                FlagSpec("vocab", "Vocabulary size (at least the tokenizer's).", type: .int),
                FlagSpec("context", "Longest sequence.", type: .int, default: .int(256)),
                FlagSpec("tokenizer", "A folder with vocab.json + merges.txt or tokenizer.json, or 'tiny'.", type: .string, completion: .directory),
                FlagSpec("seed", "Seed for the weights.", type: .int)],
        examples: ["model new", "model new --layers 4 --heads 4 --dims 128 --context 128 as small", "model new --tokenizer tiny as fresh"],
        display: .custom(ModelRender.loaded)) { inv, ctx in
        let (tok, files): (GPT2Tokenizer, [String: Data])
        switch inv.string("tokenizer") {
        case nil: (tok, files) = try TokenizerFiles.bytes()
        case "tiny"?:
            guard let dir = ModelFolders.bundledTiny(environment: ctx.environment) else {
                throw inv.error("the bundled model 'tiny' is not installed", id: "model.missing-file", at: "tokenizer")
            }
            (tok, files) = try TokenizerFiles.load(folder: dir, display: "tiny")
        case let path?:
            (tok, files) = try ModelArguments.located(inv, "tokenizer") { () throws(Diagnostic) in
                try TokenizerFiles.load(folder: ctx.resolve(path), display: path)
            }
        }
        let vocab = inv.int("vocab") ?? tok.vocabularySize
        let eos = tok.endOfTextID
        let config = GPTConfig(vocabSize: vocab, contextLength: inv.int("context") ?? 256, layers: inv.int("layers") ?? 2,
                               heads: inv.int("heads") ?? 2, embedding: inv.int("dims") ?? 64,
                               bosTokenId: eos, eosTokenId: eos)
        try ModelArguments.located(inv, "vocab") { () throws(Diagnostic) in
            try config.validate(source: "model new")
            try config.checkTokenizer(vocabularySize: tok.vocabularySize)
        }
        var sessionRandom = ctx.makeRandom()
        let seed = inv.int("seed").map { UInt64(truncatingIfNeeded: $0) } ?? sessionRandom.next()
        let model = try GPTModel.random(config: config, seed: seed)
        let m = LocalGPT(model: model, tokenizer: tok, tokenizerFiles: files, source: "new")
        return ModelArguments.put(m, name: try inv.resultName(default: "gpt"), ctx)
    }

    static let info = CommandSpec(["model", "info"], summary: "Architecture, parameter counts and what is trainable.",
        discussion: "The trainable line has PEFT's format (`trainable params: … || all params: … || trainable%: …`), where all params include attached LoRA, prompt or adapter weights.",
        arguments: [ModelArguments.argument],
        examples: ["model info tiny", "model info tuned --json"],
        display: .custom(ModelRender.info)) { inv, ctx in
        let (name, m) = try ModelArguments.resolve(inv["model"], inv, ctx, argument: "model")
        return ModelReport.info(name: name, m)
    }

    static let save = CommandSpec(["model", "save"], summary: "Write a model as an HF folder, or its adapter as a PEFT/ftsh folder.",
        discussion: "A plain model becomes an HF GPT-2 folder that transformers loads. A model with LoRA or virtual tokens is written as a PEFT adapter folder (only the adapter; --merged folds LoRA in and writes the whole model instead); bottleneck adapters as an ftsh adapter folder. The folder appears complete or not at all; an existing one is only replaced with --force.",
        arguments: [ModelArguments.argument, ArgumentSpec("path", "Folder to write.", type: .path, completion: .directory)],
        flags: [FlagSpec("force", "Replace files in an existing folder."),
                FlagSpec("merged", "Fold LoRA into the weights and write a whole HF folder."),
                FlagSpec("f16", "Store weights as 16-bit floats (half the size).")],
        examples: ["model save tuned out/tuned", "model save tuned out/merged --merged", "model save gpt out/gpt --force"]) { inv, ctx in
        let (_, m) = try ModelArguments.resolve(inv["model"], inv, ctx, argument: "model")
        let shown = inv.string("path")!
        let path = ctx.resolve(shown)
        let force = inv.flag("force")
        var format = "hf"
        if inv.flag("merged") {
            guard m.model.prompt == nil, m.model.adapters.isEmpty else {
                throw inv.error("only LoRA folds into the weights; virtual tokens and bottleneck adapters cannot",
                                id: "model.cannot-merge", at: "merged")
            }
            let merged = try ModelReport.merged(m)
            try HFCheckpoint.save(merged, to: path, dtype: inv.flag("f16") ? .f16 : .f32, extraFiles: m.tokenizerFiles, overwrite: force)
        } else if !m.model.loraModules.isEmpty || m.model.prompt != nil {
            try PEFTAdapter.save(m.model, to: path, baseModel: m.baseReference ?? "", overwrite: force)
            format = "peft"
        } else if !m.model.adapters.isEmpty {
            try ModelFolders.saveFTSHWeights(m, method: "adapter", trained: [], to: path, overwrite: force)
            format = "ftsh-adapter"
        } else {
            try HFCheckpoint.save(m.model, to: path, dtype: inv.flag("f16") ? .f16 : .f32, extraFiles: m.tokenizerFiles, overwrite: force)
        }
        return .record(["path": .string(shown), "format": .string(format)])
    }

    static let merge = CommandSpec(["model", "merge"], summary: "Fold a LoRA run or model into its base weights and save an HF folder.",
        discussion: "W += (alpha/r)·B·A for each adapted product (transposed for GPT-2's Conv1D layout), as PEFT's merge_and_unload does. The merged model's logits are checked against the adapter's on a probe text and the largest difference is reported. The result is saved (default RUN/merged) and put in the workspace.",
        arguments: [ArgumentSpec("run", "A LoRA run folder or a workspace model with LoRA.", type: .value, completion: .object(kind: "model"))]
            + [ArgumentSpec.resultName],
        flags: [FlagSpec("out", "Folder to write (default: RUN/merged, or NAME-merged).", type: .path, completion: .directory),
                FlagSpec("force", "Replace an existing folder.")],
        examples: ["model merge runs/lora-1", "model merge tuned --out out/tuned-merged"],
        display: .custom(ModelRender.merged)) { inv, ctx in
        let (name, m) = try ModelArguments.resolve(inv["run"], inv, ctx, argument: "run")
        guard !m.model.loraModules.isEmpty else {
            throw inv.error("'\(name)' has no LoRA to merge" + (m.method.map { " (its method is \($0))" } ?? ""),
                            id: "model.cannot-merge", at: "run",
                            notes: ["only LoRA folds into the base weights; prompt tuning and bottleneck adapters stay separate"])
        }
        let merged = try ModelReport.merged(m)
        let delta = try ModelReport.maxLogitDifference(m, merged)
        let shownOut = inv.string("out") ?? (m.runFolder != nil ? (inv["run"].text.hasSuffix("/") ? inv["run"].text : inv["run"].text + "/") + "merged" : name + "-merged")
        try HFCheckpoint.save(merged, to: ctx.resolve(shownOut), extraFiles: m.tokenizerFiles, overwrite: inv.flag("force"))
        let out = LocalGPT(model: merged, tokenizer: m.tokenizer, tokenizerFiles: m.tokenizerFiles, source: shownOut,
                           baseReference: ctx.resolve(shownOut), method: "lora (merged)")
        let newName = try inv.resultName(default: name + "-merged")
        let handle = ModelArguments.put(out, name: newName, ctx)
        return .record(["model": handle, "path": .string(shownOut), "merged_modules": .int(m.model.loraModules.count),
                        "max_logit_difference": .number(Double(delta))])
    }

    static let next = CommandSpec(["model", "next"], summary: "The next-token distribution after a text: the most likely tokens.",
        discussion: "A teaching view of what a language model computes: for the text (or the token ids given with --tokens), the probability of every possible next token, of which the --top most likely are listed with their ids and logits.",
        arguments: [ModelArguments.argument, ArgumentSpec("text", "Text to continue.", optional: true)],
        flags: [FlagSpec("tokens", "Token ids instead of text, comma-separated (1,2,3).", type: .string),
                FlagSpec("top", "How many tokens to list.", type: .int, default: .int(10))],
        examples: ["model next tiny \"The cat sat on the\"", "model next tiny --tokens 464,3797 --top 5 --json"],
        display: .custom(ModelRender.next)) { inv, ctx in
        let (name, m) = try ModelArguments.resolve(inv["model"], inv, ctx, argument: "model")
        let ids: [Int]
        if let list = inv.string("tokens") {
            var out: [Int] = []
            for part in list.split(separator: ",") {
                guard let id = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw inv.error("'\(part)' is not a token id", id: "usage.bad-argument", at: "tokens")
                }
                out.append(id)
            }
            ids = out
        } else if let text = inv.string("text") {
            ids = m.tokenizer.encode(text)
        } else {
            throw inv.error("give a TEXT or --tokens", id: "usage.missing-argument")
        }
        guard !ids.isEmpty else { throw inv.error("the text encodes to no tokens", id: "model.empty-prompt", at: "text") }
        let top = max(1, inv.int("top") ?? 10)
        return try ModelArguments.located(inv, inv.has("tokens") ? "tokens" : "text") { () throws(Diagnostic) in
            try ModelReport.nextTokens(name: name, m, ids: ids, top: top)
        }
    }
}
