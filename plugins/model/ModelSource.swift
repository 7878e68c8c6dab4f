import EvalPlugin
import FTCore
import FTEngine
import FTPluginKit
import Foundation
import Synchronization

/// Lets `eval run MODEL --data D` and `eval compare A B --data D` use workspace models (loaded,
/// made or trained in the session): prompts laid out as the eval plugin lays them out for any
/// local GPT, answers decoded greedily or sampled from the session's seeded generator.
struct ModelSource: PredictionSource {
    let name: String
    let model: LocalGPT

    private static let registered = Mutex(false)

    static func registerWithEval() {
        let first = registered.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        PredictionSources.register(kind: "model") { name, entry, _ in
            guard let m = entry.object as? LocalGPT else {
                throw Diagnostic.error("'\(name)' is not a local model", id: "workspace.not-a-model")
            }
            return ModelSource(name: name, model: m)
        }
        PredictionSources.registerLoader { shown, ctx throws(Diagnostic) in
            let path = ctx.resolve(shown), fm = FileManager.default
            guard shown == "tiny" || ["config.json", "adapter_config.json", ModelFolders.ftshConfigFile]
                .contains(where: { fm.fileExists(atPath: path + "/" + $0) }) else { return nil }
            return ModelSource(name: shown, model: try ModelArguments.load(shown, base: nil, ctx))
        }
    }

    func predict(_ prompts: [Prompt], settings: GenerationSettings, ctx: CommandContext) async throws -> [String] {
        let generator = Generator(model: model.model)
        var options = SamplingOptions(temperature: Float(settings.temperature), maxNewTokens: max(1, settings.maxTokens))
        if let eos = model.endOfText { options.stopTokens = [eos] }
        var rng = ctx.makeRandom().derived("eval-generate")
        let virtual = model.model.prompt?.shape[0] ?? 0
        // Room for the answer: a long prompt keeps its end, which holds the question.
        let room = max(1, generator.capacity - options.maxNewTokens - virtual)
        var out: [String] = []
        for (i, p) in prompts.enumerated() {
            try Interrupt.check()
            ctx.progress(ProgressStatus(label: "generating with \(name)", fraction: Double(i) / Double(prompts.count),
                                        detail: "\(i)/\(prompts.count)"))
            var ids = model.tokenizer.encode(LocalPromptLayout.render(p))
            if ids.count > room { ids.removeFirst(ids.count - room) }
            if ids.isEmpty, let eos = options.stopTokens.first { ids = [eos] }
            var new = try generator.generate(prompt: ids, options: options, rng: &rng)
            if let last = new.last, options.stopTokens.contains(last) { new.removeLast() }
            let chat: Bool
            if case .chat = p { chat = true } else { chat = false }
            out.append(LocalPromptLayout.answer(model.tokenizer.decode(new), chat: chat))
        }
        ctx.progress(nil)
        return out
    }
}

/// `eval curve MODEL` reads the training log of the run a model came from.
extension LocalGPT: RunFolderHolder {}
