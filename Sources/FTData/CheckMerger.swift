import FTCore

/// Folds batch analyses together in file order and adds the rules that need the whole file:
/// duplicates, mixed formats, counts, the legacy completion advice and the cost estimate.
struct CheckMerger {
    let file: String
    let options: CheckOptions
    let model: ModelInfo
    let modelKnown: Bool
    var datasetFormat: DataFormat?
    var firstExampleLine = 0
    var findings: [Diagnostic] = []
    var listed: [String: Int] = [:]
    var counts: [String: Int] = [:]
    var aggregated: [String: Aggregate] = [:]
    /// Kept only when loading; a check keeps the running figures below instead.
    var records: [ExampleRecord] = []
    let keepRecords: Bool
    var nodes: [JSONNode] = []
    var exampleCount = 0
    var examplesWithErrors = 0
    var totals = Frequencies()
    var trained = Frequencies()
    var messageCounts = Frequencies()
    var roleTokens: [(role: String, tokens: Frequencies)] = []
    var cappedTokens = 0
    var profile = CompletionProfile()
    var exactSeen: [UInt64: Int] = [:]
    var normalizedSeen: [UInt64: Int] = [:]
    var lines = 0
    var blankLines = 0

    init(file: String, options: CheckOptions, keepRecords: Bool = false) {
        self.file = file
        self.options = options
        self.keepRecords = keepRecords
        let wanted = options.model ?? options.prices.defaultModel
        if let info = options.prices.info(for: wanted) {
            model = info
            modelKnown = true
        } else {
            let fallback = options.prices.info(for: options.prices.defaultModel)
                ?? ModelInfo(model: wanted, encoding: "o200k_base", maxTokensPerExample: 65_536, trainingPerMillion: nil)
            model = ModelInfo(model: wanted, encoding: fallback.encoding, maxTokensPerExample: fallback.maxTokensPerExample,
                              trainingPerMillion: nil, source: "unknown model; limits of \(fallback.model)")
            modelKnown = false
        }
        datasetFormat = options.format
    }

    var tokenLimit: Int { options.maxTokensPerExample ?? model.maxTokensPerExample }

    mutating func add(_ d: Diagnostic) {
        counts[d.id, default: 0] += 1
        if listed[d.id, default: 0] < options.findingsPerRule {
            listed[d.id, default: 0] += 1
            findings.append(d)
        }
    }

    mutating func merge(_ b: BatchAnalysis) {
        lines += b.lines
        blankLines += b.blankLines
        var i = 0
        // Findings of a batch are in line order; interleave the cross-line ones at their example.
        for (k, r) in b.examples.enumerated() {
            while i < b.findings.count, b.findings[i].location?.line ?? 0 <= r.line { add(b.findings[i]); i += 1 }
            if datasetFormat == nil {
                datasetFormat = r.format
                firstExampleLine = r.line
            } else if r.format != datasetFormat {
                add(DataRules.finding("data.mixed-formats",
                    "this is a \(r.format.rawValue) example, but the file's first example (line \(firstExampleLine)) is \(datasetFormat!.rawValue)",
                    at: SourceLocation(file: file, line: r.line, column: 1)))
            }
            if let first = exactSeen[r.exact] {
                add(DataRules.finding("data.duplicate", "example is identical to line \(first)",
                                      at: SourceLocation(file: file, line: r.line, column: 1)))
            } else {
                exactSeen[r.exact] = r.line
                if let first = normalizedSeen[r.normalized] {
                    add(DataRules.finding("data.near-duplicate", "example matches line \(first) when case and spacing are ignored",
                                          at: SourceLocation(file: file, line: r.line, column: 1)))
                } else {
                    normalizedSeen[r.normalized] = r.line
                }
            }
            exampleCount += 1
            if r.hasError { examplesWithErrors += 1 }
            if r.total >= 0 {
                totals.add(r.total)
                trained.add(r.trained)
                messageCounts.add(r.messages)
                cappedTokens += min(r.total, tokenLimit)
            }
            if keepRecords { records.append(r) }
            if !b.nodes.isEmpty { nodes.append(b.nodes[k]) }
        }
        while i < b.findings.count { add(b.findings[i]); i += 1 }
        for (id, a) in b.aggregated {
            if let have = aggregated[id] {
                aggregated[id] = Aggregate(count: have.count + a.count, first: have.first)
            } else {
                aggregated[id] = a
            }
        }
        for (role, tokens) in b.roleTokens.sorted(by: { $0.key < $1.key }) {
            var f = Frequencies()
            for t in tokens { f.add(t) }
            if let j = roleTokens.firstIndex(where: { $0.role == role }) { roleTokens[j].tokens.merge(f) } else { roleTokens.append((role, f)) }
        }
        profile.merge(b.profile)
    }

