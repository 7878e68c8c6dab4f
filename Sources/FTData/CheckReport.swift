import FTCore

/// Token statistics of a dataset, as the cookbook notebook prints them and more.
public struct TokenStats: Sendable {
    /// Tokens per example (the cookbook's accounting, see `TokenAccounting`).
    public var perExample: Distribution
    /// Trained (assistant or completion) tokens per example.
    public var trained: Distribution
    public var messagesPerExample: Distribution
    /// Content tokens per message, by role, in order of first appearance.
    public var perRole: [(role: String, distribution: Distribution)]
    /// Examples over the per-example limit (they will be truncated).
    public var overLimit: Int
    public var totalTokens: Int
    public var trainedTokens: Int

    public func toValue() -> Value {
        var roles = Record()
        for (role, d) in perRole { roles[role] = d.toValue() }
        return .record(Record([
            ("total_tokens", .int(totalTokens)), ("trained_tokens", .int(trainedTokens)), ("over_limit", .int(overLimit)),
            ("per_example", perExample.toValue()), ("trained_per_example", trained.toValue()),
            ("messages_per_example", messagesPerExample.toValue()), ("per_role", .record(roles)),
        ]))
    }
}

/// Everything `data check` found out about a file or dataset. Plain data: the plugin renders it
/// as tables, or prints `toValue()` for `--json`.
public struct CheckReport: Sendable {
    public var file: String
    /// The dataset's format (forced, or that of its first example); nil when no example was readable.
    public var format: DataFormat?
    public var bytes: Int64
    public var lines: Int
    /// Lines that hold an example of a known format (with or without errors).
    public var examples: Int
    public var examplesWithErrors: Int
    /// Findings in file order, at most `CheckOptions.findingsPerRule` per rule.
    public var findings: [Diagnostic]
    /// Every rule that fired, in the order of `DataRules.all`, with its full count.
    public var counts: [(id: String, severity: Diagnostic.Severity, count: Int)]
    /// Findings counted but not listed because of the per-rule cap.
    public var omittedFindings: Int
    public var tokens: TokenStats?
    public var model: ModelInfo
    /// False when the model was not in the price table (the default model's limits were used).
    public var modelKnown: Bool
    /// The epochs OpenAI would choose ("auto"), from the number of examples.
    public var epochs: Int
    /// epochs × Σ min(limit, tokens), when tokens were counted.
    public var billedTokens: Int?
    /// Dollars, when tokens were counted and the model's price is known.
    public var cost: Double?
    public var priceAsOf: String
    public var currency: String
    /// For prompt/completion data, the legacy tool's guess at the task.
    public var task: String?

    public var errorCount: Int { total(.error) }
    public var warningCount: Int { total(.warning) }
    public var noteCount: Int { total(.note) }
    /// No errors: the file would be accepted for a job.
    public var isValid: Bool { errorCount == 0 }

    private func total(_ s: Diagnostic.Severity) -> Int { counts.filter { $0.severity == s }.reduce(0) { $0 + $1.count } }

    /// The first error, to throw when a script should stop (its exit status is 65).
    public var firstError: Diagnostic? { findings.first { $0.severity == .error } }

    public func toValue() -> Value {
        var r = Record()
        r["file"] = .string(file)
        r["format"] = format.map { .string($0.rawValue) } ?? .null
        r["valid"] = .bool(isValid)
        r["bytes"] = .number(Double(bytes))
        r["lines"] = .int(lines)
        r["examples"] = .int(examples)
        r["examples_with_errors"] = .int(examplesWithErrors)
        r["errors"] = .int(errorCount)
        r["warnings"] = .int(warningCount)
        r["notes"] = .int(noteCount)
        var byRule = Record()
        for c in counts { byRule[c.id] = .int(c.count) }
        r["counts"] = .record(byRule)
        r["findings"] = .list(findings.map(Self.findingValue))
        r["omitted_findings"] = .int(omittedFindings)
        r["model"] = .string(model.model)
        r["model_known"] = .bool(modelKnown)
        r["encoding"] = .string(model.encoding)
        r["max_tokens_per_example"] = .int(model.maxTokensPerExample)
        r["tokens"] = tokens?.toValue() ?? .null
        r["epochs"] = .int(epochs)
        r["billed_tokens"] = billedTokens.map { .int($0) } ?? .null
        r["cost"] = cost.map { .number(($0 * 100).rounded() / 100) } ?? .null
        r["currency"] = .string(currency)
        r["price_as_of"] = .string(priceAsOf)
        if let task { r["task"] = .string(task) }
        return .record(r)
    }

    /// One finding as a record: severity, id, file, line, column, message, and the rule's fix.
    public static func findingValue(_ d: Diagnostic) -> Value {
        var r = Record()
        r["severity"] = .string(d.severity.rawValue)
        r["id"] = .string(d.id)
        r["file"] = d.location.map { .string($0.file) } ?? .null
        r["line"] = d.location.map { .int($0.line) } ?? .null
        r["column"] = d.location.map { .int($0.column) } ?? .null
        r["message"] = .string(d.message)
        if !d.notes.isEmpty { r["notes"] = .list(d.notes.map { .string($0) }) }
        if let rule = DataRules.rule(d.id) {
            r["fix"] = .string(rule.fix)
            r["auto_fix"] = .bool(rule.autoFix)
        }
        return .record(r)
    }
}
