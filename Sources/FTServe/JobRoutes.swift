import FTCore
import Foundation
import Hummingbird

/// `/fine_tuning/jobs`: creating jobs (checked as the API checks them), listing, and the
/// state changes a caller may ask for.
extension Routes {
    func job(_ ctx: Context) throws(APIError) -> JobRecord {
        let id = ctx.parameters.get("id") ?? ""
        guard let j = store.job(id) else { throw Self.jobNotFound(id) }
        return j
    }

    /// A `fine-tune` file, or the error the API gives for it.
    func trainingFile(_ id: String, param: String) throws(APIError) {
        guard let f = store.file(id) else {
            throw .invalid("Invalid file ID: \(id) does not exist (\(param)).", param: param, code: "invalid_\(param)")
        }
        guard f.purpose == "fine-tune" else {
            throw .invalid("File \(id) has purpose '\(f.purpose)', not 'fine-tune'.", param: param, code: "invalid_\(param)")
        }
    }

    func createJob(_ req: Request) async throws -> JobRecord {
        let f = try await fields(req)
        let model = try f.string("model", required: true) ?? ""
        if model.hasPrefix("ft:") {
            throw APIError.invalid("Continuing training from a fine-tuned model is not supported by ftsh serve; give a base model ("
                                   + catalog.bases.keys.sorted().joined(separator: ", ") + ").", param: "model", code: "model_not_available")
        }
        guard catalog.bases[model] != nil else {
            let known = catalog.bases.keys.sorted()
            throw APIError.invalid("Model \(model) is not available for fine-tuning on this server. Available: "
                                   + (known.isEmpty ? "none (start ftsh serve with --model NAME=FOLDER)" : known.joined(separator: ", ")) + ".",
                                   param: "model", code: "model_not_available")
        }
        let training = try f.string("training_file", required: true) ?? ""
        try trainingFile(training, param: "training_file")
        let validation = try f.string("validation_file")
        if let validation {
            try trainingFile(validation, param: "validation_file")
            guard validation != training else {
                throw APIError.invalid("The validation file must differ from the training file.", param: "validation_file",
                                       code: "invalid_validation_file")
            }
        }
        let suffix = try f.string("suffix")
        if let s = suffix {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
            guard (1...64).contains(s.count), s.allSatisfy(allowed.contains) else {
                throw APIError.invalid("'suffix' must be 1 to 64 letters, digits, '-', '_' or '.'.", param: "suffix", code: "invalid_value")
            }
        }
        let seedGiven = try f.integer("seed", in: 0...2_147_483_647)
        let metadata = try checkedMetadata(f)
        let methodName = metadata?["ftsh_method"]?.stringValue ?? "lora"
        guard let method = LocalMethod(rawValue: methodName) else {
            throw APIError.invalid("metadata.ftsh_method '\(methodName)' is not one of "
                                   + LocalMethod.allCases.map(\.rawValue).joined(separator: ", ") + ".", param: "metadata", code: "invalid_value")
        }
        if let list = f.record["integrations"]?.listValue, !list.isEmpty {
            throw APIError.invalid("Integrations (such as wandb) are not supported by ftsh serve.", param: "integrations",
                                   code: "unsupported_parameter")
        }
        // Hyperparameters: method.supervised.hyperparameters, or the deprecated top-level field.
        var hp = try f.object("hyperparameters")
        var prefix = "hyperparameters."
        if let m = try f.object("method") {
            let type = try m.string("type", required: true, prefix: "method.") ?? ""
            guard type == "supervised" else {
                throw APIError.invalid(["dpo", "reinforcement"].contains(type)
                                       ? "Method '\(type)' is not supported by ftsh serve; use 'supervised' (pick the local method with metadata.ftsh_method)."
                                       : "'\(type)' is not one of ['supervised', 'dpo', 'reinforcement'] - 'method.type'",
                                       param: "method.type", code: "unsupported_method")
            }
            if let s = try m.object("supervised", prefix: "method."), let h = try s.object("hyperparameters", prefix: "method.supervised.") {
                hp = h
                prefix = "method.supervised.hyperparameters."
            }
        }
        let epochs = try hp?.autoOrInteger("n_epochs", in: 1...50, prefix: prefix)
        let batch = try hp?.autoOrInteger("batch_size", in: 1...256, prefix: prefix)
        let lrm = try hp?.autoOrPositive("learning_rate_multiplier", prefix: prefix)
        let (id, number) = try store.numberedID("ftjob-")
        var seed = seedGiven ?? 0
        if seedGiven == nil {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in id.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            seed = Int(h % 2_147_483_648)
        }
        var job = JobRecord(id: id, createdAt: store.now, model: model, trainingFile: training, validationFile: validation,
                            suffix: suffix, seed: seed, metadata: metadata, localMethod: method.rawValue,
                            epochs: epochs, batchSize: batch, learningRateMultiplier: lrm)
        job.number = number
        try store.addJob(job)
        store.event(id, "Created fine-tuning job: \(id)")
        store.event(id, "Validating training file: \(training)" + (validation.map { " and validation file: \($0)" } ?? ""))
        runner.validate(id)
        return store.job(id) ?? job
    }

