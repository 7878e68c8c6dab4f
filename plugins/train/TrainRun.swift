import FTCore
import FTEngine
import FTPluginKit
import Foundation
import ModelPlugin

/// A training run in progress: the model being trained (a copy of the base with the method
/// applied), its batches, optimizer and schedule, and the folder it reports to. Built fresh by
/// `train METHOD` or from a run folder by `train resume`; both then call `run`.
final class TrainRun {
    let method: Method
    let folder: RunFolder
    let display: String
    let config: Record
    let m: LocalGPT
    let plan: BatchPlan
    let valid: [Batch]
    let optimizer: AdamW
    let schedule: LRSchedule
    let gradClip: Float?
    let totalSteps: Int
    let evalEvery: Int
    let patience: Int?
    /// The run's seed; with the step it fixes each step's LoRA dropout masks.
    let seed: UInt64
    let acts: Activations
    var state = RunState()
    var metrics: [MetricRow] = []
    /// Trained values at the best evaluation so far.
    var bestValues: [String: [Float]]?
    var stepSeconds: [Double] = []
    var tokensTrained = 0

    init(method: Method, folder: RunFolder, display: String, config: Record, model m: LocalGPT,
         train: [TokenizedExample], valid: [TokenizedExample]) {
        self.method = method
        self.folder = folder
        self.display = display
        self.config = config
        self.m = m
        let batch = config["batch"]?.intValue ?? 8, length = config["length"]?.intValue ?? 64
        let pad = m.endOfText ?? 0
        seed = config["seed"]?.numberValue.flatMap { UInt64(exactly: $0) } ?? 0
        plan = BatchPlan(examples: train, batchSize: batch, length: length, pad: pad, seed: seed)
        self.valid = BatchPlan.evaluationBatches(valid, batchSize: batch, length: length, pad: pad)
        totalSteps = config["total_steps"]?.intValue ?? 1
        evalEvery = max(1, config["eval_every"]?.intValue ?? 1)
        patience = config["early_stop"]?.intValue
        gradClip = config["grad_clip"]?.numberValue.map(Float.init)
        optimizer = AdamW(weightDecay: Float(config["weight_decay"]?.numberValue ?? 0))
        let decay = LRSchedule.Decay(rawValue: config["schedule"]?.stringValue ?? "linear") ?? .linear
        schedule = LRSchedule(peak: Float(config["learning_rate"]?.numberValue ?? 1e-4), warmupSteps: config["warmup"]?.intValue ?? 0,
                              totalSteps: totalSteps, decay: decay, minRatio: 0)
        acts = Activations(model: m.model, batchSize: batch, length: length)
    }

    // MARK: steps

    func trainStep() throws(Diagnostic) -> MetricRow {
        let start = DispatchTime.now().uptimeNanoseconds
        let batch = plan.batch(step: state.step)
        let model = m.model
        let loss = try model.forward(batch, acts, dropoutSeed: Trainer.dropoutSeed(seed, step: state.step))
        let (correct, total) = acts.tokenAccuracy(batch)
        model.backward(acts)
        let params = model.trainableParameters
        let norm = gradientNorm(params)
        guard norm.isFinite else {
            throw .error("the gradient became non-finite at step \(state.step + 1); lower --lr", id: "train.diverged")
        }
        optimizer.update(params, lr: schedule.rate(at: state.step), gradScale: clipFactor(norm: norm, maxNorm: gradClip))
        state.step += 1
        tokensTrained += batch.weightedTokens
        stepSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        return MetricRow(step: state.step, trainLoss: loss, trainAccuracy: total > 0 ? Float(correct) / Float(total) : 0)
    }

    /// Mean loss and token accuracy over `batches` (weighted by their targets).
    func evaluate(_ batches: [Batch]) throws -> (loss: Float, accuracy: Float) {
        var loss = 0.0, weight = 0.0, correct = 0, total = 0
        for b in batches {
            let w = Double(b.weights.reduce(0, +))
            let l = try m.model.forward(b, acts, keepLogits: true)
            loss += Double(l) * w
            weight += w
            let (c, t) = acts.tokenAccuracy(b)
            correct += c
            total += t
        }
        return (weight > 0 ? Float(loss / weight) : 0, total > 0 ? Float(correct) / Float(total) : 0)
    }

