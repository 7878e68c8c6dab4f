import FTCore
import FTEngine
import FTPluginKit
import Foundation
import ModelPlugin

/// `train compare`: every method on one model, one dataset, one seed and one budget, measured
/// side by side — what each trains, what it costs, how well it learns, and how much it
/// forgets of plain text.
enum CompareCommand {
    static let spec = CommandSpec(["train", "compare"], summary: "Train several methods with the same seed and budget; one table.",
        discussion: "For each method: trainable parameters (and their share, PEFT's way), AdamW's memory, the process's peak resident memory during its run, time per step, tokens per second, the best validation loss, and the loss on held-out plain text (--base-text, default ftsh's sample prose) before and after training — how much general ability the method gave up. Runs go to runs/compare-N/METHOD. Under --check timings and memory are shown as '-', since they differ from run to run.",
        arguments: [ArgumentSpec("methods", "Methods to run (default all five).", type: .choice(Method.allCases.map(\.rawValue)),
                                 optional: true, variadic: true)],
        flags: TrainSetup.sharedFlags.filter { !["out", "stop-at"].contains($0.name) } + [
            FlagSpec("base-text", "Plain text for the before/after loss.", type: .path, completion: .file(extensions: ["txt"])),
            FlagSpec("out", "Folder for the runs (default runs/compare-N).", type: .path, completion: .directory),
        ],
        examples: ["train compare --data qa_train --valid qa_valid --max-steps 30", "train compare lora prompt --data qa_train --valid qa_valid --epochs 1"],
        display: .custom(TrainRender.compare)) { inv, ctx in
        var methods = (inv["methods"].listValue ?? []).compactMap { Method(rawValue: $0.text) }
        if methods.isEmpty { methods = Method.allCases }
        var shownOut = inv.string("out")
        if shownOut == nil {
            var n = 1
            while FileManager.default.fileExists(atPath: ctx.resolve("runs/compare-\(n)")) { n += 1 }
            shownOut = "runs/compare-\(n)"
        }
        let outDir = shownOut!
        let outPath = ctx.resolve(outDir)
        if inv.flag("force"), FileManager.default.fileExists(atPath: outPath + "/compare.json") {
            // Only an earlier comparison is replaced; any other folder stays.
            do { try FileManager.default.removeItem(atPath: outPath) } catch {
                throw inv.error("cannot replace \(outDir): \(error.localizedDescription)", id: "io.write", at: "out")
            }
        }
        guard !FileManager.default.fileExists(atPath: outPath) else {
            throw inv.error("\(outDir) already exists", id: "io.exists", at: "out",
                            notes: ["choose another --out, or add --force to replace an earlier comparison"])
        }
        // One seed for every method, drawn once.
        var values = inv.values
        if !inv.has("seed") {
            var r = ctx.makeRandom()
            values["seed"] = .int(Int(r.next() >> 12))
        }
        let baseText = try text(inv, ctx)
        var rows: [Value] = []
        for method in methods {
            try Interrupt.check("comparison interrupted")
            let spec = TrainPlugin.methodCommand(method)
            var v = values
            for f in method.flags { v[f.name] = f.defaultValue }
            let sub = Invocation(spec: spec, values: v, locations: inv.locations, location: inv.location, json: false)
            ctx.print("── \(method.rawValue)")
            PeakMemory.reset()
            let (run, shown) = try TrainSetup.start(method, sub, ctx, folderOverride: outDir + "/" + method.rawValue, quiet: true)
            let baseIDs = run.m.tokenizer.encode(baseText)
            let before = try textLoss(run, ids: baseIDs, base: true)
            let summary = try run.run(ctx, stopAt: nil)
            let after = try textLoss(run, ids: baseIDs, base: false)
            let peak = PeakMemory.current()
            run.m.source = shown
            _ = ModelArguments.put(run.m, name: "compare-" + method.rawValue, ctx)
            var r: Record = ["method": .string(method.rawValue), "run": .string(shown)]
            for k in ["trainable", "all", "optimizer_bytes", "steps", "best_valid_loss", "initial_valid_loss",
                      "seconds_per_step", "tokens_per_second", "status"] { r[k] = summary[k] ?? .null }
            let all = Double(summary["all"]?.intValue ?? 1)
            r["trainable_percent"] = .number(100 * Double(summary["trainable"]?.intValue ?? 0) / all)
            r["peak_rss_bytes"] = ctx.isCheckMode ? .null : peak.map { .int($0) } ?? .null
            r["base_text_loss_before"] = .number(Double(before))
            r["base_text_loss_after"] = .number(Double(after))
            let start: [Value] = run.state.initialValidLoss.map { [.list([.int(0), .number(Double($0))])] } ?? []
            r["curve"] = .list(start + run.metrics.compactMap { row in
                row.validLoss.map { .list([.int(row.step), .number(Double($0))]) }
            })
            rows.append(.record(r))
        }
        let result: Value = .record(["runs": .string(outDir), "methods": .list(rows)])
        // The table is kept beside the runs (and marks the folder as a comparison for 'run delete').
        try AtomicFile.write(JSON.encode(result, indent: 2) + "\n", to: ctx.resolve(outDir) + "/compare.json", overwrite: true)
        return result
    }

    /// The plain text to measure forgetting on.
    static func text(_ inv: Invocation, _ ctx: CommandContext) throws -> String {
        if let p = inv.string("base-text") {
            guard let s = try? String(contentsOfFile: ctx.resolve(p), encoding: .utf8), !s.isEmpty else {
                throw inv.error("cannot read \(p) as text", id: "io.not-found", at: "base-text")
            }
            return s
        }
        guard let p = Paths.shareFile("data/base-text.txt", environment: ctx.environment),
              let s = try? String(contentsOfFile: p, encoding: .utf8) else {
            throw inv.error("ftsh's sample text (share/data/base-text.txt) is missing; give --base-text FILE", id: "io.not-found")
        }
        return s
    }

    /// Mean next-token loss over plain text, for the base model (`base`: adapters and virtual
    /// tokens ignored, i.e. before training) or the trained one.
    static func textLoss(_ run: TrainRun, ids: [Int], base: Bool) throws(Diagnostic) -> Float {
        let model = base ? try run.m.baseCopy() : run.m.model
        let virtual = model.prompt?.shape[0] ?? 0
        let length = min(run.plan.length, model.config.contextLength - virtual)
        let batches = BatchPlan.textBatches(ids, batchSize: run.plan.batchSize, length: length, pad: run.m.endOfText ?? 0)
        let acts = Activations(model: model, batchSize: run.plan.batchSize, length: length)
        var total = 0.0, weight = 0.0
        for b in batches {
            let w = Double(b.weights.reduce(0, +))
            total += Double(try model.forward(b, acts, keepLogits: true)) * w
            weight += w
        }
        return weight > 0 ? Float(total / weight) : 0
    }
}

/// The process's peak resident memory (Linux's VmHWM), which can be reset so each method's
/// run is measured on its own.
enum PeakMemory {
    static func reset() {
        // Writing 5 to clear_refs resets the high-water mark (Linux 4.0 and later).
        if let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            h.write(Data("5".utf8))
            try? h.close()
        }
    }

    static func current() -> Int? {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }
}
