import FTCore

/// `data cost`: what training on a dataset would bill, per model, from the dated price table.
public struct CostEstimate: Sendable {
    public var model: String
    public var examples: Int
    /// Epochs used: the caller's, or the "auto" rule's (`TrainingEstimate.defaultEpochs`).
    public var epochs: Int
    public var epochsAreDefault: Bool
    /// Tokens of the dataset with each example capped at the model's limit.
    public var tokensPerEpoch: Int
    public var billedTokens: Int
    public var pricePerMillion: Double?
    public var cost: Double?
    public var currency: String
    public var priceAsOf: String

    /// The estimate for one model from per-example token totals.
    public init(exampleTokens: [Int], model: ModelInfo, epochs: Int? = nil, prices: PriceTable) {
        self.model = model.model
        examples = exampleTokens.count
        self.epochs = epochs ?? TrainingEstimate.defaultEpochs(examples: exampleTokens.count)
        epochsAreDefault = epochs == nil
        tokensPerEpoch = exampleTokens.reduce(0) { $0 + min($1, model.maxTokensPerExample) }
        billedTokens = self.epochs * tokensPerEpoch
        pricePerMillion = model.trainingPerMillion
        let billed = billedTokens
        cost = model.trainingPerMillion.map { TrainingEstimate.cost(tokens: billed, perMillion: $0) }
        currency = prices.currency
        priceAsOf = prices.asOf
    }

    /// Estimates for `models` (default: every model in the table), counting with `counter`.
    /// Models missing from the table are an error, so a typo does not pass as "no price".
    public static func estimate(_ dataset: Dataset, counter: any TokenCounter, prices: PriceTable,
                                models: [String]? = nil, epochs: Int? = nil) throws(Diagnostic) -> [CostEstimate] {
        let totals = dataset.examples.map { TokenAccounting.tokens(of: $0.node, format: dataset.format, counter: counter)?.total ?? 0 }
        var infos: [ModelInfo] = []
        for name in models ?? prices.models.map(\.model) {
            guard let info = prices.info(for: name) else {
                throw DataRules.finding("data.unknown-model", "model \"\(name)\" is not in the price table (as of \(prices.asOf))", at: nil)
            }
            infos.append(info)
        }
        if let epochs, !(1...50).contains(epochs) {
            throw .error("--epochs must be between 1 and 50, got \(epochs)", id: "usage.bad-epochs")
        }
        return infos.map { CostEstimate(exampleTokens: totals, model: $0, epochs: epochs, prices: prices) }
    }

    public func toValue() -> Value {
        .record(Record([
            ("model", .string(model)), ("examples", .int(examples)), ("epochs", .int(epochs)),
            ("epochs_default", .bool(epochsAreDefault)), ("tokens_per_epoch", .int(tokensPerEpoch)),
            ("billed_tokens", .int(billedTokens)), ("price_per_1m", pricePerMillion.map(Value.number) ?? .null),
            ("cost", cost.map { .number(($0 * 100).rounded() / 100) } ?? .null),
            ("currency", .string(currency)), ("price_as_of", .string(priceAsOf)),
        ]))
    }
}
