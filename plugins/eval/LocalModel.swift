import FTCore
import FTEngine
import FTPluginKit
import FTTokenizer
import Foundation

/// Eval's prompts in `ChatText`'s layout (the one local models are trained with): a chat as
/// `role: content` lines ending in `assistant:`; a text prompt as it is.
public enum LocalPromptLayout {
    public static func render(_ prompt: Prompt) -> String {
        switch prompt {
        case .text(let s): return s
        case .chat(let messages): return ChatText.prompt(messages.map { ($0.role, $0.content) })
        }
    }

    /// The answer as the model wrote it: for a chat, up to where it starts a new turn.
    public static func answer(_ generated: String, chat: Bool) -> String {
        chat ? ChatText.answer(generated) : generated.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A local model's answers to `prompts`: greedy at temperature 0, otherwise sampled from
    /// the session's seeded generator; each ends at end-of-text or after `maxTokens`. A prompt
    /// longer than the context keeps its end, which holds the question.
    public static func answers(_ prompts: [Prompt], model: GPTModel, tokenizer: GPT2Tokenizer, endOfText: Int?,
                               name: String, settings: GenerationSettings, ctx: CommandContext) throws -> [String] {
        let generator = Generator(model: model)
        var options = SamplingOptions(temperature: Float(settings.temperature), maxNewTokens: max(1, settings.maxTokens))
        if let endOfText { options.stopTokens = [endOfText] }
        var rng = ctx.makeRandom().derived("eval-generate")
        let room = max(1, generator.capacity - options.maxNewTokens - (model.prompt?.shape[0] ?? 0))
        var out: [String] = []
        for (i, p) in prompts.enumerated() {
            try Interrupt.check()
            ctx.progress(ProgressStatus(label: "generating with \(name)", fraction: Double(i) / Double(prompts.count),
                                        detail: "\(i)/\(prompts.count)"))
            var ids = tokenizer.encode(render(p))
            if ids.count > room { ids.removeFirst(ids.count - room) }
            if ids.isEmpty, let eos = options.stopTokens.first { ids = [eos] }
            var new = try generator.generate(prompt: ids, options: options, rng: &rng)
            if let last = new.last, options.stopTokens.contains(last) { new.removeLast() }
            let chat: Bool
            if case .chat = p { chat = true } else { chat = false }
            out.append(answer(tokenizer.decode(new), chat: chat))
        }
        ctx.progress(nil)
        return out
    }
}

/// An HF GPT-2 model folder (`config.json`, `model.safetensors`, tokenizer files) answering
/// prompts on this machine. Decoding is greedy at temperature 0, otherwise sampled from the
/// session's seeded generator, and ends at the end-of-text token or after `maxTokens`.
public final class LocalModel: PredictionSource, @unchecked Sendable {
    public let name: String
    let model: GPTModel
    let tokenizer: GPT2Tokenizer

    public init(folder: String, display: String) throws(Diagnostic) {
        name = display
        model = try HFCheckpoint.load(folder: folder)
        let fm = FileManager.default
        guard fm.fileExists(atPath: folder + "/tokenizer.json") || fm.fileExists(atPath: folder + "/vocab.json") else {
            throw .error("\(display) has no tokenizer (tokenizer.json, or vocab.json and merges.txt)",
                         id: "model.missing-file")
        }
        tokenizer = try GPT2Tokenizer.load(folder: folder)
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw .error("the tokenizer of \(display) has \(tokenizer.vocabularySize) tokens but the model only \(model.config.vocabSize)",
                         id: "model.tokenizer-mismatch")
        }
    }

    public func predict(_ prompts: [Prompt], settings: GenerationSettings, ctx: CommandContext) async throws -> [String] {
        try LocalPromptLayout.answers(prompts, model: model, tokenizer: tokenizer,
                                      endOfText: tokenizer.endOfTextID ?? model.config.eosTokenId,
                                      name: name, settings: settings, ctx: ctx)
    }
}
