import FTCore
import FTEngine
import FTData
import Foundation
import ModelPlugin

/// Moves jobs through `validating_files → queued → running → succeeded | failed | cancelled`
/// (and `paused`). Files are checked on a queue of their own, so a new job is validated at
/// once even while another trains; training happens on one thread, one job at a time, in the
/// order jobs were queued. Pause and cancel change the job's status in the store; the
/// training loop reads it between steps.
final class JobRunner: @unchecked Sendable {
    let store: Store
    let catalog: ModelCatalog
    private let condition = NSCondition()
    private var queue: [String] = []
    private var stopping = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private let validation = DispatchQueue(label: "ftsh.serve.validation")
    /// Checkpoints kept per job (the last epochs'), as the API keeps the last three.
    static let keptCheckpoints = 3
    /// Called on the training thread after each step is recorded (tests use it to act at a
    /// known step). Set before `start`.
    var afterStep: (@Sendable (_ job: String, _ step: Int) -> Void)?

    init(store: Store, catalog: ModelCatalog) {
        self.store = store
        self.catalog = catalog
    }

    /// Starts the training thread and picks up jobs a previous run left unfinished: a job that
    /// was training carries on from its last saved state (the end of its last epoch, or where
    /// it was paused or the server was stopped).
    func start() {
        for job in store.allJobs().reversed() {
            switch job.status {
            case "validating_files": validate(job.id)
            case "queued": enqueue(job.id)
            case "running":
                let step = savedStep(job.id)
                _ = try? store.updateJob(job.id) { $0.status = "queued" }
                store.event(job.id, "The server restarted; the job continues from step \(step) of \(job.totalSteps).")
                enqueue(job.id)
            default: break
            }
        }
        let t = Thread { [weak self] in
            self?.trainLoop()
            self?.finished.signal()
        }
        t.name = "ftsh-serve-trainer"
        t.stackSize = 8 << 20
        thread = t
        t.start()
    }

