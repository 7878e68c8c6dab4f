import Foundation
import FTCore

// Typed views over the API's JSON objects. Each keeps the record it came from (`raw`), reads
// the fields it knows leniently (a missing or mistyped optional field is nil, an unknown status
// is kept as text), and so survives servers that add, drop or rename fields.

extension Record {
    func string(_ key: String) -> String? {
        guard let v = self[key] else { return nil }
        switch v {
        case .string(let s): return s
        case .number: return v.text
        default: return nil
        }
    }
    func int(_ key: String) -> Int? { self[key]?.intValue ?? self[key]?.stringValue.flatMap { Int($0) } }
    func number(_ key: String) -> Double? { self[key]?.numberValue ?? self[key]?.stringValue.flatMap { Double($0) } }
}

func requireRecord(_ value: Value, _ what: String) throws(OpenAIError) -> Record {
    guard case .record(let r) = value, let id = r.string("id"), !id.isEmpty else {
        throw .badResponse("a \(what) without an id", status: 200, url: what, requestID: nil)
    }
    return r
}

/// A job's status. The known ones are constants; anything else a server sends is kept.
public struct JobStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let validatingFiles = JobStatus(rawValue: "validating_files")
    public static let queued = JobStatus(rawValue: "queued")
    public static let running = JobStatus(rawValue: "running")
    public static let pausing = JobStatus(rawValue: "pausing")
    public static let paused = JobStatus(rawValue: "paused")
    public static let succeeded = JobStatus(rawValue: "succeeded")
    public static let failed = JobStatus(rawValue: "failed")
    public static let cancelled = JobStatus(rawValue: "cancelled")

    /// No further change will come.
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
    public var description: String { rawValue }
}

public struct FineTuningJob: Sendable {
    public var raw: Record
    public var id: String
    public var status: JobStatus
    public var model: String?
    public var fineTunedModel: String?
    public var trainingFile: String?
    public var validationFile: String?
    public var createdAt: Int?
    public var finishedAt: Int?
    public var estimatedFinish: Int?
    public var trainedTokens: Int?
    public var resultFiles: [String]
    public var metadata: [String: String]
    /// `error.message` (with its param), when the job failed; an empty `{}` counts as none.
    public var errorMessage: String?
    public var errorCode: String?

    public init(_ value: Value) throws(OpenAIError) {
        let r = try requireRecord(value, "fine-tuning job")
        raw = r
        id = r.string("id")!
        status = JobStatus(rawValue: r.string("status") ?? "unknown")
        model = r.string("model")
        fineTunedModel = r.string("fine_tuned_model")
        trainingFile = r.string("training_file")
        validationFile = r.string("validation_file")
        createdAt = r.int("created_at")
        finishedAt = r.int("finished_at")
        estimatedFinish = r.int("estimated_finish")
        trainedTokens = r.int("trained_tokens")
        resultFiles = (r["result_files"]?.listValue ?? []).compactMap { v in
            v.stringValue ?? v.recordValue?.string("id")
        }
        var meta: [String: String] = [:]
        for (k, v) in r["metadata"]?.recordValue ?? Record() { if let s = v.stringValue { meta[k] = s } }
        metadata = meta
        if case .record(let e)? = r["error"], let message = e.string("message"), !message.isEmpty {
            errorMessage = e.string("param").map { "\(message) (param: \($0))" } ?? message
            errorCode = e.string("code")
        }
    }

    public var value: Value { .record(raw) }
}

public struct JobEvent: Sendable {
    public var raw: Record
    public var id: String
    public var createdAt: Int?
    public var level: String
    public var message: String
    public var type: String?
    public var data: Record?

    public init(_ value: Value) throws(OpenAIError) {
        let r = try requireRecord(value, "job event")
        raw = r
        id = r.string("id")!
        createdAt = r.int("created_at")
        level = r.string("level") ?? "info"
        message = r.string("message") ?? ""
        type = r.string("type")
        data = r["data"]?.recordValue
    }

