import FTCore
import FTEngine
import Foundation
import ModelPlugin

extension MetricRow {
    /// The `data` of a metrics event and the `metrics` of a checkpoint (validation keys only
    /// when there was a validation).
    func data(totalSteps: Int?) -> Record {
        var r: Record = ["step": .int(step)]
        if let totalSteps { r["total_steps"] = .int(totalSteps) }
        r["train_loss"] = .number(Double(trainLoss))
        r["train_mean_token_accuracy"] = .number(Double(trainAccuracy))
        if let validLoss { r["valid_loss"] = .number(Double(validLoss)) }
        if let validAccuracy { r["valid_mean_token_accuracy"] = .number(Double(validAccuracy)) }
        return r
    }
}

/// What the runner tells a training loop between steps.
enum TrainingControl: Sendable { case proceed, pause, cancel }

/// A job's training: the base model with the method applied, the tokenized data and the plan
/// (epochs × steps of one batch each, a linear learning-rate decay, AdamW with the gradient
/// norm clipped to 1). The order of examples in each epoch is a seeded shuffle, so a job that
/// stops (pause, restart) and starts again from its saved state sees the batches an
/// uninterrupted one would.
final class JobTraining {
    let method: LocalMethod
    let m: LocalGPT
    let train: [TokenizedExample]
    let valid: [TokenizedExample]
    let batchSize: Int
    let length: Int
    let epochs: Int
    let seed: UInt64
    let learningRate: Float
    let stepsPerEpoch: Int
    let totalSteps: Int
    let evalEvery: Int
    let optimizer = AdamW(weightDecay: 0)
    let acts: Activations
    var step = 0
    var rows: [MetricRow] = []
    var tokens = 0

    init(method: LocalMethod, base: LocalGPT, train: [TokenizedExample], valid: [TokenizedExample],
         epochs: Int, batchSize: Int, learningRate: Double, seed: UInt64) throws(Diagnostic) {
        self.method = method
        let model = try base.baseCopy()
        try method.apply(to: model, tokenizer: base.tokenizer, seed: seed)
        m = LocalGPT(model: model, tokenizer: base.tokenizer, tokenizerFiles: base.tokenizerFiles, source: base.source,
                     baseReference: base.baseReference, method: method.rawValue)
        let virtual = model.prompt?.shape[0] ?? 0
        let longest = (train + valid).map(\.ids.count).max() ?? 2
        length = max(1, min(longest - 1, model.config.contextLength - virtual))
        // Examples whose learned tokens all lie past the cut teach nothing.
        let keeps: (TokenizedExample) -> Bool = { [length] ex in ex.weights.prefix(length + 1).dropFirst().contains { $0 != 0 } }
        self.train = train.filter(keeps)
        self.valid = Array(valid.filter(keeps).prefix(256))
        guard !self.train.isEmpty else {
            throw .error("no training example has an assistant answer within the model's context of \(model.config.contextLength) tokens",
                         id: "train.no-trainable-tokens")
        }
        self.batchSize = min(batchSize, self.train.count)
        self.epochs = epochs
        self.seed = seed
        self.learningRate = Float(learningRate)
        stepsPerEpoch = (self.train.count + self.batchSize - 1) / self.batchSize
        totalSteps = epochs * stepsPerEpoch
        evalEvery = max(1, min(stepsPerEpoch, (totalSteps + 9) / 10))
        acts = Activations(model: model, batchSize: self.batchSize, length: length)
    }

    var pad: Int { m.endOfText ?? 0 }

    /// The batches: the same plan as `train` in the shell (a seeded shuffle per epoch).
    var plan: BatchPlan { BatchPlan(examples: train, batchSize: batchSize, length: length, pad: pad, seed: seed) }

    func rate(at step: Int) -> Float {
        learningRate * Float(totalSteps - step) / Float(max(1, totalSteps))
    }

