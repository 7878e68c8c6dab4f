import Foundation
import FTCore

/// A hyperparameter: "auto" (the server decides) or a number.
public enum Hyperparameter: Sendable, Equatable {
    case auto
    case value(Double)

    public var json: Value {
        switch self {
        case .auto: "auto"
        case .value(let x): .number(x)
        }
    }

    /// Reads `auto` or a number from a command-line value.
    public static func parse(_ v: Value) -> Hyperparameter? {
        if let n = v.numberValue { return .value(n) }
        guard let s = v.stringValue?.trimmingCharacters(in: .whitespaces) else { return nil }
        if s.lowercased() == "auto" { return .auto }
        return Double(s).map { .value($0) }
    }
}

/// `POST /fine_tuning/jobs`: what `job create` sends. Hyperparameters go under `method`, as
/// the API wants them now (the top-level `hyperparameters` is deprecated).
public struct JobCreateRequest: Sendable {
    public enum Method: String, Sendable { case supervised, dpo }

    public var model: String
    public var trainingFile: String
    public var validationFile: String?
    public var suffix: String?
    public var seed: Int?
    public var metadata: [(key: String, value: String)]
    public var method: Method
    public var epochs: Hyperparameter?
    public var batchSize: Hyperparameter?
    public var learningRateMultiplier: Hyperparameter?
    public var beta: Hyperparameter?

    public init(model: String, trainingFile: String, validationFile: String? = nil, suffix: String? = nil, seed: Int? = nil,
                metadata: [(key: String, value: String)] = [], method: Method = .supervised, epochs: Hyperparameter? = nil,
                batchSize: Hyperparameter? = nil, learningRateMultiplier: Hyperparameter? = nil, beta: Hyperparameter? = nil) {
        self.model = model
        self.trainingFile = trainingFile
        self.validationFile = validationFile
        self.suffix = suffix
        self.seed = seed
        self.metadata = metadata
        self.method = method
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRateMultiplier = learningRateMultiplier
        self.beta = beta
    }

    /// The metadata key that tags each create with a client request id.
    public static let requestIDKey = "ftsh_request_id"

    /// The API's limits, checked before sending so mistakes cost no round trip. Each problem
    /// names the field (`param`) as the server would.
    public func validate() -> (message: String, param: String)? {
        if model.isEmpty { return ("model must not be empty", "model") }
        if trainingFile.isEmpty { return ("training file must not be empty", "training_file") }
        if let suffix, !(1...64).contains(suffix.count) { return ("suffix must be 1–64 characters, got \(suffix.count)", "suffix") }
        if let seed, !(0...2_147_483_647).contains(seed) { return ("seed must be between 0 and 2147483647", "seed") }
        func whole(_ h: Hyperparameter?, _ range: ClosedRange<Int>, _ name: String, _ param: String) -> (String, String)? {
            guard case .value(let x)? = h else { return nil }
            if x.rounded() != x || x < Double(range.lowerBound) || x > Double(range.upperBound) {
                return ("\(name) must be \"auto\" or a whole number \(range.lowerBound)–\(range.upperBound), got \(Value.format(x))", param)
            }
            return nil
        }
        if let e = whole(epochs, 1...50, "epochs", "n_epochs") { return e }
        if let e = whole(batchSize, 1...256, "batch size", "batch_size") { return e }
        if case .value(let x)? = learningRateMultiplier, !(x > 0) || !x.isFinite {
            return ("learning rate multiplier must be \"auto\" or greater than 0", "learning_rate_multiplier")
        }
        if let beta {
            guard method == .dpo else { return ("beta applies to --method dpo only", "beta") }
            if case .value(let x) = beta, !(x > 0 && x <= 2) { return ("beta must be \"auto\" or in (0, 2], got \(Value.format(x))", "beta") }
        }
        if metadata.count > 15 { return ("at most 15 metadata pairs (ftsh adds one to make retries safe)", "metadata") }
        for (k, v) in metadata {
            if k.count > 64 { return ("metadata key '\(k.prefix(20))…' is longer than 64 characters", "metadata") }
            if v.count > 512 { return ("metadata value for '\(k)' is longer than 512 characters", "metadata") }
            if k == Self.requestIDKey { return ("metadata key \(k) is reserved by ftsh", "metadata") }
        }
        return nil
    }

