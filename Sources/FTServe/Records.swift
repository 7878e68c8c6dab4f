import FTCore

/// An uploaded file (or a result file the server made), as `OpenAIFile`.
struct FileRecord: Sendable {
    var id: String
    var bytes: Int
    var createdAt: Int
    var filename: String
    var purpose: String
    /// Order of creation (kept on disk, not shown).
    var number: Int

    var value: Value {
        .record(["id": .string(id), "object": "file", "bytes": .int(bytes), "created_at": .int(createdAt),
                 "filename": .string(filename), "purpose": .string(purpose), "status": "processed"])
    }

    var stored: Value {
        guard case .record(var r) = value else { return value }
        r["ftsh_number"] = .int(number)
        return .record(r)
    }

    init(id: String, bytes: Int, createdAt: Int, filename: String, purpose: String, number: Int) {
        self.number = number
        self.id = id
        self.bytes = bytes
        self.createdAt = createdAt
        self.filename = filename
        self.purpose = purpose
    }

    init?(_ v: Value) {
        guard let id = v["id"]?.stringValue, let b = v["bytes"]?.intValue, let c = v["created_at"]?.intValue,
              let f = v["filename"]?.stringValue, let p = v["purpose"]?.stringValue else { return nil }
        self.init(id: id, bytes: b, createdAt: c, filename: f, purpose: p, number: v["ftsh_number"]?.intValue ?? 0)
    }
}

/// One entry of a job's event log (`fine_tuning.job.event`).
struct JobEvent: Sendable {
    var id: String
    var createdAt: Int
    var level: String
    var message: String
    var data: Record?

    var value: Value {
        var r: Record = ["object": "fine_tuning.job.event", "id": .string(id), "created_at": .int(createdAt),
                         "level": .string(level), "message": .string(message), "type": data == nil ? "message" : "metrics"]
        if let data { r["data"] = .record(data) }
        return .record(r)
    }

    init(id: String, createdAt: Int, level: String, message: String, data: Record?) {
        self.id = id
        self.createdAt = createdAt
        self.level = level
        self.message = message
        self.data = data
    }

    init?(_ v: Value) {
        guard let id = v["id"]?.stringValue, let c = v["created_at"]?.intValue, let l = v["level"]?.stringValue,
              let m = v["message"]?.stringValue else { return nil }
        self.init(id: id, createdAt: c, level: l, message: m, data: v["data"]?.recordValue)
    }
}

/// A model saved at the end of an epoch (`fine_tuning.job.checkpoint`); its
/// `fine_tuned_model_checkpoint` id works as a model in chat completions.
struct JobCheckpoint: Sendable {
    var id: String
    var createdAt: Int
    var model: String
    var jobID: String
    var step: Int
    var metrics: Record
    /// The weights' folder, relative to the job's folder.
    var folder: String

    var value: Value {
        .record(["object": "fine_tuning.job.checkpoint", "id": .string(id), "created_at": .int(createdAt),
                 "fine_tuned_model_checkpoint": .string(model), "fine_tuning_job_id": .string(jobID),
                 "step_number": .int(step), "metrics": .record(metrics)])
    }

    var stored: Value {
        guard case .record(var r) = value else { return value }
        r["folder"] = .string(folder)
        return .record(r)
    }

    init(id: String, createdAt: Int, model: String, jobID: String, step: Int, metrics: Record, folder: String) {
        self.id = id
        self.createdAt = createdAt
        self.model = model
        self.jobID = jobID
        self.step = step
        self.metrics = metrics
        self.folder = folder
    }

    init?(_ v: Value) {
        guard let id = v["id"]?.stringValue, let c = v["created_at"]?.intValue,
              let m = v["fine_tuned_model_checkpoint"]?.stringValue, let j = v["fine_tuning_job_id"]?.stringValue,
              let s = v["step_number"]?.intValue, let f = v["folder"]?.stringValue else { return nil }
        self.init(id: id, createdAt: c, model: m, jobID: j, step: s, metrics: v["metrics"]?.recordValue ?? [:], folder: f)
    }
}

/// A fine-tuning job: what was asked, how it was resolved, and where it stands.
struct JobRecord: Sendable {
    var id: String
    var createdAt: Int
    var model: String
    var trainingFile: String
    var validationFile: String?
    var suffix: String?
    var seed: Int
    var metadata: Record?
    /// Order of creation (kept on disk, not shown).
    var number = 0
    /// The local method (lora, adapter, prompt, partial, full), from `metadata.ftsh_method`.
    var localMethod: String
    /// Requested hyperparameters; nil is "auto" until the files are validated.
    var epochs: Int?
    var batchSize: Int?
    var learningRateMultiplier: Double?
    var status: String
    var error: Record?
    var fineTunedModel: String?
    var finishedAt: Int?
    var trainedTokens: Int?
    var resultFiles: [String] = []
    var estimatedFinish: Int?
    /// Steps planned and done (0 until training starts).
    var totalSteps = 0
    var stepsDone = 0
    var events: [JobEvent] = []
    var checkpoints: [JobCheckpoint] = []

