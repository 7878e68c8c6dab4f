import FTCore
import FTData
import FTOpenAI
import FTPluginKit
import Foundation

/// `job create|list|get|cancel|pause|resume|events|checkpoints`.
enum JobCommands {
    static var all: [CommandSpec] {
        [create, list, get, action("cancel", "Cancel a job (it stops and cannot be resumed)."),
         action("pause", "Pause a running job."), action("resume", "Resume a paused job."), events, checkpoints]
    }

    static let create = CommandSpec(
        ["job", "create"], summary: "Start a fine-tuning job (a local file is checked and uploaded first).",
        discussion: "--training-file and --validation-file take an uploaded file id, a local .jsonl path or a dataset of the session. Hyperparameters are a number or auto. Each create carries a client request id in its metadata, so a retry after a lost answer never makes a second job.",
        flags: [FlagSpec("model", "Base model, or an ft: model to continue training.", type: .string),
                FlagSpec("training-file", "File id, .jsonl path or dataset name.", type: .string, completion: .file(extensions: ["jsonl"])),
                FlagSpec("validation-file", "File id, .jsonl path or dataset name.", type: .string, completion: .file(extensions: ["jsonl"])),
                FlagSpec("method", "Training method.", type: .choice(["supervised", "dpo"]), default: "supervised"),
                FlagSpec("epochs", "Epochs: 1–50 or auto.", type: .string),
                FlagSpec("batch-size", "Batch size: 1–256 or auto.", type: .string),
                FlagSpec("lr-multiplier", "Learning-rate multiplier: > 0 or auto.", type: .string),
                FlagSpec("beta", "DPO beta: (0, 2] or auto.", type: .string),
                FlagSpec("suffix", "Up to 64 characters added to the model name.", type: .string),
                FlagSpec("seed", "Seed for reproducible training.", type: .int),
                FlagSpec("metadata", "KEY=VALUE pairs stored with the job.", type: .string, repeatable: true),
                FlagSpec("force", "Upload local files even when their check finds errors.")],
        examples: ["job create --model gpt-4o-mini-2024-07-18 --training-file train.jsonl --epochs 3",
                   "set j = job create --model gpt-4.1-mini-2025-04-14 --training-file file-abc --method dpo --beta 0.1"],
        display: .custom { v, _ in
            guard let j = try? FineTuningJob(v) else { return Show.raw(v) }
            return "created \(j.id) (\(j.status)); follow it with: job watch \(j.id)"
        }
    ) { inv, ctx in
        guard let model = inv.string("model") else {
            throw inv.error("job create needs --model (e.g. --model gpt-4o-mini-2024-07-18)", id: "usage.missing-argument")
        }
        guard inv.string("training-file") != nil else {
            throw inv.error("job create needs --training-file (a file id, a .jsonl path or a dataset)", id: "usage.missing-argument")
        }
        var hyper: [String: Hyperparameter] = [:]
        for name in ["epochs", "batch-size", "lr-multiplier", "beta"] where inv.has(name) {
            guard let h = Hyperparameter.parse(inv[name]) else {
                throw inv.error("--\(name) takes a number or auto, got '\(inv[name].text)'", id: "usage.bad-argument", at: name)
            }
            hyper[name] = h
        }
        var metadata: [(key: String, value: String)] = []
        for pair in inv["metadata"].listValue ?? [] {
            let text = pair.text
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw inv.error("--metadata takes KEY=VALUE, got '\(text)'", id: "usage.bad-argument", at: "metadata")
            }
            metadata.append((String(text[..<eq]), String(text[text.index(after: eq)...])))
        }
        let method = JobCreateRequest.Method(rawValue: inv.string("method") ?? "supervised") ?? .supervised
        var request = JobCreateRequest(model: model, trainingFile: "-", suffix: inv.string("suffix"), seed: inv.int("seed"),
                                       metadata: metadata, method: method, epochs: hyper["epochs"], batchSize: hyper["batch-size"],
                                       learningRateMultiplier: hyper["lr-multiplier"], beta: hyper["beta"])
        // Check the request before uploading anything.
        if let (message, param) = request.validate() {
            let flag = ["n_epochs": "epochs", "batch_size": "batch-size", "learning_rate_multiplier": "lr-multiplier"][param] ?? param
            throw inv.error(message, id: "openai.invalid-request", at: inv.has(flag) ? flag : nil)
        }
        request.trainingFile = try await fileID(inv, "training-file", model: model, ctx: ctx)
        if inv.has("validation-file") { request.validationFile = try await fileID(inv, "validation-file", model: model, ctx: ctx) }
        let client = try ClientFactory.client(ctx, inv: inv)
        return try await ClientFactory.call(inv) { () async throws(OpenAIError) -> Value in try await client.createJob(request).value }
    }

    /// A file argument of `job create`: a dataset of the session or a local path is uploaded
    /// (after its check); anything else is taken as an uploaded file's id.
    static func fileID(_ inv: Invocation, _ flag: String, model: String, ctx: CommandContext) async throws -> String {
        let given = inv.string(flag)!
        if let dataset = ctx.workspace.get(given, as: Dataset.self) {
            let dir = NSTemporaryDirectory() + "ftsh-upload-\(getpid())"
            let path = dir + "/\(dataset.name).jsonl"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try AtomicFile.write(dataset.jsonl(), to: path, overwrite: true)
            let f = try await FileCommands.uploadChecked(path: path, shownAs: "\(dataset.name).jsonl", checkName: dataset.name,
                                                        purpose: "fine-tune", model: model,
                                                        force: inv.flag("force"), inv: inv, at: flag, ctx: ctx)
            ctx.print("uploaded dataset \(dataset.name) as \(f.id)")
            return f.id
        }
        let path = ctx.resolve(given)
        if FileManager.default.fileExists(atPath: path) {
            let f = try await FileCommands.uploadChecked(path: path, shownAs: given, purpose: "fine-tune", model: model,
                                                        force: inv.flag("force"), inv: inv, at: flag, ctx: ctx)
            ctx.print("uploaded \(given) as \(f.id)")
            return f.id
        }
        if given.contains("/") || given.hasSuffix(".jsonl") {
            throw inv.error("no such file: \(given)", id: "io.not-found", at: flag)
        }
        return given
    }

    static let list = CommandSpec(
        ["job", "list"], summary: "List fine-tuning jobs, newest first.",
        flags: [FlagSpec("all", "Every job (follows all pages)."),
                FlagSpec("limit", "Jobs per page (default 20).", type: .int),
                FlagSpec("after", "Start after this job id.", type: .string)],
        examples: ["job list", "job list --all"]
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        if let limit = inv.int("limit"), !(1...100).contains(limit) {
            throw inv.error("--limit must be 1–100", id: "usage.bad-argument", at: "limit")
        }
        let jobs = try await ClientFactory.call(inv) { () async throws(OpenAIError) -> [FineTuningJob] in
            if inv.flag("all") { return try await client.allJobs(pageSize: inv.int("limit") ?? 100) }
            return try await client.listJobs(after: inv.string("after"), limit: inv.int("limit")).items
        }
        return .list(jobs.map(Show.jobRow))
    }

    static let get = CommandSpec(
        ["job", "get"], summary: "Show a job.",
        arguments: [ArgumentSpec("id", "Job id (ftjob-…).")], examples: ["job get ftjob-abc123", "set j = job get $id"],
        display: .custom(Show.job)
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        return try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> Value in
            try await client.job(inv.string("id")!).value
        }
    }

    static func action(_ verb: String, _ summary: String) -> CommandSpec {
        CommandSpec(["job", verb], summary: summary, arguments: [ArgumentSpec("id", "Job id (ftjob-…).")],
                    examples: ["job \(verb) ftjob-abc123"],
                    display: .custom { v, _ in
                        guard let j = try? FineTuningJob(v) else { return Show.raw(v) }
                        return "\(j.id): \(j.status)"
                    }) { inv, ctx in
            let client = try ClientFactory.client(ctx, inv: inv)
            let id = inv.string("id")!
            return try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> Value in
                switch verb {
                case "cancel": try await client.cancelJob(id).value
                case "pause": try await client.pauseJob(id).value
                default: try await client.resumeJob(id).value
                }
            }
        }
    }

    static let events = CommandSpec(
        ["job", "events"], summary: "Show a job's events, oldest first.",
        discussion: "The API lists events newest first; ftsh reads every page and shows them in order. --follow keeps printing new events until the job ends (Ctrl-C stops following).",
        arguments: [ArgumentSpec("id", "Job id (ftjob-…).")],
        flags: [FlagSpec("follow", "Keep printing new events until the job ends."),
                FlagSpec("limit", "Only the newest N events.", type: .int),
                FlagSpec("interval", "Seconds between polls with --follow.", type: .number, default: 5)],
        examples: ["job events ftjob-abc123", "job events ftjob-abc123 --follow"],
        display: .custom { v, o in v.listValue == nil ? "" : Show.events(v, o) }
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        let id = inv.string("id")!
        if inv.flag("follow") {
            let job = try await JobWatch.follow(id, client: client, interval: inv.number("interval") ?? 5, chart: false, inv: inv, ctx: ctx)
            return .record(["job": .string(id), "status": .string(job?.status.rawValue ?? "detached")])
        }
        let list = try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> [JobEvent] in
            if let n = inv.int("limit") { return try await client.events(id, limit: max(1, n)).items.reversed() }
            return try await client.allEvents(id)
        }
        return .list(list.map(\.value))
    }

    static let checkpoints = CommandSpec(
        ["job", "checkpoints"], summary: "List a job's checkpoints (usable as models).",
        arguments: [ArgumentSpec("id", "Job id (ftjob-…).")], examples: ["job checkpoints ftjob-abc123"]
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        let list = try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> [JobCheckpoint] in
            try await client.allCheckpoints(inv.string("id")!)
        }
        return .list(list.map { c in
            let m = c.raw["metrics"]?.recordValue
            return .record(Record([("step", c.step.map { .int($0) } ?? .null), ("model", .string(c.model ?? "-")),
                                   ("train_loss", m?["train_loss"] ?? .null), ("valid_loss", m?["valid_loss"] ?? .null)]))
        })
    }
}
