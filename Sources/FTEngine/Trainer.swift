import FTCore
import Foundation

/// Settings of a training run.
public struct TrainingOptions: Sendable, Equatable {
    public var steps: Int
    public var schedule: LRSchedule
    public var weightDecay: Float
    public var beta1: Float, beta2: Float, eps: Float
    /// Clip the global gradient norm to this (nil: no clipping).
    public var gradClip: Float?
    /// Evaluate every this many steps when an evaluation set is given (0: only at the end).
    public var evalEvery: Int

    public init(steps: Int, learningRate: Float = 3e-4, warmupSteps: Int = 0,
                decay: LRSchedule.Decay = .cosine, minLRRatio: Float = 0.1, weightDecay: Float = 0.01,
                beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, gradClip: Float? = 1.0, evalEvery: Int = 0) {
        self.steps = steps
        schedule = LRSchedule(peak: learningRate, warmupSteps: warmupSteps, totalSteps: steps, decay: decay,
                              minRatio: minLRRatio)
        self.weightDecay = weightDecay
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        self.gradClip = gradClip
        self.evalEvery = evalEvery
    }
}

/// What one optimizer step did.
public struct StepReport: Sendable, Equatable {
    /// 1-based step number.
    public var step: Int
    public var totalSteps: Int
    /// Mean loss over the step's weighted targets.
    public var loss: Float
    public var learningRate: Float
    /// Global gradient norm before clipping.
    public var gradNorm: Float
    /// Targets that counted towards the loss.
    public var tokens: Int
    public var seconds: Double
    public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
}

/// Progress of a run, in order: steps, evaluations, then exactly one `.finished`.
public enum TrainingEvent: Sendable, Equatable {
    case step(StepReport)
    case evaluation(step: Int, loss: Float)
    case finished(steps: Int, stopped: Bool)
}

public enum TrainingControl: Sendable { case proceed, stop }

/// Runs optimizer steps on a model: forward and backward over one or more micro-batches,
/// gradient clipping, AdamW at the scheduled rate. Buffers are made once per batch shape.
public final class Trainer: @unchecked Sendable {
    public let model: GPTModel
    public let optimizer: AdamW
    public var options: TrainingOptions
    /// Steps taken so far.
    public private(set) var stepsDone = 0
    /// Seed of the LoRA dropout masks: step s, micro-batch i draws from `dropoutSeed(step:micro:)`,
    /// so a resumed run draws the masks an uninterrupted one would.
    public var dropoutSeed: UInt64 = 0
    private var acts: Activations?

    public init(model: GPTModel, options: TrainingOptions) {
        self.model = model
        self.options = options
        optimizer = AdamW(beta1: options.beta1, beta2: options.beta2, eps: options.eps, weightDecay: options.weightDecay)
    }

    /// Continues a saved run: `steps` optimizer steps were taken (moments restored separately
    /// through `optimizer.momentBuffers`), so the schedule and bias correction carry on from there.
    public func restore(stepsDone steps: Int) {
        stepsDone = steps
        optimizer.restore(step: steps)
    }

    func activations(for batch: Batch) -> Activations {
        if let a = acts, a.batchSize == batch.size, a.length == batch.length, a.fits(model) { return a }
        acts = nil // free the old buffers before making new ones
        let a = Activations(model: model, batchSize: batch.size, length: batch.length)
        acts = a
        return a
    }

    /// One optimizer step over `microBatches` (gradients accumulated, each weighted by its share
    /// of the weighted targets, so the step sees one mean over all of them).
    public func step(_ microBatches: [Batch]) throws(Diagnostic) -> StepReport {
        guard !microBatches.isEmpty else { throw .error("a training step needs at least one batch", id: "train.empty-batch") }
        let start = DispatchTime.now().uptimeNanoseconds
        let totalWeight = microBatches.reduce(Float(0)) { $0 + $1.weights.reduce(0, +) }
        let tokens = microBatches.reduce(0) { $0 + $1.weightedTokens }
        var loss: Float = 0
        for (i, b) in microBatches.enumerated() {
            let a = activations(for: b)
            let l = try model.forward(b, a, dropoutSeed: Trainer.dropoutSeed(dropoutSeed, step: stepsDone, micro: i))
            let share = totalWeight > 0 ? b.weights.reduce(0, +) / totalWeight : 0
            model.backward(a, accumulate: i > 0, lossScale: share)
            loss += l * share
        }
        let params = model.trainableParameters
        let norm = gradientNorm(params)
        guard norm.isFinite else {
            throw .error("gradient became non-finite at step \(stepsDone + 1); lower the learning rate", id: "train.diverged")
        }
        let lr = options.schedule.rate(at: stepsDone)
        optimizer.weightDecay = options.weightDecay
        optimizer.update(params, lr: lr, gradScale: clipFactor(norm: norm, maxNorm: options.gradClip))
        stepsDone += 1
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return StepReport(step: stepsDone, totalSteps: options.steps, loss: loss, learningRate: lr, gradNorm: norm,
                          tokens: tokens, seconds: seconds)
    }

    /// The mask seed of one training forward pass: a function of the run's seed and the position
    /// in the run only, never of what ran before.
    public static func dropoutSeed(_ seed: UInt64, step: Int, micro: Int = 0) -> UInt64 {
        SeededRandom(seed: seed).derived("lora-dropout step \(step) micro \(micro)").seed
    }

    /// Mean loss over `batches` (weighted by their targets) without touching gradients.
    public func evaluate(_ batches: [Batch]) throws(Diagnostic) -> Float {
        var total: Float = 0, weight: Float = 0
        for b in batches {
            let w = b.weights.reduce(0, +)
            total += try model.forward(b, activations(for: b)) * w
            weight += w
        }
        return weight > 0 ? total / weight : 0
    }

    /// Trains until `options.steps`, asking `nextBatch(step)` for each step's micro-batches.
    /// `onEvent` sees every event and may stop the run; Ctrl-C (FTCore `Interrupt`) also stops it
    /// between steps. Returns the number of steps taken in this call.
    @discardableResult
    public func run(nextBatch: (Int) throws(Diagnostic) -> [Batch], evaluation: [Batch] = [],
                    onEvent: (TrainingEvent) -> TrainingControl) throws(Diagnostic) -> Int {
        let first = stepsDone
        var stopped = false
        while stepsDone < options.steps {
            if Interrupt.isSet { stopped = true; break }
            let report = try step(nextBatch(stepsDone))
            if onEvent(.step(report)) == .stop { stopped = true; break }
            let every = options.evalEvery
            if !evaluation.isEmpty, every > 0, stepsDone % every == 0, stepsDone < options.steps {
                if onEvent(.evaluation(step: stepsDone, loss: try evaluate(evaluation))) == .stop { stopped = true; break }
            }
        }
        if !evaluation.isEmpty && !stopped {
            _ = onEvent(.evaluation(step: stepsDone, loss: try evaluate(evaluation)))
        }
        _ = onEvent(.finished(steps: stepsDone, stopped: stopped))
        return stepsDone - first
    }
}