    /// Stops after the current step; a job in progress saves its state and stays `running`, so
    /// the next start carries on with it.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        if thread != nil { finished.wait() }
        thread = nil
    }

    var isStopping: Bool { condition.lock(); defer { condition.unlock() }; return stopping }

    func trainingFolder(_ id: String) -> String { store.jobFolder(id) + "/train" }

    private func savedStep(_ id: String) -> Int {
        guard let t = try? String(contentsOfFile: trainingFolder(id) + "/state/state.json", encoding: .utf8),
              let v = try? JSON.decode(t) else { return 0 }
        return v["step"]?.intValue ?? 0
    }

    func enqueue(_ id: String) {
        condition.lock()
        queue.append(id)
        condition.signal()
        condition.unlock()
    }

    // MARK: validation

    func validate(_ id: String) {
        validation.async { [self] in
            guard let job = store.job(id), job.status == "validating_files" else { return }
            do throws(APIError) {
                let examples = try check(job.trainingFile, param: "training_file")
                if let v = job.validationFile { _ = try check(v, param: "validation_file") }
                let epochs = job.epochs ?? TrainingEstimate.defaultEpochs(examples: examples)
                let batch = job.batchSize ?? max(1, min(8, examples / 10))
                let updated = try store.updateJob(id) { j throws(APIError) in
                    guard j.status == "validating_files" else { return }
                    j.epochs = epochs
                    j.batchSize = batch
                    j.learningRateMultiplier = j.learningRateMultiplier ?? 1
                    j.totalSteps = epochs * ((examples + min(batch, examples) - 1) / min(batch, examples))
                    j.status = "queued"
                }
                guard updated.status == "queued" else { return }
                store.event(id, "Files validated, moving job to queued state")
                enqueue(id)
            } catch {
                fail(id, code: error.code ?? "invalid_training_file", message: error.message, param: error.param)
            }
        }
    }

    /// Checks a file with the data rules `data check` applies; returns its example count.
    private func check(_ fileID: String, param: String) throws(APIError) -> Int {
        let which = param == "training_file" ? "training" : "validation"
        guard store.file(fileID) != nil else {
            throw APIError.invalid("The job failed due to an invalid \(which) file. File \(fileID) no longer exists.",
                                   param: param, code: "invalid_\(param)")
        }
        var options = CheckOptions(parallelism: 1)
        options.isInterrupted = { false }
        let report: CheckReport
        do { report = try DataCheck.check(path: store.filePath(fileID), display: fileID, options: options) } catch {
            throw APIError.invalid("The job failed due to an invalid \(which) file. \((error as? Diagnostic)?.message ?? "\(error)")",
                                   param: param, code: "invalid_\(param)")
        }
        // A validation set only measures; it may be smaller than the ten examples training needs.
        let exempt: Set<String> = param == "validation_file" ? ["data.too-few-examples", "data.small-dataset"] : []
        if let bad = report.findings.first(where: { $0.severity == .error && !exempt.contains($0.id) }) {
            let line = bad.location.map { " (line \($0.line))" } ?? ""
            throw APIError.invalid("The job failed due to an invalid \(which) file. Invalid file format\(line): \(bad.message) [\(bad.id)]",
                                   param: param, code: "invalid_\(param)")
        }
        if report.format == .preference {
            throw APIError.invalid("The job failed due to an invalid \(which) file. It holds preference (DPO) pairs; "
                                   + "supervised fine-tuning needs chat or prompt/completion examples.", param: param, code: "invalid_\(param)")
        }
        return report.examples
    }

    /// Fails a job; its last event says why. (Events come before the status, so a caller that
    /// sees the final status also sees the whole log.)
    private func fail(_ id: String, code: String, message: String, param: String?) {
        guard let job = store.job(id), !job.isTerminal else { return }
        store.event(id, message, level: "error")
        _ = try? store.updateJob(id) { j in
            guard !j.isTerminal else { return }
            j.status = "failed"
            j.finishedAt = store.now
            j.error = ["code": .string(code), "message": .string(message), "param": param.map { .string($0) } ?? .null]
        }
    }

    // MARK: training

    private func trainLoop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if stopping { condition.unlock(); return }
            let id = queue.removeFirst()
            condition.unlock()
            guard store.job(id)?.status == "queued" else { continue }
            do {
                try train(id)
            } catch let e as APIError {
                fail(id, code: e.code ?? "training_failed", message: e.message, param: e.param)
            } catch {
                let message = (error as? Diagnostic)?.message ?? "\(error)"
                fail(id, code: "training_failed", message: "The job failed during training: \(message)", param: nil)
            }
        }
    }

    /// Between steps: whether to go on, and claims a job that was resumed while it ran.
    private func control(_ id: String) -> TrainingControl {
        if isStopping { return .pause }
        switch store.job(id)?.status {
        case "running"?: return .proceed
        case "queued"?:
            _ = try? store.updateJob(id) { $0.status = "running" }
            return .proceed
        case "paused"?: return .pause
        default: return .cancel
        }
    }

    private func train(_ id: String) throws {
        guard var job = store.job(id) else { return }
        let method = LocalMethod(rawValue: job.localMethod) ?? .lora
        let base = try catalog.loadBase(job.model)
        func examples(_ fileID: String, _ param: String) throws -> [TokenizedExample] {
            let loaded = try DataLoader.load(path: store.filePath(fileID), display: fileID).dataset
            return loaded.examples.map { ChatLayout.tokenize($0.value, tokenizer: base.tokenizer, endOfText: base.endOfText) }
        }
        let trainSet = try examples(job.trainingFile, "training_file")
        let validSet = try job.validationFile.map { try examples($0, "validation_file") } ?? []
        let seed = UInt64(job.seed)
        let training = try JobTraining(method: method, base: base, train: trainSet, valid: validSet,
                                       epochs: job.epochs ?? 1, batchSize: job.batchSize ?? 1,
                                       learningRate: (job.learningRateMultiplier ?? 1) * method.baseLearningRate, seed: seed)
        let folder = trainingFolder(id)
        let resumed = try training.loadState(from: folder + "/state")
        // Loading took a while: the job may have been cancelled or paused meanwhile, and
        // that answer must stand.
        var claimed = false
        job = try store.updateJob(id) { j in
            guard j.status == "queued" || j.status == "running" else { return }
            j.status = "running"
            j.totalSteps = training.totalSteps
            j.stepsDone = training.step
            claimed = true
        }
        guard claimed else { return }
        if resumed {
            store.event(id, "Fine-tuning job resumed at step \(training.step)/\(training.totalSteps)")
        } else {
            store.event(id, "Fine-tuning job started")
            store.event(id, "\(method.rawValue) on \(job.model): "
                        + LocalGPT.trainableLine(trainable: training.m.model.trainableCount, all: training.m.model.parameterCount)
                        + "; \(training.train.count) examples × \(training.epochs) epochs, batch \(training.batchSize), "
                        + "\(training.totalSteps) steps")
        }
        let name = fineTunedName(job)
        let outcome = try training.run(control: { control(id) }, onRow: { row in
            var message = "Step \(row.step)/\(training.totalSteps): training loss=" + String(format: "%.2f", row.trainLoss)
            if let v = row.validLoss { message += ", validation loss=" + String(format: "%.2f", v) }
            store.event(id, message, data: row.data(totalSteps: training.totalSteps))
            _ = try? store.updateJob(id) { $0.stepsDone = row.step }
            afterStep?(id, row.step)
        }, onEpoch: { epoch, row throws(Diagnostic) in
            let dir = "ckpt-step-\(row.step)"
            try method.save(training.m, to: folder + "/" + dir)
            try training.saveState(to: folder + "/state")
            guard let ckptID = try? store.newID("ftckpt-") else { return }
            var metrics = row.data(totalSteps: nil)
            if let l = row.validLoss { metrics["full_valid_loss"] = .number(Double(l)) }
            if let a = row.validAccuracy { metrics["full_valid_mean_token_accuracy"] = .number(Double(a)) }
            let c = JobCheckpoint(id: ckptID, createdAt: store.now, model: name + ":ckpt-step-\(row.step)", jobID: id,
                                  step: row.step, metrics: metrics, folder: "train/" + dir)
            for old in store.addCheckpoint(id, c, keep: Self.keptCheckpoints) {
                try? FileManager.default.removeItem(atPath: store.jobFolder(id) + "/" + old.folder)
            }
            store.event(id, "Checkpoint created at step \(row.step) (epoch \(epoch))")
        })
        switch outcome {
        case .pause:
            try training.saveState(to: folder + "/state")
            if !isStopping { store.event(id, "Training paused at step \(training.step); its state is saved") }
        case .cancel:
            try? FileManager.default.removeItem(atPath: folder + "/state")
        case .proceed:
            try finish(id, training: training, method: method, name: name)
        }
    }

    /// The fine-tuned model's id, `ft:BASE:ftsh:SUFFIX:ID` (SUFFIX empty when none was given).
    func fineTunedName(_ job: JobRecord) -> String {
        "ft:\(job.model):\(ServeNames.owner):\(job.suffix ?? ""):\(job.id.suffix(8))"
    }

    private func finish(_ id: String, training: JobTraining, method: LocalMethod, name: String) throws {
        let folder = trainingFolder(id)
        try method.save(training.m, to: folder + "/model")
        let csv = ([MetricRow.header] + training.rows.map(\.csv)).joined(separator: "\n") + "\n"
        let result = try store.addFile(filename: "step_metrics.csv", purpose: "fine-tune-results", data: Data(csv.utf8))
        try? FileManager.default.removeItem(atPath: folder + "/state")
        store.event(id, "New fine-tuned model created: \(name)")
        store.event(id, "The job has successfully completed")
        try store.updateJob(id) { j in
            j.status = "succeeded"
            j.finishedAt = store.now
            j.fineTunedModel = name
            j.trainedTokens = training.tokens
            j.resultFiles = [result.id]
            j.stepsDone = training.step
        }
    }
}
