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
        try LocalPromptLayout.answers(prompts, model: model.model, tokenizer: model.tokenizer, endOfText: model.endOfText,
                                      name: name, settings: settings, ctx: ctx)
    }
}

/// `eval curve MODEL` reads the training log of the run a model came from.
extension LocalGPT: RunFolderHolder {}
