import FTCore
import Foundation

/// What ftsh knows about a fine-tunable model: its tokenizer, its per-example token limit and
/// its training price. Prices change and no primary table was found, so they are dated data
/// the user can edit, not code (`share/data/prices.json`, overridden by
/// `~/.config/ftsh/prices.json`).
public struct ModelInfo: Sendable, Hashable {
    public var model: String
    public var encoding: String
    public var maxTokensPerExample: Int
    /// US dollars per million training tokens; nil when unknown.
    public var trainingPerMillion: Double?
    public var source: String

    public init(model: String, encoding: String, maxTokensPerExample: Int, trainingPerMillion: Double?, source: String = "") {
        self.model = model
        self.encoding = encoding
        self.maxTokensPerExample = maxTokensPerExample
        self.trainingPerMillion = trainingPerMillion
        self.source = source
    }

    public func toValue() -> Value {
        .record(Record([
            ("model", .string(model)), ("encoding", .string(encoding)),
            ("max_tokens_per_example", .int(maxTokensPerExample)),
            ("training_per_1m", trainingPerMillion.map(Value.number) ?? .null), ("source", .string(source)),
        ]))
    }
}

public struct PriceTable: Sendable, Hashable {
    /// The date the prices were last checked (YYYY-MM-DD).
    public var asOf: String
    public var currency: String
    public var defaultModel: String
    public var models: [ModelInfo]

    public init(asOf: String, currency: String = "USD", defaultModel: String, models: [ModelInfo]) {
        self.asOf = asOf
        self.currency = currency
        self.defaultModel = defaultModel
        self.models = models
    }

    /// The table shipped with ftsh; `share/data/prices.json` holds the same data (a test checks).
    public static let builtin = PriceTable(asOf: "2026-05-15", defaultModel: "gpt-4o-mini-2024-07-18", models: [
        ModelInfo(model: "gpt-4o-mini-2024-07-18", encoding: "o200k_base", maxTokensPerExample: 65_536, trainingPerMillion: 3,
                  source: "tokonomics.ca/blog/llm-fine-tuning-costs-guide; getapipulse.com/blog-fine-tuning-costs-2026.html"),
        ModelInfo(model: "gpt-4o-2024-08-06", encoding: "o200k_base", maxTokensPerExample: 65_536, trainingPerMillion: 25,
                  source: "tokonomics.ca/blog/llm-fine-tuning-costs-guide; getapipulse.com/blog-fine-tuning-costs-2026.html"),
        ModelInfo(model: "gpt-4.1-2025-04-14", encoding: "o200k_base", maxTokensPerExample: 65_536, trainingPerMillion: nil,
                  source: "limit not published; assumed equal to gpt-4o; no confirmed price"),
        ModelInfo(model: "gpt-4.1-mini-2025-04-14", encoding: "o200k_base", maxTokensPerExample: 65_536, trainingPerMillion: nil,
                  source: "limit not published; assumed equal to gpt-4o; no confirmed price"),
        ModelInfo(model: "gpt-4.1-nano-2025-04-14", encoding: "o200k_base", maxTokensPerExample: 65_536, trainingPerMillion: nil,
                  source: "limit not published; assumed equal to gpt-4o; no confirmed price"),
        ModelInfo(model: "gpt-3.5-turbo-0125", encoding: "cl100k_base", maxTokensPerExample: 16_385, trainingPerMillion: 8,
                  source: "getapipulse.com/blog-fine-tuning-costs-2026.html; limit: community.openai.com/t/563147"),
        ModelInfo(model: "gpt-3.5-turbo-1106", encoding: "cl100k_base", maxTokensPerExample: 16_385, trainingPerMillion: 8,
                  source: "getapipulse.com/blog-fine-tuning-costs-2026.html; limit: community.openai.com/t/563147"),
        ModelInfo(model: "gpt-3.5-turbo-0613", encoding: "cl100k_base", maxTokensPerExample: 4_096, trainingPerMillion: 8,
                  source: "getapipulse.com/blog-fine-tuning-costs-2026.html"),
        ModelInfo(model: "gpt-4-0613", encoding: "cl100k_base", maxTokensPerExample: 8_192, trainingPerMillion: nil,
                  source: "experimental access only; no confirmed price"),
        ModelInfo(model: "davinci-002", encoding: "cl100k_base", maxTokensPerExample: 4_096, trainingPerMillion: nil,
                  source: "legacy completion model, 4k context; no confirmed price"),
        ModelInfo(model: "babbage-002", encoding: "cl100k_base", maxTokensPerExample: 4_096, trainingPerMillion: nil,
                  source: "legacy completion model, 4k context; no confirmed price"),
    ])

