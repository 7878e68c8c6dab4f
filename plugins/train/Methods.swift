import FTCore
import FTEngine
import FTPluginKit
import ModelPlugin

/// The five ways of fine-tuning, each a choice of what trains: everything (full), the top
/// blocks (partial), virtual input tokens (prompt), small bottleneck layers (adapter), or
/// low-rank updates of chosen products (lora).
enum Method: String, CaseIterable, Sendable {
    case full, partial, prompt, adapter, lora

    /// Starting learning rates that suit each method: the fewer and newer the trained values,
    /// the larger the steps they take (PEFT's examples use 1e-3 to 3e-2 for its methods).
    var defaultLearningRate: Double {
        switch self {
        case .full: 1e-4
        case .partial: 2e-4
        case .prompt: 3e-2
        case .adapter: 1e-3
        case .lora: 1e-3
        }
    }

    var summary: String {
        switch self {
        case .full: "Full fine-tuning: every weight of the model trains."
        case .partial: "Partial fine-tuning: only the top blocks train; the rest stay frozen."
        case .prompt: "Prompt tuning: learn virtual input tokens; the model stays frozen."
        case .adapter: "Adapters: small bottleneck layers after attention and MLP train; the model stays frozen."
        case .lora: "LoRA: low-rank updates of chosen weight matrices train; the model stays frozen."
        }
    }

    var discussion: String {
        switch self {
        case .full: "Gradients and AdamW moments exist for all weights, so memory is about four times the model. The result is an HF GPT-2 folder."
        case .partial: "Frozen blocks get no gradient and the backward pass stops below the lowest trained block, so steps are faster as well as lighter. --train-layers N trains the top N blocks (and the final layer norm); --freeze N freezes the bottom N. The trained tensors are saved in an ftsh weights folder (HF key names)."
        case .prompt: "The virtual tokens are prepended to every sequence (PEFT's prompt tuning). --init random draws them from N(0,1) as PEFT does by default, vocab copies random token embeddings, text (with --init-text) the embeddings of a text's tokens. Saved as a PEFT adapter folder."
        case .adapter: "Houlsby placement: one adapter after attention and one after the MLP of every block (--placement pfeiffer keeps only the MLP one). Each maps C → bottleneck → C with its up-projection starting at zero, so training starts from the unchanged model. Saved in an ftsh weights folder; adapters cannot be merged into the weights."
        case .lora: "PEFT's LoRA: A starts Kaiming-uniform and B at zero, and the update is scaled by alpha/rank (alpha/√rank with --rslora). --targets picks the products (c_attn, attn.c_proj, c_fc, mlp.c_proj; c_proj means both projections). --dropout P zeroes each input of the low-rank branch with probability P in training steps and scales the rest by 1/(1−P); evaluation and generation see the whole input. The masks follow from --seed and the step, so a resumed run draws the same ones. Saved as a PEFT adapter folder; 'model merge RUN' folds it into the weights."
        }
    }

    var flags: [FlagSpec] {
        switch self {
        case .full: []
        case .partial: [FlagSpec("train-layers", "Train the top N blocks.", type: .int),
                        FlagSpec("freeze", "Freeze the bottom N blocks (train the rest).", type: .int)]
        case .prompt: [FlagSpec("virtual-tokens", "Virtual tokens to learn.", type: .int, default: .int(20)),
                       FlagSpec("init", "How they start.", type: .choice(["random", "vocab", "text"]), default: .string("vocab")),
                       FlagSpec("init-text", "Text whose token embeddings start them (implies --init text).", type: .string)]
        case .adapter: [FlagSpec("bottleneck", "Width of each adapter.", type: .int),
                        FlagSpec("reduction", "Width as dims / R (default 16).", type: .int),
                        FlagSpec("activation", "Nonlinearity inside the bottleneck.", type: .choice(["relu", "gelu"]), default: .string("relu")),
                        FlagSpec("placement", "houlsby: after attention and MLP; pfeiffer: after the MLP only.",
                                 type: .choice(["houlsby", "pfeiffer"]), default: .string("houlsby"))]
        case .lora: [FlagSpec("rank", "Rank r of the update.", type: .int, default: .int(8)),
                     FlagSpec("alpha", "Scale numerator (update × alpha/r).", type: .number, default: .number(8)),
                     FlagSpec("dropout", "Dropout probability on the LoRA branch's input while training (PEFT's lora_dropout).", type: .number, default: .number(0)),
                     FlagSpec("targets", "Comma-separated products: c_attn, attn.c_proj, c_fc, mlp.c_proj, c_proj, all.", type: .string,
                              default: .string("c_attn")),
                     FlagSpec("rslora", "Scale by alpha/√r (rank-stabilised LoRA).")]
        }
    }

