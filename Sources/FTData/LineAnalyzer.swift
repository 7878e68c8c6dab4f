import FTCore
import Foundation

/// Settings of a `data check` (and of `data load`, which runs the same reader and rules).
public struct CheckOptions: Sendable {
    /// The model whose limits and price apply; nil means the price table's default model.
    public var model: String?
    /// Validate every line as this format instead of detecting it.
    public var format: DataFormat?
    /// Counts tokens for statistics, limits and cost; without one those parts are left out.
    public var counter: (any TokenCounter)?
    public var prices: PriceTable
    /// Overrides the model's per-example token limit.
    public var maxTokensPerExample: Int?
    /// Lines longer than this are reported and skipped without being held in memory.
    public var maxLineBytes: Int
    /// Worker threads for big files (defaults to the number of cores).
    public var parallelism: Int
    /// Findings listed per rule; the rest are only counted.
    public var findingsPerRule: Int
    /// Bytes read per batch of lines.
    public var batchBytes: Int
    /// Polled between batches; true stops the run with `Interrupted` (Ctrl-C by default).
    public var isInterrupted: @Sendable () -> Bool = { Interrupt.isSet }

    public init(model: String? = nil, format: DataFormat? = nil, counter: (any TokenCounter)? = nil,
                prices: PriceTable = .builtin, maxTokensPerExample: Int? = nil, maxLineBytes: Int = 64 << 20,
                parallelism: Int? = nil, findingsPerRule: Int = 200, batchBytes: Int = 4 << 20) {
        self.model = model
        self.format = format
        self.counter = counter
        self.prices = prices
        self.maxTokensPerExample = maxTokensPerExample
        self.maxLineBytes = maxLineBytes
        self.parallelism = max(1, parallelism ?? ProcessInfoCores.count)
        self.findingsPerRule = findingsPerRule
        self.batchBytes = batchBytes
    }
}

/// What the check keeps of each example: enough for statistics, duplicates and format mixing,
/// a few dozen bytes whatever the example's size.
struct ExampleRecord: Sendable {
    var line: Int
    var format: DataFormat
    var hasError: Bool
    /// -1 when tokens were not counted.
    var total: Int
    var trained: Int
    var messages: Int
    var exact: UInt64
    var normalized: UInt64
}

struct Aggregate: Sendable {
    var count: Int
    var first: Diagnostic
}

/// The findings and records of one batch of lines, merged later in file order.
struct BatchAnalysis: Sendable {
    var findings: [Diagnostic] = []
    var aggregated: [String: Aggregate] = [:]
    var examples: [ExampleRecord] = []
    /// Parsed examples, parallel to `examples`, when loading.
    var nodes: [JSONNode] = []
    var roleTokens: [String: [Int]] = [:]
    var lines = 0
    var blankLines = 0
    var profile = CompletionProfile()

    mutating func take(_ ctx: LineContext) {
        for d in ctx.findings {
            if DataRules.rule(d.id)?.aggregated == true {
                if aggregated[d.id] == nil { aggregated[d.id] = Aggregate(count: 1, first: d) } else { aggregated[d.id]!.count += 1 }
            } else {
                findings.append(d)
            }
        }
    }
}

/// Runs every per-line rule on a batch. Stateless, so batches can be analysed on any thread.
struct LineAnalyzer: Sendable {
    let file: String
    let options: CheckOptions
    let tokenLimit: Int
    let keepNodes: Bool

    func analyze(_ batch: LineBatch) -> BatchAnalysis {
        var out = BatchAnalysis()
        if let long = batch.overlong {
            out.lines = 1
            out.findings.append(DataRules.finding("data.line-too-long",
                "line is \(long.byteCount) bytes, over the \(options.maxLineBytes)-byte limit; skipped",
                at: SourceLocation(file: file, line: long.line, column: 1)))
            return out
        }
        batch.bytes.withUnsafeBufferPointer { p in
            var start = 0
            var line = batch.firstLine
            while start < p.count {
                var end = start
                while end < p.count && p[end] != 0x0A { end += 1 }
                analyzeLine(UnsafeBufferPointer(rebasing: p[start..<end]), line: line, into: &out)
                out.lines += 1
                line += 1
                start = end + 1
            }
        }
        return out
    }