    /// The model a name refers to: `ft:` ids resolve to their base model, and a name without a
    /// date (`gpt-4o-mini`) to the first entry that is that name plus a date.
    public func info(for name: String) -> ModelInfo? {
        var base = name
        if base.hasPrefix("ft:") {
            base = String(base.dropFirst(3).split(separator: ":", omittingEmptySubsequences: false).first ?? "")
        }
        if let exact = models.first(where: { $0.model == base }) { return exact }
        return models.first { m in
            m.model.hasPrefix(base + "-") && m.model.dropFirst(base.count + 1).first?.isNumber == true
        }
    }

    /// The built-in table with the user's file (if any) laid over it.
    public static func standard(paths: Paths = Paths()) throws(Diagnostic) -> PriceTable {
        let user = paths.config + "/prices.json"
        guard FileManager.default.fileExists(atPath: user) else { return builtin }
        return try builtin.overlaid(with: load(path: user))
    }

    /// Entries of `other` replace or extend this table's; its date and default win when given.
    public func overlaid(with other: PriceTable) -> PriceTable {
        var out = self
        if !other.asOf.isEmpty { out.asOf = other.asOf }
        if !other.defaultModel.isEmpty { out.defaultModel = other.defaultModel }
        for m in other.models {
            if let i = out.models.firstIndex(where: { $0.model == m.model }) { out.models[i] = m } else { out.models.append(m) }
        }
        return out
    }

    /// Reads a price file: `{"as_of", "currency", "default_model", "models": [{"model", "encoding",
    /// "max_tokens_per_example", "training_per_1m", "source"}]}`.
    public static func load(path: String) throws(Diagnostic) -> PriceTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .error("cannot read price table \(path)", id: "config.price-table")
        }
        let v = try JSON.decode(bytes: [UInt8](data), file: path)
        func bad(_ what: String) -> Diagnostic { .error("\(path): \(what)", id: "config.price-table") }
        guard let r = v.recordValue else { throw bad("expected a JSON object") }
        var models: [ModelInfo] = []
        for (i, item) in (r["models"]?.listValue ?? []).enumerated() {
            guard let m = item.recordValue, let name = m["model"]?.stringValue else { throw bad("models[\(i)] needs a \"model\" name") }
            let price: Double?
            switch m["training_per_1m"] {
            case .number(let n)?: price = n
            case .null?, nil: price = nil
            default: throw bad("models[\(i)].training_per_1m must be a number or null")
            }
            models.append(ModelInfo(model: name, encoding: m["encoding"]?.stringValue ?? "o200k_base",
                                    maxTokensPerExample: m["max_tokens_per_example"]?.intValue ?? 65_536,
                                    trainingPerMillion: price, source: m["source"]?.stringValue ?? ""))
        }
        return PriceTable(asOf: r["as_of"]?.stringValue ?? "", currency: r["currency"]?.stringValue ?? "USD",
                          defaultModel: r["default_model"]?.stringValue ?? "", models: models)
    }

    public func toValue() -> Value {
        .record(Record([
            ("as_of", .string(asOf)), ("currency", .string(currency)), ("default_model", .string(defaultModel)),
            ("models", .list(models.map { $0.toValue() })),
        ]))
    }
}

/// The default-epochs rule of the cookbook notebook and the billed-token estimate built on it.
public enum TrainingEstimate {
    public static let targetEpochs = 3
    public static let minTargetExamples = 100
    public static let maxTargetExamples = 25_000
    public static let minDefaultEpochs = 1
    public static let maxDefaultEpochs = 25

    /// Epochs OpenAI picks when `n_epochs` is "auto": 3, raised so that small files see about
    /// 100 examples and lowered so that large ones see about 25,000.
    public static func defaultEpochs(examples n: Int) -> Int {
        guard n > 0 else { return targetEpochs }
        if targetEpochs * n < minTargetExamples { return min(maxDefaultEpochs, minTargetExamples / n) }
        if targetEpochs * n > maxTargetExamples { return max(minDefaultEpochs, maxTargetExamples / n) }
        return targetEpochs
    }

    /// Tokens charged: epochs × the sum over examples of their tokens, each capped at the limit.
    public static func billedTokens(exampleTokens: [Int], maxTokensPerExample: Int, epochs: Int) -> Int {
        epochs * exampleTokens.reduce(0) { $0 + min($1, maxTokensPerExample) }
    }

    /// Dollars for `tokens` at `perMillion`.
    public static func cost(tokens: Int, perMillion: Double) -> Double { Double(tokens) / 1_000_000 * perMillion }
}