    /// The method's settings from the command line, checked against the model, as recorded in
    /// the run's config.json.
    func options(_ inv: Invocation, config: GPTConfig) throws(Diagnostic) -> Record {
        switch self {
        case .full: return [:]
        case .partial:
            let l = config.layers
            if inv.has("train-layers") && inv.has("freeze") {
                throw inv.error("give --train-layers or --freeze, not both", id: "usage.bad-argument", at: "freeze")
            }
            var top = max(1, (l + 3) / 4)
            if let n = inv.int("train-layers") {
                guard n >= 1 && n <= l else { throw inv.error("--train-layers must be 1…\(l)", id: "train.bad-option", at: "train-layers") }
                top = n
            } else if let n = inv.int("freeze") {
                guard n >= 0 && n < l else { throw inv.error("--freeze must be 0…\(l - 1)", id: "train.bad-option", at: "freeze") }
                top = l - n
            }
            return ["train_layers": .int(top), "trained_blocks": .list((l - top..<l).map { .int($0) })]
        case .prompt:
            let n = inv.int("virtual-tokens") ?? 20
            guard n >= 1 && n < config.contextLength / 2 else {
                throw inv.error("--virtual-tokens must be 1…\(config.contextLength / 2 - 1)", id: "train.bad-option", at: "virtual-tokens")
            }
            var initial = inv.string("init") ?? "vocab"
            let text = inv.string("init-text")
            if text != nil { initial = "text" }
            if initial == "text" && (text ?? "").isEmpty {
                throw inv.error("--init text needs --init-text \"...\"", id: "usage.missing-argument", at: "init")
            }
            var r: Record = ["virtual_tokens": .int(n), "init": .string(initial)]
            if let text { r["init_text"] = .string(text) }
            return r
        case .adapter:
            if inv.has("bottleneck") && inv.has("reduction") {
                throw inv.error("give --bottleneck or --reduction, not both", id: "usage.bad-argument", at: "reduction")
            }
            let size: Int
            if let b = inv.int("bottleneck") {
                guard b >= 1 && b <= config.embedding else {
                    throw inv.error("--bottleneck must be 1…\(config.embedding) (the model's width)", id: "train.bad-option", at: "bottleneck")
                }
                size = b
            } else {
                let r = inv.int("reduction") ?? 16
                guard r >= 1 else { throw inv.error("--reduction must be at least 1", id: "train.bad-option", at: "reduction") }
                size = max(1, config.embedding / r)
            }
            return ["bottleneck": .int(size), "activation": .string(inv.string("activation") ?? "relu"),
                    "placement": .string(inv.string("placement") ?? "houlsby")]
        case .lora:
            let rank = inv.int("rank") ?? 8
            guard rank >= 1 else { throw inv.error("--rank must be at least 1", id: "train.bad-option", at: "rank") }
            let alpha = inv.number("alpha") ?? 8
            guard alpha > 0 && alpha.isFinite else { throw inv.error("--alpha must be positive", id: "train.bad-option", at: "alpha") }
            let dropout = inv.number("dropout") ?? 0
            guard dropout >= 0 && dropout < 1 else {
                throw inv.error("--dropout must be at least 0 and below 1", id: "train.bad-option", at: "dropout")
            }
            let known = ["c_attn", "attn.c_proj", "c_fc", "mlp.c_fc", "mlp.c_proj", "c_proj", "attn.c_attn"]
            var targets: [String] = []
            for t in (inv.string("targets") ?? "c_attn").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !t.isEmpty {
                if t == "all" { targets += ["c_attn", "attn.c_proj", "c_fc", "mlp.c_proj"]; continue }
                guard known.contains(t) else {
                    throw inv.error("unknown LoRA target '\(t)'", id: "train.bad-option", at: "targets",
                                    notes: ["GPT-2 products: c_attn, attn.c_proj, c_fc, mlp.c_proj (c_proj: both projections, all: every one)"])
                }
                if !targets.contains(t) { targets.append(t) }
            }
            guard !targets.isEmpty else { throw inv.error("--targets names no product", id: "train.bad-option", at: "targets") }
            // A rank above the smaller side of a product is no longer low-rank: refuse it.
            let products: [(String, Int)] = [("h.0.attn.c_attn", config.embedding), ("h.0.attn.c_proj", config.embedding),
                                             ("h.0.mlp.c_fc", min(config.embedding, config.inner)),
                                             ("h.0.mlp.c_proj", min(config.embedding, config.inner))]
            for (path, side) in products where targets.contains(where: { path.hasSuffix("." + $0) }) {
                guard rank <= side else {
                    throw inv.error("rank \(rank) is larger than \(path.dropFirst(4))'s smaller side (\(side))", id: "train.bad-option", at: "rank")
                }
            }
            return ["rank": .int(rank), "alpha": .number(alpha), "dropout": .number(dropout),
                    "targets": .list(targets.map { .string($0) }), "rslora": .bool(inv.flag("rslora"))]
        }
    }