    func analyzeLine(_ raw: UnsafeBufferPointer<UInt8>, line: Int, into out: inout BatchAnalysis) {
        if raw.count > options.maxLineBytes {
            out.findings.append(DataRules.finding("data.line-too-long",
                "line is \(raw.count) bytes, over the \(options.maxLineBytes)-byte limit; skipped",
                at: SourceLocation(file: file, line: line, column: 1)))
            return
        }
        var p = raw
        if let last = p.last, last == 0x0D {
            p = UnsafeBufferPointer(rebasing: p[0..<(p.count - 1)])
            out.take(finding("data.crlf", "line ends with CR LF", line: line, column: p.count + 1))
        }
        if p.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
            out.blankLines += 1
            out.take(finding("data.blank-line", p.isEmpty ? "blank line" : "line holds only whitespace", line: line, column: 1))
            return
        }
        var ctx = LineContext(file: file, line: line, bytes: p)
        if let bad = UTF8Check.firstInvalid(p) {
            ctx.report("data.invalid-utf8", "invalid UTF-8 byte 0x\(String(p[bad], radix: 16, uppercase: true)); the file must be UTF-8", at: bad, end: bad + 1)
            out.take(ctx)
            return
        }
        let node: JSONNode
        do {
            node = try JSONLineParser.parse(p)
        } catch {
            let id = error.message.hasPrefix("duplicate key") ? "data.duplicate-key" : "data.invalid-json"
            ctx.report(id, error.message, at: error.offset)
            out.take(ctx)
            return
        }
        analyzeExample(node, exact: Fingerprint.line(p), ctx: &ctx, into: &out)
    }

    private func finding(_ id: String, _ message: String, line: Int, column: Int) -> LineContext {
        var c = LineContext(file: file, line: line, bytes: UnsafeBufferPointer(start: nil, count: 0))
        c.findings.append(DataRules.finding(id, message, at: SourceLocation(file: file, line: line, column: column)))
        return c
    }

    /// The rules of one parsed example; `ctx` locates its findings.
    func analyzeExample(_ node: JSONNode, exact: UInt64, ctx: inout LineContext, into out: inout BatchAnalysis) {
        guard node.members != nil else {
            ctx.report("data.not-object", "expected a JSON object per line, found \(node.typeDescription)", node: node)
            out.take(ctx)
            return
        }
        guard let format = options.format ?? DataFormat.detect(node) else {
            let keys = (node.members ?? []).prefix(4).map { "\"\($0.key)\"" }.joined(separator: ", ")
            ctx.report("data.unknown-format",
                       "cannot tell the example's format from its keys (\(keys.isEmpty ? "none" : keys)); expected \"messages\", \"prompt\"/\"completion\" or \"input\"/\"preferred_output\"",
                       at: node.offset)
            out.take(ctx)
            return
        }
        switch format {
        case .chat: ChatRules.validateChat(node, &ctx)
        case .preference: ChatRules.validatePreference(node, &ctx)
        case .completion:
            CompletionRules.validate(node, &ctx)
            if let p = node["prompt"]?.stringValue, let c = node["completion"]?.stringValue {
                out.profile.add(prompt: p, completion: c, line: ctx.line)
            }
        }
        var record = ExampleRecord(line: ctx.line, format: format, hasError: ctx.hasError, total: -1, trained: -1,
                                   messages: 0, exact: exact, normalized: Fingerprint.normalized(node))
        if let counter = options.counter, let t = TokenAccounting.tokens(of: node, format: format, counter: counter) {
            record.total = t.total
            record.trained = t.trained
            record.messages = t.messages
            for (role, n) in t.perMessage { out.roleTokens[role, default: []].append(n) }
            if t.total > tokenLimit {
                ctx.report("data.too-long", "example has \(t.total) tokens, over the \(tokenLimit)-token limit; it will be truncated",
                           at: node.offset)
            }
        } else {
            record.messages = (format == .chat ? node["messages"]?.arrayValue?.count : nil) ?? 0
        }
        out.take(ctx)
        out.examples.append(record)
        if keepNodes { out.nodes.append(node) }
    }
}

enum ProcessInfoCores {
    static var count: Int { ProcessInfo.processInfo.activeProcessorCount }
}