    public func body(requestID: String?) -> Value {
        var r = Record()
        r["model"] = .string(model)
        r["training_file"] = .string(trainingFile)
        if let validationFile { r["validation_file"] = .string(validationFile) }
        if let suffix { r["suffix"] = .string(suffix) }
        if let seed { r["seed"] = .int(seed) }
        var hyper = Record()
        if let epochs { hyper["n_epochs"] = epochs.json }
        if let batchSize { hyper["batch_size"] = batchSize.json }
        if let learningRateMultiplier { hyper["learning_rate_multiplier"] = learningRateMultiplier.json }
        if method == .dpo, let beta { hyper["beta"] = beta.json }
        var m: Record = ["type": .string(method.rawValue)]
        if !hyper.isEmpty { m[method.rawValue] = .record(["hyperparameters": .record(hyper)]) }
        r["method"] = .record(m)
        var meta = Record()
        for (k, v) in metadata { meta[k] = .string(v) }
        if let requestID { meta[Self.requestIDKey] = .string(requestID) }
        if !meta.isEmpty { r["metadata"] = .record(meta) }
        return .record(r)
    }
}

extension OpenAIClient {
    /// Creates a job without ever creating two: the request carries a client request id in
    /// its metadata, and before any retry that follows a lost answer the client looks for a
    /// job with that id.
    public func createJob(_ request: JobCreateRequest) async throws(OpenAIError) -> FineTuningJob {
        if let (message, param) = request.validate() {
            throw .api(APIError(status: 400, message: message, type: "invalid_request_error", param: param))
                .asInvalid
        }
        let requestID = "ftsh-" + token()
        let call = Call("POST", ["fine_tuning", "jobs"], json: request.body(requestID: requestID))
        let value = try await json(call) { [self] () async throws(OpenAIError) -> HTTPResponse? in
            guard let job = try await findJob(requestID: requestID) else { return nil }
            notify(.recovered(jobID: job.id))
            return HTTPResponse(status: 200, body: Data(JSON.encode(job.value).utf8))
        }
        return try FineTuningJob(value)
    }

    /// The job tagged with this client request id, if the server has one. Servers that ignore
    /// the metadata filter still list newest first, so the first pages are searched too.
    public func findJob(requestID: String) async throws(OpenAIError) -> FineTuningJob? {
        var after: String?
        for _ in 0..<2 {
            let page = try await listJobs(after: after, limit: 20, metadata: [(JobCreateRequest.requestIDKey, requestID)])
            if let job = page.items.first(where: { $0.metadata[JobCreateRequest.requestIDKey] == requestID }) { return job }
            guard page.hasMore, let last = page.lastID else { return nil }
            after = last
        }
        return nil
    }

    public func listJobs(after: String? = nil, limit: Int? = nil, metadata: [(String, String)] = []) async throws(OpenAIError) -> Page<FineTuningJob> {
        var q: [(String, String)] = []
        if let after { q.append(("after", after)) }
        if let limit { q.append(("limit", String(limit))) }
        for (k, v) in metadata { q.append(("metadata[\(k)]", v)) }
        let v = try await json(Call("GET", ["fine_tuning", "jobs"], query: q))
        return try Page.decode(v, item: { v throws(OpenAIError) in try FineTuningJob(v) }, id: \.id)
    }

    /// Every job, following `after` until `has_more` is false (or `max` jobs).
    public func allJobs(pageSize: Int = 100, max: Int = .max) async throws(OpenAIError) -> [FineTuningJob] {
        try await collect(max: max) { after throws(OpenAIError) in try await listJobs(after: after, limit: pageSize) }
    }

    public func job(_ id: String) async throws(OpenAIError) -> FineTuningJob {
        try FineTuningJob(try await json(Call("GET", ["fine_tuning", "jobs", id])))
    }