    func snapshot() -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for p in m.model.trainableParameters { out[p.name] = Array(p.values) }
        return out
    }

    func restore(_ values: [String: [Float]]) {
        for p in m.model.trainableParameters {
            guard let v = values[p.name], v.count == p.count else { continue }
            v.withUnsafeBufferPointer { p.value.update(from: $0.baseAddress!, count: p.count) }
        }
    }

    // MARK: the loop

    /// Trains until the planned steps, early stopping, `stopAt`, or Ctrl-C, writing metrics,
    /// checkpoints and weights as it goes. Returns the run's summary.
    func run(_ ctx: CommandContext, stopAt: Int? = nil) throws -> Record {
        let label = "train \(method.rawValue)"
        if !valid.isEmpty && state.initialValidLoss == nil {
            let (l, a) = try evaluate(valid)
            state.initialValidLoss = l
            state.initialValidAccuracy = a
            // The start is a candidate too: a step is "best" only if it beats the untrained
            // weights, and a run that never does keeps them (in memory until the end).
            state.bestLoss = l
            state.bestStep = 0
            state.sinceBest = 0
            bestValues = snapshot()
            ctx.print("step 0/\(totalSteps)  valid loss \(fmt(l))  valid accuracy \(pct(a))")
        }
        state.status = "running"
        while state.step < totalSteps {
            if Interrupt.isSet { state.status = "interrupted"; break }
            if let s = stopAt, state.step >= s { state.status = "paused"; break }
            var row = try trainStep()
            if ctx.isInteractive {
                let mean = stepSeconds.suffix(20).reduce(0, +) / Double(min(20, stepSeconds.count))
                let rate = mean > 0 ? Double(plan.batchSize * plan.length) / mean : 0
                let eta = ctx.clock.isFrozen ? "" : "  ETA " + SessionClock.format(seconds: mean * Double(totalSteps - state.step))
                ctx.progress(ProgressStatus(label: label, fraction: Double(state.step) / Double(totalSteps),
                                            detail: "step \(state.step)/\(totalSteps)  loss \(fmt(row.trainLoss))  lr "
                                                + String(format: "%.1e", schedule.rate(at: state.step - 1))
                                                + "  \(Int(rate)) tok/s" + eta))
            }
            var stop = false
            if !valid.isEmpty && (state.step % evalEvery == 0 || state.step == totalSteps) {
                let (l, a) = try evaluate(valid)
                row.validLoss = l
                row.validAccuracy = a
                let improved = state.bestLoss.map { l < $0 } ?? true
                if improved {
                    state.bestLoss = l
                    state.bestStep = state.step
                    state.sinceBest = 0
                    bestValues = snapshot()
                    try method.save(m, to: folder.path + "/best")
                } else {
                    state.sinceBest += 1
                }
                ctx.progress(nil)
                ctx.print("step \(state.step)/\(totalSteps)  train loss \(fmt(row.trainLoss))  valid loss \(fmt(l))  "
                          + "valid accuracy \(pct(a))" + (improved ? "  (best)" : ""))
                if let p = patience, state.sinceBest >= p {
                    state.status = "early-stop"
                    stop = true
                }
                metrics.append(row)
                try checkpoint()
            } else {
                metrics.append(row)
                if state.step % 50 == 0 { try folder.writeMetrics(metrics) }
            }
            if stop { break }
        }
        ctx.progress(nil)
        // Early stopping that fires at the last step changed nothing: the run completed.
        if state.status == "running" || (state.status == "early-stop" && state.step == totalSteps) { state.status = "completed" }
        try checkpoint()
        if state.step > 0 { try method.save(m, to: folder.path + "/final") }
        if let best = bestValues, state.bestStep != state.step { restore(best) }
        if state.bestStep == 0, state.step > 0 {
            // No step improved on the start: the best weights are the starting ones.
            try method.save(m, to: folder.path + "/best")
            ctx.report(Diagnostic(.warning, "no step improved on the starting validation loss \(fmt(state.initialValidLoss ?? 0)); "
                                  + "the run's best weights are its starting weights", id: "train.no-improvement",
                                  notes: ["try a smaller --lr, or check that the validation data resembles the training data"]))
        }
        return summary(ctx)
    }

    func checkpoint() throws(Diagnostic) {
        try folder.writeMetrics(metrics)
        try folder.writeCheckpoint(model: m.model, optimizer: optimizer, state: state,
                                   best: state.bestStep == state.step ? nil : bestValues)
    }

    func summary(_ ctx: CommandContext) -> Record {
        let model = m.model
        func n(_ x: Float?) -> Value { x.map { .number(Double($0)) } ?? .null }
        let lastValid = metrics.last { $0.validLoss != nil }
        var r: Record = [
            "run": .string(display), "method": .string(method.rawValue), "status": .string(state.status),
            "steps": .int(state.step), "total_steps": .int(totalSteps),
            "initial_valid_loss": n(state.initialValidLoss), "best_valid_loss": n(state.bestLoss),
            "best_step": state.bestStep.map { .int($0) } ?? .null, "final_valid_loss": n(lastValid?.validLoss),
            "final_train_loss": n(metrics.last?.trainLoss),
            "trainable": .int(model.trainableCount), "all": .int(model.parameterCount),
            "peft_line": .string(LocalGPT.trainableLine(trainable: model.trainableCount, all: model.parameterCount)),
            "optimizer_bytes": .int(8 * model.trainableCount),
        ]
        let timed = !ctx.isCheckMode && !stepSeconds.isEmpty
        let sorted = stepSeconds.sorted()
        r["seconds_per_step"] = timed ? .number(sorted[sorted.count / 2]) : .null
        r["tokens_per_second"] = timed ? .number(Double(plan.batchSize * plan.length) / max(1e-9, sorted[sorted.count / 2])) : .null
        return r
    }

    func fmt(_ x: Float) -> String { String(format: "%.4f", x) }
    func pct(_ x: Float) -> String { String(format: "%.1f%%", 100 * x) }
}