    /// Training metrics, when this is a metrics event (`type: metrics`, or data with a step).
    public var metrics: StepMetrics? {
        guard let data, type == "metrics" || data["step"] != nil, let step = data.int("step") else { return nil }
        return StepMetrics(step: step, totalSteps: data.int("total_steps"), trainLoss: data.number("train_loss"),
                           trainAccuracy: data.number("train_mean_token_accuracy"), validLoss: data.number("valid_loss"),
                           validAccuracy: data.number("valid_mean_token_accuracy"), fullValidLoss: data.number("full_valid_loss"))
    }

    public var value: Value { .record(raw) }
}

/// One step's numbers, from a metrics event, a checkpoint or a row of the results CSV.
public struct StepMetrics: Sendable, Equatable {
    public var step: Int
    public var totalSteps: Int?
    public var trainLoss: Double?
    public var trainAccuracy: Double?
    public var validLoss: Double?
    public var validAccuracy: Double?
    public var fullValidLoss: Double?

    public init(step: Int, totalSteps: Int? = nil, trainLoss: Double? = nil, trainAccuracy: Double? = nil,
                validLoss: Double? = nil, validAccuracy: Double? = nil, fullValidLoss: Double? = nil) {
        self.step = step
        self.totalSteps = totalSteps
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validLoss = validLoss
        self.validAccuracy = validAccuracy
        self.fullValidLoss = fullValidLoss
    }
}

public struct JobCheckpoint: Sendable {
    public var raw: Record
    public var id: String
    public var step: Int?
    public var model: String?
    public var createdAt: Int?

    public init(_ value: Value) throws(OpenAIError) {
        let r = try requireRecord(value, "checkpoint")
        raw = r
        id = r.string("id")!
        step = r.int("step_number")
        model = r.string("fine_tuned_model_checkpoint")
        createdAt = r.int("created_at")
    }

    public var value: Value { .record(raw) }
}

public struct OpenAIFile: Sendable {
    public var raw: Record
    public var id: String
    public var filename: String?
    public var bytes: Int?
    public var purpose: String?
    public var createdAt: Int?

    public init(_ value: Value) throws(OpenAIError) {
        let r = try requireRecord(value, "file")
        raw = r
        id = r.string("id")!
        filename = r.string("filename")
        bytes = r.int("bytes")
        purpose = r.string("purpose")
        createdAt = r.int("created_at")
    }

    public var value: Value { .record(raw) }
}

public struct RemoteModel: Sendable {
    public var raw: Record
    public var id: String
    public var ownedBy: String?
    public var createdAt: Int?

    public init(_ value: Value) throws(OpenAIError) {
        let r = try requireRecord(value, "model")
        raw = r
        id = r.string("id")!
        ownedBy = r.string("owned_by")
        createdAt = r.int("created")
    }

    public var value: Value { .record(raw) }
}

/// One page of a cursor-paginated list.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var hasMore: Bool
    /// The cursor for the next page: the last item's id.
    public var lastID: String?

    static func decode(_ value: Value, item: (Value) throws(OpenAIError) -> Item, id: (Item) -> String)
        throws(OpenAIError) -> Page {
        guard case .record(let r) = value, let data = r["data"]?.listValue else {
            throw .badResponse("a list without \"data\"", status: 200, url: "list", requestID: nil)
        }
        var items: [Item] = []
        for v in data { items.append(try item(v)) }
        let last = items.last.map(id)
        return Page(items: items, hasMore: r["has_more"]?.boolValue ?? false, lastID: last ?? r.string("last_id"))
    }
}

/// A deleted file or model: `{id, object, deleted}`.
public struct Deletion: Sendable {
    public var id: String
    public var deleted: Bool
    public var value: Value { .record(["id": .string(id), "deleted": .bool(deleted)]) }
}