    static let terminal: Set<String> = ["succeeded", "failed", "cancelled"]
    var isTerminal: Bool { Self.terminal.contains(status) }

    var hyperparameters: Record {
        ["batch_size": batchSize.map { .int($0) } ?? "auto",
         "learning_rate_multiplier": learningRateMultiplier.map { .number($0) } ?? "auto",
         "n_epochs": epochs.map { .int($0) } ?? "auto"]
    }

    /// The public `FineTuningJob` object.
    var value: Value {
        .record([
            "object": "fine_tuning.job", "id": .string(id), "created_at": .int(createdAt),
            "model": .string(model), "organization_id": .string(ServeNames.organization),
            "training_file": .string(trainingFile), "validation_file": validationFile.map { .string($0) } ?? .null,
            "fine_tuned_model": fineTunedModel.map { .string($0) } ?? .null, "finished_at": finishedAt.map { .int($0) } ?? .null,
            "status": .string(status), "error": error.map { .record($0) } ?? .null,
            "hyperparameters": .record(hyperparameters),
            "method": .record(["type": "supervised", "supervised": .record(["hyperparameters": .record(hyperparameters)])]),
            "seed": .int(seed), "trained_tokens": trainedTokens.map { .int($0) } ?? .null,
            "result_files": .list(resultFiles.map { .string($0) }), "integrations": .list([]),
            "metadata": metadata.map { .record($0) } ?? .null, "estimated_finish": estimatedFinish.map { .int($0) } ?? .null,
            "user_provided_suffix": suffix.map { .string($0) } ?? .null,
        ])
    }

    /// What `job.json` holds: the public object plus what the server needs to carry on.
    var stored: Value {
        guard case .record(var r) = value else { return value }
        r["ftsh"] = .record(["local_method": .string(localMethod), "number": .int(number),
                             "total_steps": .int(totalSteps), "steps_done": .int(stepsDone),
                             "requested": .record(hyperparameters)])
        return .record(r)
    }

    init(id: String, createdAt: Int, model: String, trainingFile: String, validationFile: String?, suffix: String?,
         seed: Int, metadata: Record?, localMethod: String, epochs: Int?, batchSize: Int?, learningRateMultiplier: Double?) {
        self.id = id
        self.createdAt = createdAt
        self.model = model
        self.trainingFile = trainingFile
        self.validationFile = validationFile
        self.suffix = suffix
        self.seed = seed
        self.metadata = metadata
        self.localMethod = localMethod
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRateMultiplier = learningRateMultiplier
        status = "validating_files"
    }

    init?(stored v: Value) {
        guard let id = v["id"]?.stringValue, let c = v["created_at"]?.intValue, let m = v["model"]?.stringValue,
              let t = v["training_file"]?.stringValue, let s = v["status"]?.stringValue,
              let extra = v["ftsh"]?.recordValue else { return nil }
        let hp = v["hyperparameters"]?.recordValue ?? [:]
        self.init(id: id, createdAt: c, model: m, trainingFile: t, validationFile: v["validation_file"]?.stringValue,
                  suffix: v["user_provided_suffix"]?.stringValue, seed: v["seed"]?.intValue ?? 0,
                  metadata: v["metadata"]?.recordValue, localMethod: extra["local_method"]?.stringValue ?? "lora",
                  epochs: hp["n_epochs"]?.intValue, batchSize: hp["batch_size"]?.intValue,
                  learningRateMultiplier: hp["learning_rate_multiplier"]?.numberValue)
        status = s
        error = v["error"]?.recordValue
        fineTunedModel = v["fine_tuned_model"]?.stringValue
        finishedAt = v["finished_at"]?.intValue
        trainedTokens = v["trained_tokens"]?.intValue
        resultFiles = (v["result_files"]?.listValue ?? []).compactMap(\.stringValue)
        estimatedFinish = v["estimated_finish"]?.intValue
        number = extra["number"]?.intValue ?? 0
        totalSteps = extra["total_steps"]?.intValue ?? 0
        stepsDone = extra["steps_done"]?.intValue ?? 0
    }
}

enum ServeNames {
    /// The organisation every job and fine-tuned model belongs to on a local server.
    static let organization = "org-ftsh-local"
    static let owner = "ftsh"
}