    /// Inserts and unfreezes what this method trains, the same way for a new and a resumed run.
    func apply(_ options: Record, to model: GPTModel, tokenizer m: LocalGPT, seed: UInt64) throws(Diagnostic) {
        let root = SeededRandom(seed: seed)
        switch self {
        case .full:
            model.setTrainable { _ in true }
        case .partial:
            let blocks = Set((options["trained_blocks"]?.listValue ?? []).compactMap(\.intValue))
            var names = Set(model.blocks.filter { blocks.contains($0.index) }.flatMap(\.baseParameters).map(\.name))
            names.insert(model.lnfWeight.name)
            names.insert(model.lnfBias.name)
            model.setTrainable { names.contains($0.name) }
        case .prompt:
            let n = options["virtual_tokens"]?.intValue ?? 20
            var ids: [Int]?
            switch options["init"]?.stringValue {
            case "vocab"?:
                var rng = root.derived("prompt-init-vocab")
                let limit = min(m.tokenizer.vocabularySize, model.config.vocabSize)
                ids = (0..<n).map { _ in rng.nextInt(below: limit) }
            case "text"?:
                ids = m.tokenizer.encode(options["init_text"]?.stringValue ?? "")
                if ids?.isEmpty ?? true { throw .error("--init-text encodes to no tokens", id: "train.bad-option") }
            default: ids = nil
            }
            try PEFTAdapter.addPromptTuning(to: model, count: n, initTokens: ids, seed: root.derived("prompt-init").seed)
        case .adapter:
            let act = BottleneckAdapter.Activation(rawValue: options["activation"]?.stringValue ?? "relu") ?? .relu
            let positions: Set<BottleneckAdapter.Position> = options["placement"]?.stringValue == "pfeiffer" ? [.mlp] : [.attention, .mlp]
            try model.addAdapters(size: options["bottleneck"]?.intValue ?? 1, positions: positions, activation: act,
                                  seed: root.derived("adapter-init").seed)
        case .lora:
            let targets = (options["targets"]?.listValue ?? []).compactMap(\.stringValue)
            try model.addLoRA(targets: targets, rank: options["rank"]?.intValue ?? 8,
                              alpha: Float(options["alpha"]?.numberValue ?? 8), rsLoRA: options["rslora"]?.boolValue ?? false,
                              dropout: Float(options["dropout"]?.numberValue ?? 0),
                              seed: root.derived("lora-init").seed)
        }
    }

    /// Writes the trained weights in this method's format into `folder` (replacing files).
    func save(_ m: LocalGPT, to folder: String) throws(Diagnostic) {
        try ModelFolders.saveTrained(m, method: rawValue, to: folder)
    }
}
