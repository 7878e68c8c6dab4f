import FTCore
import FTEngine
import Foundation

/// Where a run stands, saved with each checkpoint so `train resume` carries on exactly.
struct RunState: Sendable, Equatable {
    var step = 0
    var bestLoss: Float?
    var bestStep: Int?
    /// Evaluations since the best one (early stopping's count).
    var sinceBest = 0
    var initialValidLoss: Float?
    var initialValidAccuracy: Float?
    /// completed, early-stop, interrupted, paused, or running.
    var status = "running"

    var record: Record {
        func n(_ x: Float?) -> Value { x.map { .number(Double($0)) } ?? .null }
        return ["step": .int(step), "best_valid_loss": n(bestLoss), "best_step": bestStep.map { .int($0) } ?? .null,
                "evals_since_best": .int(sinceBest), "initial_valid_loss": n(initialValidLoss),
                "initial_valid_accuracy": n(initialValidAccuracy), "status": .string(status)]
    }

    init() {}

    init(_ r: Record) {
        step = r["step"]?.intValue ?? 0
        bestLoss = r["best_valid_loss"]?.numberValue.map(Float.init)
        bestStep = r["best_step"]?.intValue
        sinceBest = r["evals_since_best"]?.intValue ?? 0
        initialValidLoss = r["initial_valid_loss"]?.numberValue.map(Float.init)
        initialValidAccuracy = r["initial_valid_accuracy"]?.numberValue.map(Float.init)
        status = r["status"]?.stringValue ?? "running"
    }
}

/// The files of a run folder:
/// - `config.json`: the resolved configuration (method, options, base, data, hyperparameters);
/// - `metrics.csv`: per-step losses and accuracies;
/// - `data/train.jsonl`, `data/valid.jsonl`: the examples trained and evaluated on;
/// - `checkpoint/`: `state.json`, `trainable.safetensors` (current trained tensors),
///   `optimizer.safetensors` (AdamW moments as NAME.exp_avg / NAME.exp_avg_sq) and, when the best
///   step is an earlier one, `best.safetensors`;
/// - `best/`, `final/`: the weights at the lowest validation loss and at the last step, in the
///   method's format (HF folder, PEFT adapter folder, or ftsh weights folder);
/// - `base/`: the base model, when it exists only in the session that started the run.
struct RunFolder {
    let path: String

    var configPath: String { path + "/config.json" }
    var metricsPath: String { path + "/metrics.csv" }
    var checkpointPath: String { path + "/checkpoint" }

    func writeConfig(_ r: Record) throws(Diagnostic) {
        try AtomicFile.write(JSON.encode(.record(r), indent: 2) + "\n", to: configPath, overwrite: true)
    }

    func readConfig(display: String) throws(Diagnostic) -> Record {
        guard let text = try? String(contentsOfFile: configPath, encoding: .utf8) else {
            throw .error("\(display) is not a run folder (no config.json)", id: "train.not-a-run")
        }
        guard let r = try JSON.decode(text, file: display + "/config.json").recordValue, r["format"]?.stringValue == "ftsh-run" else {
            throw .error("\(display)/config.json is not an ftsh run configuration", id: "train.not-a-run")
        }
        return r
    }

    func writeMetrics(_ rows: [MetricRow]) throws(Diagnostic) {
        let text = ([MetricRow.header] + rows.map(\.csv)).joined(separator: "\n") + "\n"
        try AtomicFile.write(text, to: metricsPath, overwrite: true)
    }

    func readMetrics() -> [MetricRow] {
        guard let text = try? String(contentsOfFile: metricsPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap(MetricRow.init(csv:))
    }

    /// Saves the resumable state: trainable values, AdamW moments, the run state and the best
    /// values when they differ from the current ones.
    func writeCheckpoint(model: GPTModel, optimizer: AdamW, state: RunState, best: [String: [Float]]?) throws(Diagnostic) {
        let (weights, moments) = TrainingCheckpoint.encode(model, optimizer)
        var files: [(String, Data)] = [
            ("state.json", Data((JSON.encode(.record(state.record), indent: 2) + "\n").utf8)),
            ("trainable.safetensors", weights),
            ("optimizer.safetensors", moments),
        ]
        if let best {
            var arrays: [(Parameter, [Float])] = []
            for p in model.trainableParameters { if let v = best[p.name] { arrays.append((p, v)) } }
            let data = arrays.withUnsafeBufferTensors { SafetensorsFile.encode($0) }
            files.append(("best.safetensors", data))
        } else {
            try? FileManager.default.removeItem(atPath: checkpointPath + "/best.safetensors")
        }
        try HFCheckpoint.writeFolder(checkpointPath, files: files, overwrite: true)
    }

    /// Restores what `writeCheckpoint` saved into a model set up the same way.
    func readCheckpoint(model: GPTModel, optimizer: AdamW, display: String) throws(Diagnostic) -> (RunState, [String: [Float]]?) {
        let dir = checkpointPath
        guard let text = try? String(contentsOfFile: dir + "/state.json", encoding: .utf8),
              let r = try JSON.decode(text, file: display + "/checkpoint/state.json").recordValue else {
            throw .error("\(display) has no checkpoint to resume from", id: "train.no-checkpoint")
        }
        let state = RunState(r)
        try TrainingCheckpoint.restore(model, optimizer, from: dir, step: state.step) { name, shape in
            .error("\(display)/checkpoint lacks \(name) with shape \(shape)", id: "train.bad-checkpoint",
                   notes: ["the run's configuration and its checkpoint disagree"])
        }
        let params = model.trainableParameters
        var best: [String: [Float]]?
        if FileManager.default.fileExists(atPath: dir + "/best.safetensors") {
            let file = try SafetensorsFile(path: dir + "/best.safetensors")
            var b: [String: [Float]] = [:]
            for p in params where file.entries[p.name] != nil { b[p.name] = try file.floats(p.name) }
            best = b
        }
        return (state, best)
    }
}

extension Array where Element == (Parameter, [Float]) {
    /// Safetensors views of in-memory copies, valid inside `body`.
    func withUnsafeBufferTensors<R>(_ body: ([SafetensorsFile.Tensor]) -> R) -> R {
        var tensors: [SafetensorsFile.Tensor] = []
        var holders: [UnsafeMutableBufferPointer<Float>] = []
        for (p, values) in self {
            let buf = UnsafeMutableBufferPointer<Float>.allocate(capacity: Swift.max(values.count, 1))
            _ = buf.initialize(from: values)
            holders.append(buf)
            tensors.append(.init(name: p.name, shape: p.shape, values: UnsafeBufferPointer(start: buf.baseAddress, count: values.count)))
        }
        defer { for h in holders { h.deallocate() } }
        return body(tensors)
    }
}
