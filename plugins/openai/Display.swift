import FTCore
import FTOpenAI
import FTPluginKit
import Foundation

/// How API objects read in a terminal. Commands return the API's own records (so `--json`
/// and `$job.fine_tuned_model` see every field); these renderings pick what people need.
enum Show {
    static func time(_ seconds: Int?) -> String {
        guard let seconds else { return "-" }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func clock(_ seconds: Int?) -> String {
        String(time(seconds).suffix(8))
    }

    static func bytes(_ n: Int?) -> String {
        guard let n else { return "-" }
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return String(format: "%.1f KB", Double(n) / 1024) }
        return String(format: "%.1f MB", Double(n) / 1_048_576)
    }

    /// One row of `job list`.
    static func jobRow(_ j: FineTuningJob) -> Value {
        .record(Record([
            ("id", .string(j.id)), ("status", .string(j.status.rawValue)), ("model", .string(j.model ?? "-")),
            ("fine_tuned_model", j.fineTunedModel.map(Value.string) ?? .null), ("created", .string(time(j.createdAt))),
        ]))
    }

    static func fileRow(_ f: OpenAIFile) -> Value {
        .record(Record([
            ("id", .string(f.id)), ("filename", .string(f.filename ?? "-")), ("bytes", f.bytes.map { .int($0) } ?? .null),
            ("purpose", .string(f.purpose ?? "-")), ("created", .string(time(f.createdAt))),
        ]))
    }

    /// `job get`: the fields that matter, one per line.
    static func job(_ v: Value, _ o: RenderOptions) -> String {
        guard let j = try? FineTuningJob(v) else { return JSON.encode(v, indent: 2) }
        var r = Record()
        r["id"] = .string(j.id)
        r["status"] = .string(j.status.rawValue)
        r["model"] = .string(j.model ?? "-")
        if let m = j.fineTunedModel { r["fine_tuned_model"] = .string(m) }
        r["training_file"] = .string(j.trainingFile ?? "-")
        if let v = j.validationFile { r["validation_file"] = .string(v) }
        if let method = j.raw["method"]?.recordValue, let type = method.string("type") {
            r["method"] = .string(type)
            if let h = method[type]?.recordValue?["hyperparameters"]?.recordValue {
                r["hyperparameters"] = .string(h.map { "\($0.key)=\($0.value.text)" }.joined(separator: " "))
            }
        } else if let h = j.raw["hyperparameters"]?.recordValue {
            r["hyperparameters"] = .string(h.map { "\($0.key)=\($0.value.text)" }.joined(separator: " "))
        }
        r["created"] = .string(time(j.createdAt))
        if let f = j.finishedAt { r["finished"] = .string(time(f)) }
        if let t = j.trainedTokens { r["trained_tokens"] = .int(t) }
        if !j.resultFiles.isEmpty { r["result_files"] = .string(j.resultFiles.joined(separator: " ")) }
        if let e = j.errorMessage { r["error"] = .string(e) }
        let meta = j.metadata.filter { $0.key != JobCreateRequest.requestIDKey }
        if !meta.isEmpty { r["metadata"] = .string(meta.keys.sorted().map { "\($0)=\(meta[$0]!)" }.joined(separator: " ")) }
        let width = r.keys.map(\.count).max() ?? 0
        return r.map { $0.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.value.text }.joined(separator: "\n")
    }

    /// `HH:MM:SS  message`, with the level when it is not info.
    static func eventLine(_ e: JobEvent) -> String {
        let level = e.level == "info" ? "" : e.level + ": "
        if let m = e.metrics { return clock(e.createdAt) + "  " + metricsText(m) }
        return clock(e.createdAt) + "  " + level + e.message
    }

    static func metricsText(_ m: StepMetrics) -> String {
        var s = "step \(m.step)" + (m.totalSteps.map { "/\($0)" } ?? "")
        if let l = m.trainLoss { s += String(format: "  train loss %.4f", l) }
        if let l = m.validLoss { s += String(format: "  valid loss %.4f", l) }
        return s
    }

    static func events(_ v: Value, _ o: RenderOptions) -> String {
        (v.listValue ?? []).compactMap { try? JobEvent($0) }.map(eventLine).joined(separator: "\n")
    }
}

extension Show {
    static func raw(_ v: Value) -> String { JSON.encode(v, indent: 2) }
}

extension Record {
    func string(_ key: String) -> String? { self[key]?.stringValue }
    func int(_ key: String) -> Int? { self[key]?.intValue }
    func number(_ key: String) -> Double? { self[key]?.numberValue }
}
