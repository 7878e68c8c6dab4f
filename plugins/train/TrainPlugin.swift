import FTCore
import FTData
import FTEngine
import FTPluginKit
import Foundation
import ModelPlugin

/// `train`, `runs`, `run show`: fine-tune a local GPT with one of five methods, keep each run
/// in a folder, resume and compare them.
public enum TrainPlugin {
    public static func plugin() -> Plugin {
        Plugin(name: "train", summary: "Fine-tune local models: full, partial, prompt tuning, adapters, LoRA; runs and comparisons.",
               commands: Method.allCases.map(methodCommand) + [resume, CompareCommand.spec, runs, show, delete])
    }

    static func methodCommand(_ method: Method) -> CommandSpec {
        CommandSpec(["train", method.rawValue], summary: method.summary,
            discussion: method.discussion + " Loss counts only assistant (or completion) tokens; messages with weight 0 are context. Each run gets a folder (default runs/\(method.rawValue)-N) with config.json, metrics.csv (OpenAI's result-file columns), a resumable checkpoint, and the best and final weights. Ctrl-C stops after the current step and keeps everything; 'train resume RUN' continues. The trained model (at its best validation loss) is put in the workspace under the run's name, or NAME with 'as NAME'.",
            arguments: [ArgumentSpec.resultName], flags: TrainSetup.sharedFlags + method.flags,
            examples: examples(method), display: .custom(TrainRender.finished)) { inv, ctx in
            let (run, shown) = try TrainSetup.start(method, inv, ctx)
            return try finish(run, name: try inv.resultName(default: ModelArguments.defaultName(for: shown)),
                              stopAt: inv.int("stop-at"), ctx)
        }
    }

    static func examples(_ m: Method) -> [String] {
        let common = "--data qa_train --valid qa_valid"
        switch m {
        case .full: return ["train full \(common) --epochs 2 --lr 1e-4"]
        case .partial: return ["train partial \(common) --train-layers 2", "train partial \(common) --freeze 2"]
        case .prompt: return ["train prompt \(common) --virtual-tokens 16 --init text --init-text \"Answer briefly:\""]
        case .adapter: return ["train adapter \(common) --bottleneck 16", "train adapter \(common) --reduction 8 --placement pfeiffer"]
        case .lora: return ["train lora \(common) --rank 8 --alpha 16 --targets c_attn,mlp.c_proj as tuned",
                            "train lora --data @share/data/qa-en.jsonl --max-steps 20 --early-stop 3 --valid qa_valid"]
        }
    }

    /// Runs the loop, then puts the trained model in the workspace; Ctrl-C still ends a script.
    static func finish(_ run: TrainRun, name: String, stopAt: Int?, _ ctx: CommandContext) throws -> Value {
        var summary = try run.run(ctx, stopAt: stopAt)
        let m = run.m
        m.source = run.display
        summary["model"] = ModelArguments.put(m, name: name, ctx)
        if run.state.status == "interrupted" {
            ctx.print(TrainRender.finished(.record(summary), RenderOptions(color: false, width: 100)))
            // The summary just printed already says how to continue.
            throw Interrupted("training stopped after step \(run.state.step) of \(run.totalSteps)")
        }
        return .record(summary)
    }

    static let resume = CommandSpec(["train", "resume"], summary: "Continue a paused or interrupted run where it stopped.",
        discussion: "Restores the trained weights, the AdamW moments, the step and the best-so-far from the run's checkpoint, and replays the same data order, so the result equals a run that was never stopped. The base model must be the one the run started from (checked by a fingerprint); give --model if it moved.",
        arguments: [ArgumentSpec("run", "Run folder.", type: .path, completion: .directory)] + [ArgumentSpec.resultName],
        flags: [FlagSpec("model", "The base model, if the run's record of it no longer resolves.", type: .value, completion: .object(kind: "model")),
                FlagSpec("stop-at", "Pause again after this step.", type: .int)],
        examples: ["train resume runs/lora-1", "train resume runs/full-2 --model ~/models/gpt2"],
        display: .custom(TrainRender.finished)) { inv, ctx in
        let shown = inv.string("run")!
        let run = try TrainResume.load(shown, inv, ctx)
        return try finish(run, name: try inv.resultName(default: ModelArguments.defaultName(for: shown)),
                          stopAt: inv.int("stop-at"), ctx)
    }

    static let runs = CommandSpec(["runs"], summary: "List the training runs under a folder (default runs/).",
        arguments: [ArgumentSpec("folder", "Folder holding run folders.", type: .path, completion: .directory, optional: true)],
        examples: ["runs", "runs experiments/"]) { inv, ctx in
        let shown = inv.string("folder") ?? "runs"
        let dir = ctx.resolve(shown)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        var rows: [Value] = []
        for n in names {
            let path = dir + "/" + n
            guard let info = RunInfo.read(folder: path) else { continue }
            let state = TrainResume.state(path)
            let shownPath = (shown.hasSuffix("/") ? shown : shown + "/") + n
            rows.append(.record([
                "run": .string(shownPath), "method": .string(info.method), "base": .string(info.config["base_source"]?.stringValue ?? info.base),
                "status": .string(state?.status ?? "new"), "steps": .int(state?.step ?? 0),
                "total": info.config["total_steps"] ?? .null,
                "start_valid_loss": state?.initialValidLoss.map { .number(Double($0)) } ?? .null,
                "best_valid_loss": state?.bestLoss.map { .number(Double($0)) } ?? .null,
                "best_step": state?.bestStep.map { .int($0) } ?? .null,
            ]))
        }
        return .list(rows)
    }

    static let delete = CommandSpec(["run", "delete"], summary: "Delete a run folder (only one a training run or 'train compare' wrote).",
        arguments: [ArgumentSpec("run", "Run or comparison folder.", type: .path, completion: .directory)],
        examples: ["run delete runs/lora-1"]) { inv, ctx in
        let shown = inv.string("run")!
        let path = ctx.resolve(shown)
        // Refuse anything that does not say it is a run (or a comparison of runs), so a typo
        // cannot remove other files.
        if !FileManager.default.fileExists(atPath: path + "/compare.json") {
            _ = try ModelArguments.located(inv, "run") { () throws(Diagnostic) in try RunFolder(path: path).readConfig(display: shown) }
        }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw inv.error("cannot delete \(shown): \(error.localizedDescription)", id: "io.write", at: "run")
        }
        return .record(["deleted": .string(shown)])
    }

    static let show = CommandSpec(["run", "show"], summary: "A run's settings, progress and losses.",
        arguments: [ArgumentSpec("run", "Run folder.", type: .path, completion: .directory)],
        examples: ["run show runs/lora-1", "run show runs/lora-1 --json"],
        display: .custom(TrainRender.show)) { inv, ctx in
        let shown = inv.string("run")!
        let folder = RunFolder(path: ctx.resolve(shown))
        let config = try ModelArguments.located(inv, "run") { () throws(Diagnostic) in try folder.readConfig(display: shown) }
        let state = TrainResume.state(folder.path) ?? RunState()
        let rows = folder.readMetrics()
        func n(_ x: Float?) -> Value { x.map { .number(Double($0)) } ?? .null }
        let evals: [Value] = rows.filter { $0.validLoss != nil }.map {
            .record(["step": .int($0.step), "train_loss": n($0.trainLoss), "valid_loss": n($0.validLoss), "valid_accuracy": n($0.validAccuracy)])
        }
        return .record(["run": .string(shown), "config": .record(config), "state": .record(state.record),
                        "last_train_loss": n(rows.last?.trainLoss), "evaluations": .list(evals)])
    }
}
