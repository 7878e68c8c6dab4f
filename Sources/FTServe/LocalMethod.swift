import FTCore
import FTEngine
import FTTokenizer
import Foundation
import ModelPlugin

/// The local training method behind a job, chosen with `metadata: {"ftsh_method": NAME}`
/// (LoRA when absent). Each uses the same defaults as `train METHOD` in the shell, and saves
/// its weights in the same folder formats, so a job's model also loads with `model load`.
enum LocalMethod: String, CaseIterable, Sendable {
    case lora, adapter, prompt, partial, full

    /// The learning rate that `learning_rate_multiplier` multiplies ("auto" is 1×): the fewer
    /// and newer the trained values, the larger the steps they take.
    var baseLearningRate: Double {
        switch self {
        case .full: 1e-4
        case .partial: 2e-4
        case .prompt: 3e-2
        case .adapter, .lora: 1e-3
        }
    }

    /// Inserts and unfreezes what the method trains. The same seed gives the same modules,
    /// which a resumed job relies on before it loads its saved values.
    func apply(to model: GPTModel, tokenizer: GPT2Tokenizer, seed: UInt64) throws(Diagnostic) {
        let root = SeededRandom(seed: seed)
        switch self {
        case .full:
            model.setTrainable { _ in true }
        case .partial:
            let top = max(1, (model.config.layers + 3) / 4)
            let blocks = Set((model.config.layers - top)..<model.config.layers)
            var names = Set(model.blocks.filter { blocks.contains($0.index) }.flatMap(\.baseParameters).map(\.name))
            names.insert(model.lnfWeight.name)
            names.insert(model.lnfBias.name)
            model.setTrainable { names.contains($0.name) }
        case .prompt:
            var rng = root.derived("prompt-init-vocab")
            let limit = min(tokenizer.vocabularySize, model.config.vocabSize)
            let ids = (0..<20).map { _ in rng.nextInt(below: limit) }
            try PEFTAdapter.addPromptTuning(to: model, count: 20, initTokens: ids, seed: root.derived("prompt-init").seed)
        case .adapter:
            try model.addAdapters(size: max(1, model.config.embedding / 16), positions: [.attention, .mlp], activation: .relu,
                                  seed: root.derived("adapter-init").seed)
        case .lora:
            try model.addLoRA(targets: ["c_attn"], rank: min(8, model.config.embedding), alpha: 8, rsLoRA: false,
                              seed: root.derived("lora-init").seed)
        }
    }

    /// Writes the trained weights into `folder` in the method's format: a PEFT adapter folder
    /// (LoRA, prompt tuning), an ftsh weights folder (adapter, partial) or a whole HF folder (full).
    func save(_ m: LocalGPT, to folder: String) throws(Diagnostic) {
        try ModelFolders.saveTrained(m, method: rawValue, to: folder)
    }
}

/// Examples and chat requests as values (decoded JSON) in `ChatText`'s layout, the one the
/// shell's `train`, `generate` and `eval` use, so a model trained here answers prompts written
/// that way and the other way round.
enum ChatLayout {
    static func tokenize(_ example: Value, tokenizer: GPT2Tokenizer, endOfText: Int?) -> TokenizedExample {
        if let messages = example["messages"]?.listValue {
            return ChatText.tokenize(messages.map { msg in
                ChatText.Message(role: msg["role"]?.stringValue ?? "user", content: text(msg["content"]),
                                 weight: Float(msg["weight"]?.numberValue ?? 1))
            }, tokenizer: tokenizer, endOfText: endOfText)
        }
        return ChatText.tokenize(prompt: text(example["prompt"]), completion: text(example["completion"]),
                                 tokenizer: tokenizer, endOfText: endOfText)
    }

    /// A message's text: a string, or the text parts of a content array.
    static func text(_ v: Value?) -> String {
        guard let v else { return "" }
        if let s = v.stringValue { return s }
        return (v.listValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
    }
}