    public func cancelJob(_ id: String) async throws(OpenAIError) -> FineTuningJob {
        try FineTuningJob(try await json(Call("POST", ["fine_tuning", "jobs", id, "cancel"])))
    }

    public func pauseJob(_ id: String) async throws(OpenAIError) -> FineTuningJob {
        try FineTuningJob(try await json(Call("POST", ["fine_tuning", "jobs", id, "pause"])))
    }

    public func resumeJob(_ id: String) async throws(OpenAIError) -> FineTuningJob {
        try FineTuningJob(try await json(Call("POST", ["fine_tuning", "jobs", id, "resume"])))
    }

    /// One page of events, newest first as the API lists them.
    public func events(_ jobID: String, after: String? = nil, limit: Int? = nil) async throws(OpenAIError) -> Page<JobEvent> {
        var q: [(String, String)] = []
        if let after { q.append(("after", after)) }
        if let limit { q.append(("limit", String(limit))) }
        let v = try await json(Call("GET", ["fine_tuning", "jobs", jobID, "events"], query: q))
        return try Page.decode(v, item: { v throws(OpenAIError) in try JobEvent(v) }, id: \.id)
    }

    /// Every event of a job, oldest first.
    public func allEvents(_ jobID: String, pageSize: Int = 100) async throws(OpenAIError) -> [JobEvent] {
        let newestFirst = try await collect(max: .max) { after throws(OpenAIError) in
            try await events(jobID, after: after, limit: pageSize)
        }
        return newestFirst.reversed()
    }

    /// Events not in `seen`, oldest first. Pages from the newest until it meets a seen event,
    /// so following a job costs one small request per poll.
    public func newEvents(_ jobID: String, seen: Set<String>, pageSize: Int = 50) async throws(OpenAIError) -> [JobEvent] {
        var fresh: [JobEvent] = []
        var after: String?
        while true {
            let page = try await events(jobID, after: after, limit: pageSize)
            for e in page.items {
                if seen.contains(e.id) { return fresh.reversed() }
                fresh.append(e)
            }
            guard page.hasMore, let last = page.lastID, last != after else { return fresh.reversed() }
            after = last
        }
    }

    public func checkpoints(_ jobID: String, after: String? = nil, limit: Int? = nil) async throws(OpenAIError) -> Page<JobCheckpoint> {
        var q: [(String, String)] = []
        if let after { q.append(("after", after)) }
        if let limit { q.append(("limit", String(limit))) }
        let v = try await json(Call("GET", ["fine_tuning", "jobs", jobID, "checkpoints"], query: q))
        return try Page.decode(v, item: { v throws(OpenAIError) in try JobCheckpoint(v) }, id: \.id)
    }

    public func allCheckpoints(_ jobID: String) async throws(OpenAIError) -> [JobCheckpoint] {
        try await collect(max: .max) { after throws(OpenAIError) in try await checkpoints(jobID, after: after, limit: 100) }
    }

    /// Follows a cursor-paginated list to its end. A server that repeats a cursor would loop
    /// forever; stop when the cursor stops moving.
    func collect<T>(max: Int, page: (String?) async throws(OpenAIError) -> Page<T>) async throws(OpenAIError) -> [T] {
        var out: [T] = []
        var after: String?
        while out.count < max {
            if Interrupt.isSet { throw .transport(.cancelled, url: "", attempts: 1) }
            let p = try await page(after)
            out.append(contentsOf: p.items.prefix(max - out.count))
            guard p.hasMore, let last = p.lastID, last != after, !p.items.isEmpty else { break }
            after = last
        }
        return out
    }
}

extension OpenAIError {
    /// A client-side check failing reads like the server's own 400, without a status.
    var asInvalid: OpenAIError {
        guard case .api(let e) = self else { return self }
        var text = e.message
        if let p = e.param { text += " (param: \(p))" }
        return .invalid(.error(text, id: "openai.invalid-request"))
    }
}