    /// `metadata`: at most 16 string pairs, keys up to 64 characters, values up to 512.
    func checkedMetadata(_ f: RequestFields) throws(APIError) -> Record? {
        guard let m = try f.object("metadata") else { return nil }
        guard m.record.count <= 16 else { throw .invalid("'metadata' holds more than 16 pairs.", param: "metadata", code: "invalid_value") }
        for (k, v) in m.record {
            guard k.count <= 64, let s = v.stringValue, s.count <= 512 else {
                throw .invalid("'metadata' keys must be up to 64 characters and values strings up to 512.", param: "metadata",
                               code: "invalid_value")
            }
        }
        return m.record
    }

    func listJobs(_ req: Request) throws -> Response {
        var jobs = store.allJobs()
        var wanted: [(String, String)] = []
        for (k, v) in req.uri.queryParameters where k.hasPrefix("metadata[") && k.hasSuffix("]") {
            wanted.append((String(k.dropFirst(9).dropLast()), String(v)))
        }
        if query(req, "metadata") == "null" { jobs = jobs.filter { $0.metadata == nil } }
        if !wanted.isEmpty {
            jobs = jobs.filter { j in wanted.allSatisfy { j.metadata?[$0.0]?.stringValue == $0.1 } }
        }
        return Self.json(try page(jobs.map { ($0.id, $0.value) }, req, defaultLimit: 20, maxLimit: 100, ends: false))
    }

    func cancel(_ id: String) throws(APIError) -> JobRecord {
        let j = try store.updateJob(id) { j throws(APIError) in
            guard !j.isTerminal else {
                throw .invalid("Job \(id) has already \(j.status == "succeeded" ? "succeeded" : j.status); it cannot be cancelled.",
                               param: "fine_tuning_job_id", code: "invalid_state")
            }
            j.status = "cancelled"
            j.finishedAt = store.now
        }
        store.event(id, "Fine-tuning job cancelled")
        return store.job(id) ?? j
    }

    func pause(_ id: String) throws(APIError) -> JobRecord {
        let j = try store.updateJob(id) { j throws(APIError) in
            guard j.status == "running" || j.status == "queued" else {
                throw .invalid("Job \(id) is \(j.status); only a running or queued job can be paused.", param: "fine_tuning_job_id",
                               code: "invalid_state")
            }
            j.status = "paused"
        }
        store.event(id, "Fine-tuning job paused")
        return store.job(id) ?? j
    }

    func resume(_ id: String) throws(APIError) -> JobRecord {
        let j = try store.updateJob(id) { j throws(APIError) in
            guard j.status == "paused" else {
                throw .invalid("Job \(id) is \(j.status); only a paused job can be resumed.", param: "fine_tuning_job_id",
                               code: "invalid_state")
            }
            j.status = "queued"
        }
        store.event(id, "Fine-tuning job resumed")
        runner.enqueue(id)
        // The answer is the job as this request left it: the trainer may already have taken it.
        return j
    }
}
