import FTCore

/// A metric by name, as `eval metrics --metrics …` and `eval compare` take them.
///
/// Every metric reports on a 0–100 scale here (sacrebleu's scale): ROUGE F and SQuAD F1 are
/// multiplied by 100, exact match and format checks are 100 for a pass and 0 for a fail. Corpus
/// BLEU and chrF come from summed segment statistics (as sacrebleu's corpus scores do); every
/// other corpus score is the mean of the per-line scores.
public enum Metric: Hashable, Sendable {
    /// The prediction equals a reference exactly.
    case exactMatch
    /// SQuAD v1.1 exact match after normalisation.
    case squadEM
    /// SQuAD v1.1 token F1.
    case squadF1
    case bleu
    case chrF
    /// chrF with word unigrams and bigrams.
    case chrFpp
    case rouge(Rouge.Kind, Rouge.Tokenizer, stemmed: Bool)
    case format(FormatCheck)

    public var name: String {
        switch self {
        case .exactMatch: "exact_match"
        case .squadEM: "squad_em"
        case .squadF1: "squad_f1"
        case .bleu: "bleu"
        case .chrF: "chrf"
        case .chrFpp: "chrf++"
        case .rouge(let kind, let tokenizer, let stemmed):
            kind.rawValue + (tokenizer == .unicode ? "-unicode" : "") + (stemmed ? "-stem" : "")
        case .format(let check): check.name
        }
    }

    public var needsReference: Bool { if case .format = self { false } else { true } }

    /// Scores that are only ever 0 or 100 per line: a line passes when it scores 100.
    public var isPassFail: Bool {
        switch self {
        case .exactMatch, .squadEM, .format: true
        default: false
        }
    }

    /// Corpus score from summed per-line statistics (`count` lines).
    public var isCorpusLevel: Bool {
        switch self {
        case .bleu, .chrF, .chrFpp: true
        default: false
        }
    }

    /// The metrics `eval metrics` computes when none are named.
    public static let defaults: [Metric] = [
        .exactMatch, .squadF1, .bleu, .chrF, .rouge(.rouge1, .rougeScore, stemmed: false),
        .rouge(.rouge2, .rougeScore, stemmed: false), .rouge(.rougeL, .rougeScore, stemmed: false),
    ]

    /// Names for help and completion; `rouge`, `rouge-stem` and `rouge-unicode` name all four
    /// ROUGE kinds, `regex:PATTERN` and `contains:TEXT` take their argument after the colon.
    public static let names: [String] = {
        var n = ["exact_match", "squad_em", "squad_f1", "bleu", "chrf", "chrf++", "rouge", "rouge-stem", "rouge-unicode"]
        for t in ["", "-unicode"] { for s in ["", "-stem"] { for k in Rouge.Kind.allCases { n.append(k.rawValue + t + s) } } }
        return n + ["json", "regex:", "contains:"]
    }()

    /// One name (a group name gives several metrics).
    public static func parse(_ spec: String) throws(Diagnostic) -> [Metric] {
        if spec.hasPrefix("regex:") { return [.format(.regex(String(spec.dropFirst(6))))] }
        if spec.hasPrefix("contains:") { return [.format(.contains(String(spec.dropFirst(9))))] }
        switch spec {
        case "exact_match", "em": return [.exactMatch]
        case "squad_em": return [.squadEM]
        case "squad_f1", "f1": return [.squadF1]
        case "squad": return [.squadEM, .squadF1]
        case "bleu": return [.bleu]
        case "chrf": return [.chrF]
        case "chrf++": return [.chrFpp]
        case "json": return [.format(.json)]
        default: break
        }
        var rest = Substring(spec)
        var stemmed = false, tokenizer = Rouge.Tokenizer.rougeScore
        if rest.hasSuffix("-stem") { stemmed = true; rest = rest.dropLast(5) }
        if rest.hasSuffix("-unicode") { tokenizer = .unicode; rest = rest.dropLast(8) }
        if rest == "rouge" { return Rouge.Kind.allCases.map { .rouge($0, tokenizer, stemmed: stemmed) } }
        if let kind = Rouge.Kind(rawValue: String(rest)) { return [.rouge(kind, tokenizer, stemmed: stemmed)] }
        throw Diagnostic.error("unknown metric \(JSON.quote(spec))", id: "usage.unknown-metric",
                               notes: ["metrics: " + names.joined(separator: ", ")])
    }

    /// Several names, duplicates dropped, order kept.
    public static func parse(_ specs: [String]) throws(Diagnostic) -> [Metric] {
        var out: [Metric] = []
        for s in specs { for m in try parse(s) where !out.contains(m) { out.append(m) } }
        return out
    }

    /// The corpus score from per-line statistics summed over `count` lines.
    public func corpusScore(summed stats: [Double], count: Int) -> Double {
        switch self {
        case .bleu: return BLEU.score(BLEU.Statistics(flat: stats), effectiveOrder: false).score
        case .chrF, .chrFpp: return CHRF.fScore(flat: stats)
        default: return count == 0 ? 0 : stats[0] / Double(count)
        }
    }

    /// The line's own score from its statistics (sentence BLEU uses the effective order).
    func lineScore(_ stats: [Double]) -> Double {
        switch self {
        case .bleu: return BLEU.score(BLEU.Statistics(flat: stats), effectiveOrder: true).score
        case .chrF, .chrFpp: return CHRF.fScore(flat: stats)
        default: return stats[0]
        }
    }
}

/// A prediction and its references (one or more; none for format checks only).
public struct Example: Sendable, Hashable {
    public var prediction: String
    public var references: [String]
    public init(prediction: String, references: [String]) {
        self.prediction = prediction
        self.references = references
    }
    public init(prediction: String, reference: String) { self.init(prediction: prediction, references: [reference]) }
}

/// One metric over a set of examples: the corpus score, each line's score, and the per-line
/// statistics a bootstrap resamples.
public struct MetricResult: Sendable, Hashable {
    public let metric: Metric
    public let corpus: Double
    public let lines: [Double]
    public let statistics: [[Double]]

    public var name: String { metric.name }

    /// The corpus score over a resample of lines (indices may repeat).
    public func corpusScore(over indices: [Int]) -> Double {
        guard let width = statistics.first?.count else { return 0 }
        var sum = [Double](repeating: 0, count: width)
        for i in indices { for k in 0..<width { sum[k] += statistics[i][k] } }
        return metric.corpusScore(summed: sum, count: indices.count)
    }

    public func toValue(perLine: Bool = false) -> Value {
        var r: Record = ["metric": .string(name), "score": .number(corpus)]
        if perLine { r["lines"] = .list(lines.map { .number($0) }) }
        return .record(r)
    }
}

/// Every requested metric over the same examples.
public struct MetricReport: Sendable, Hashable {
    public let count: Int
    public let results: [MetricResult]

    public subscript(name: String) -> MetricResult? { results.first { $0.name == name } }

    /// `{count, scores: {metric: score}, lines: [{metric: score}]}`; lines only when asked.
    public func toValue(perLine: Bool = false) -> Value {
        var scores = Record()
        for r in results { scores[r.name] = .number(r.corpus) }
        var out: Record = ["count": .int(count), "scores": .record(scores)]
        if perLine {
            out["lines"] = .list((0..<count).map { i in
                var line = Record()
                for r in results { line[r.name] = .number(r.lines[i]) }
                return .record(line)
            })
        }
        return .record(out)
    }
}
