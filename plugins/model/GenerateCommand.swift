import FTCore
import FTEngine
import FTPluginKit
import Foundation

/// `generate MODEL "prompt"`: continue a text with a local model, one token at a time through
/// a key/value cache.
enum GenerateCommand {
    static let spec = CommandSpec(["generate"], summary: "Continue a text with a local model (greedy or sampled, seeded).",
        discussion: "Greedy by default (the most likely token each time). With --temperature above 0 tokens are sampled, from the --top-k most likely and/or the smallest set holding --top-p of the probability; the generator is seeded from the session (or --seed), so a script gives the same text every time. Generation ends at the end-of-text token, at a --stop text, or after --max-tokens.",
        arguments: [ModelArguments.argument, ArgumentSpec("prompt", "Text to continue.")],
        flags: [FlagSpec("max-tokens", "Most new tokens.", type: .int, default: .int(64)),
                FlagSpec("temperature", "0 is greedy; higher is more varied.", type: .number, default: .number(0)),
                FlagSpec("top-k", "Sample only from the K most likely tokens.", type: .int),
                FlagSpec("top-p", "Sample only from the most likely tokens holding this much probability.", type: .number),
                FlagSpec("stop", "Stop when this text appears (repeatable).", type: .string, repeatable: true),
                FlagSpec("seed", "Seed for sampling.", type: .int)],
        examples: ["generate tiny \"Once upon a time\"", "generate tuned \"user: What is LoRA?\\nassistant:\" --max-tokens 40 --stop \"\\n\"",
                   "generate tiny \"옛날 옛적에\" --temperature 0.8 --top-k 40 --seed 7"],
        display: .custom(ModelRender.generated)) { inv, ctx in
        let (name, m) = try ModelArguments.resolve(inv["model"], inv, ctx, argument: "model")
        let prompt = inv.string("prompt") ?? ""
        let maxTokens = inv.int("max-tokens") ?? 64
        guard maxTokens >= 1 else { throw inv.error("--max-tokens must be at least 1", id: "usage.bad-argument", at: "max-tokens") }
        let temperature = inv.number("temperature") ?? 0
        guard temperature >= 0 && temperature.isFinite else {
            throw inv.error("--temperature must be 0 or more", id: "usage.bad-argument", at: "temperature")
        }
        if let k = inv.int("top-k"), k < 1 { throw inv.error("--top-k must be at least 1", id: "usage.bad-argument", at: "top-k") }
        if let p = inv.number("top-p"), !(p > 0 && p <= 1) {
            throw inv.error("--top-p must be in (0, 1]", id: "usage.bad-argument", at: "top-p")
        }
        var options = SamplingOptions(temperature: Float(temperature), topK: inv.int("top-k"), topP: inv.number("top-p").map(Float.init),
                                      maxNewTokens: maxTokens)
        if let eos = m.endOfText { options.stopTokens = [eos] }
        let stops = (inv["stop"].listValue ?? (inv["stop"] == .null ? [] : [inv["stop"]])).map(\.text).filter { !$0.isEmpty }
        var ids = m.tokenizer.encode(prompt)
        if ids.isEmpty, let eos = m.endOfText { ids = [eos] } // an empty prompt starts a new document
        guard !ids.isEmpty else { throw inv.error("the prompt encodes to no tokens", id: "model.empty-prompt", at: "prompt") }
        let virtual = m.model.prompt?.shape[0] ?? 0
        guard ids.count + virtual < m.config.contextLength else {
            throw inv.error("the prompt has \(ids.count) tokens; the model's context holds \(m.config.contextLength)",
                            id: "model.too-long", at: "prompt")
        }
        var rng = inv.int("seed").map { SeededRandom(seed: UInt64(truncatingIfNeeded: $0)) } ?? ctx.makeRandom().derived("generate")
        let generator = Generator(model: m.model)
        let start = Date()
        var produced: [Int] = []
        var stopReason = "length"
        var hitStop: String?
        var interrupted = false
        _ = try generator.generate(prompt: ids, options: options, rng: &rng) { id in
            produced.append(id)
            if options.stopTokens.contains(id) { stopReason = "end-of-text"; return false }
            if Interrupt.isSet { interrupted = true; return false }
            if !stops.isEmpty {
                let text = m.tokenizer.decode(produced)
                if let s = stops.first(where: { text.contains($0) }) { hitStop = s; stopReason = "stop"; return false }
            }
            if ctx.isInteractive && produced.count % 4 == 0 {
                ctx.progress(ProgressStatus(label: "generating", fraction: Double(produced.count) / Double(maxTokens),
                                            detail: "\(produced.count)/\(maxTokens) tokens"))
            }
            return true
        }
        ctx.progress(nil)
        if interrupted { stopReason = "interrupted" }
        if stopReason == "length" && produced.count < maxTokens && generator.length >= generator.capacity { stopReason = "context" }
        var shown = produced
        if let last = shown.last, options.stopTokens.contains(last) { shown.removeLast() }
        var text = m.tokenizer.decode(shown)
        if let s = hitStop, let r = text.range(of: s) { text = String(text[..<r.lowerBound]) }
        let seconds = ctx.clock.elapsed(since: start)
        var r: Record = ["model": .string(name), "prompt": .string(prompt), "text": .string(text),
                         "tokens": .int(produced.count), "stop": .string(stopReason)]
        r["tokens_per_second"] = ctx.isCheckMode || seconds <= 0 ? .null : .number(Double(produced.count) / seconds)
        return .record(r)
    }
}