    /// The whole-file findings, the statistics and the estimate.
    mutating func finish(bytes: Int64, extra: [Diagnostic] = []) -> CheckReport {
        // Aggregated rules: one finding at the first occurrence, with the count.
        for id in DataRules.all.map(\.id) {
            guard let a = aggregated[id] else { continue }
            var d = a.first
            if a.count > 1 { d.message += " (\(a.count) times; first shown)" }
            findings.append(d)
            counts[id, default: 0] += a.count - 1
            counts[id, default: 0] += 1
        }
        // Stable order by position; whole-file findings follow.
        findings = findings.enumerated().sorted { a, b in
            let la = a.element.location, lb = b.element.location
            if la?.line != lb?.line { return (la?.line ?? 0) < (lb?.line ?? 0) }
            if la?.column != lb?.column { return (la?.column ?? 0) < (lb?.column ?? 0) }
            return a.offset < b.offset
        }.map(\.element)
        var tail = extra
        if datasetFormat == .completion {
            tail += profile.findings(file: file)
        }
        let n = exampleCount
        let fileStart = SourceLocation(file: file, line: 1, column: 1)
        if n == 0 && !counts.keys.contains(where: { DataRules.rule($0)?.severity == .error }) && extra.isEmpty {
            tail.append(DataRules.finding("data.empty-file", blankLines > 0 ? "file holds only blank lines" : "file is empty", at: fileStart))
        } else if n < 10 {
            tail.append(DataRules.finding("data.too-few-examples", "\(n) example\(n == 1 ? "" : "s"); fine-tuning needs at least 10", at: fileStart))
        } else if n < 50 {
            tail.append(DataRules.finding("data.small-dataset", "\(n) examples; 50 to 100 well-made examples is a better start", at: fileStart))
        }
        if bytes > 512 * 1024 * 1024 {
            tail.append(DataRules.finding("data.file-too-large", "file is \(bytes / (1024 * 1024)) MB; uploads are limited to 512 MB", at: fileStart))
        }
        if !modelKnown {
            tail.append(DataRules.finding("data.unknown-model",
                "model \"\(model.model)\" is not in the price table (as of \(options.prices.asOf)); using the limits of \(options.prices.defaultModel)", at: nil))
        }
        for d in tail {
            counts[d.id, default: 0] += 1
            findings.append(d)
        }

        var tokens: TokenStats?
        var billed: Int?
        var cost: Double?
        let epochs = TrainingEstimate.defaultEpochs(examples: n)
        if options.counter != nil {
            let perExample = Distribution(totals)
            tokens = TokenStats(perExample: perExample, trained: Distribution(trained),
                                messagesPerExample: Distribution(messageCounts),
                                perRole: roleTokens.map { ($0.role, Distribution($0.tokens)) },
                                overLimit: totals.counts.reduce(0) { $0 + ($1.key > tokenLimit ? $1.value : 0) },
                                totalTokens: totals.sum, trainedTokens: trained.sum)
            billed = epochs * cappedTokens
            if let price = model.trainingPerMillion { cost = TrainingEstimate.cost(tokens: billed!, perMillion: price) }
        }
        let ordered = DataRules.all.compactMap { rule in counts[rule.id].map { (id: rule.id, severity: rule.severity, count: $0) } }
        // Aggregated rules list one finding that stands for all of theirs.
        let omitted = counts.reduce(0) { sum, c in
            DataRules.rule(c.key)?.aggregated == true ? sum : sum + max(0, c.value - findings.filter { $0.id == c.key }.count)
        }
        return CheckReport(file: file, format: datasetFormat, bytes: bytes, lines: lines, examples: n,
                           examplesWithErrors: examplesWithErrors, findings: findings, counts: ordered,
                           omittedFindings: omitted, tokens: tokens, model: model, modelKnown: modelKnown,
                           epochs: epochs, billedTokens: billed, cost: cost, priceAsOf: options.prices.asOf,
                           currency: options.prices.currency, task: datasetFormat == .completion ? profile.task : nil)
    }
}