    func trainStep() throws(Diagnostic) -> MetricRow {
        let rows = plan.rows(step: step)
        let b = Batch.from(sequences: rows.map(\.ids), weights: rows.map(\.weights), length: length, pad: pad)
        let loss = try m.model.forward(b, acts)
        let (c, t) = acts.tokenAccuracy(b)
        m.model.backward(acts)
        let params = m.model.trainableParameters
        let norm = gradientNorm(params)
        guard norm.isFinite else {
            throw .error("the gradient became non-finite at step \(step + 1); lower learning_rate_multiplier", id: "train.diverged")
        }
        optimizer.update(params, lr: rate(at: step), gradScale: clipFactor(norm: norm, maxNorm: 1))
        step += 1
        tokens += rows.reduce(0) { $0 + min($1.ids.count, length + 1) }
        return MetricRow(step: step, trainLoss: loss, trainAccuracy: t > 0 ? Float(c) / Float(t) : 0)
    }

    /// Mean loss and token accuracy over the validation examples.
    func evaluate() throws(Diagnostic) -> (Float, Float) {
        var loss = 0.0, weight = 0.0, correct = 0, total = 0
        for b in BatchPlan.evaluationBatches(valid, batchSize: batchSize, length: length, pad: pad) {
            let w = Double(b.weights.reduce(0, +))
            loss += Double(try m.model.forward(b, acts, keepLogits: true)) * w
            weight += w
            let (c, t) = acts.tokenAccuracy(b)
            correct += c
            total += t
        }
        return (weight > 0 ? Float(loss / weight) : 0, total > 0 ? Float(correct) / Float(total) : 0)
    }

    /// Trains until the plan ends or `control` says otherwise; `onRow` sees every step and
    /// `onEpoch` every finished epoch. Returns what stopped it.
    func run(control: () -> TrainingControl, onRow: (MetricRow) -> Void,
             onEpoch: (_ epoch: Int, _ row: MetricRow) throws(Diagnostic) -> Void) throws(Diagnostic) -> TrainingControl {
        while step < totalSteps {
            let c = control()
            if c != .proceed { return c }
            var row = try trainStep()
            let epochEnd = step % stepsPerEpoch == 0
            if !valid.isEmpty && (step % evalEvery == 0 || epochEnd) {
                let (l, a) = try evaluate()
                row.validLoss = l
                row.validAccuracy = a
            }
            rows.append(row)
            onRow(row)
            if epochEnd { try onEpoch(step / stepsPerEpoch, row) }
        }
        return .proceed
    }

    // MARK: saved state

    /// Saves what a later run needs to carry on exactly: trained values, AdamW moments, the
    /// step, the metrics so far and the tokens counted.
    func saveState(to dir: String) throws(Diagnostic) {
        let (weights, moments) = TrainingCheckpoint.encode(m.model, optimizer)
        let state: Value = .record(["step": .int(step), "tokens": .int(tokens), "total_steps": .int(totalSteps)])
        let csv = ([MetricRow.header] + rows.map(\.csv)).joined(separator: "\n") + "\n"
        try HFCheckpoint.writeFolder(dir, files: [
            ("state.json", Data((JSON.encode(state, indent: 2) + "\n").utf8)),
            ("metrics.csv", Data(csv.utf8)),
            ("trainable.safetensors", weights),
            ("optimizer.safetensors", moments),
        ], overwrite: true)
    }

    /// Restores `saveState`'s folder, if there is one; returns whether it did.
    func loadState(from dir: String) throws(Diagnostic) -> Bool {
        guard let text = try? String(contentsOfFile: dir + "/state.json", encoding: .utf8) else { return false }
        let state = try JSON.decode(text, file: dir + "/state.json")
        guard state["total_steps"]?.intValue == totalSteps else {
            throw .error("the saved training state plans \(state["total_steps"]?.intValue ?? 0) steps, this job \(totalSteps)",
                         id: "serve.bad-state")
        }
        step = state["step"]?.intValue ?? 0
        tokens = state["tokens"]?.intValue ?? 0
        try TrainingCheckpoint.restore(m.model, optimizer, from: dir, step: step) { name, _ in
            .error("the saved training state lacks \(name)", id: "serve.bad-state")
        }
        let csv = (try? String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8)) ?? ""
        rows = csv.split(separator: "\n").dropFirst().compactMap(MetricRow.init(csv:))
        return true
    }
}
