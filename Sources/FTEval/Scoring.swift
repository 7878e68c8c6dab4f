import FTCore
import Foundation

public enum Evaluation {
    /// Scores every example with every metric. Throws `Diagnostic` for unusable input (no
    /// examples, an example without a reference for a metric that needs one, a bad pattern)
    /// and `Interrupted` on Ctrl-C.
    public static func score(_ examples: [Example], metrics: [Metric]) throws -> MetricReport {
        guard !examples.isEmpty else {
            throw Diagnostic.error("no examples to score", id: "eval.empty")
        }
        guard !metrics.isEmpty else {
            throw Diagnostic.error("no metrics to compute", id: "usage.no-metrics")
        }
        if metrics.contains(where: \.needsReference),
           let i = examples.firstIndex(where: { $0.references.isEmpty }) {
            throw Diagnostic.error("example \(i + 1) has no reference", id: "eval.missing-reference",
                                   notes: ["reference-based metrics need at least one reference per example"])
        }
        var results: [MetricResult] = []
        for metric in metrics {
            var stats: [[Double]] = []
            stats.reserveCapacity(examples.count)
            switch metric {
            case .exactMatch:
                for e in examples { stats.append([ExactMatch.matches(e.prediction, references: e.references) ? 100 : 0]) }
            case .squadEM:
                for e in examples { stats.append([SQuAD.exactMatch(e.prediction, references: e.references) ? 100 : 0]) }
            case .squadF1:
                for e in examples { stats.append([100 * SQuAD.f1(e.prediction, references: e.references)]) }
            case .bleu:
                var scorer = BLEUScorer()
                for (i, e) in examples.enumerated() {
                    if i & 255 == 255 { try Interrupt.check() }
                    stats.append(scorer.statistics(e.prediction, references: e.references).flat)
                }
            case .chrF, .chrFpp:
                var scorer = CHRFScorer(wordOrder: metric == .chrF ? 0 : 2)
                for (i, e) in examples.enumerated() {
                    if i & 255 == 255 { try Interrupt.check() }
                    stats.append(scorer.statistics(e.prediction, references: e.references).map(Double.init))
                }
            case .rouge(let kind, let tokenizer, let stemmed):
                var scorer = RougeScorer(tokenizer: tokenizer, stemmer: stemmed)
                for (i, e) in examples.enumerated() {
                    if i & 255 == 255 { try Interrupt.check() }
                    let s = scorer.score(e.prediction, references: e.references, kinds: [kind])
                    stats.append([100 * (s[kind]?.fmeasure ?? 0)])
                }
            case .format(let check):
                let compiled = try check.compiled()
                for e in examples { stats.append([compiled.passes(e.prediction) ? 100 : 0]) }
            }
            let width = stats[0].count
            var sum = [Double](repeating: 0, count: width)
            for s in stats { for k in 0..<width { sum[k] += s[k] } }
            results.append(MetricResult(metric: metric, corpus: metric.corpusScore(summed: sum, count: stats.count),
                                        lines: stats.map(metric.lineScore), statistics: stats))
        }
        return MetricReport(count: examples.count, results: results)
    }
}

/// Reads examples from JSONL: each line an object with a string `prediction` and a
/// `reference` (a string) or `references` (a list of strings). Blank lines are skipped.
public enum ExampleFile {
    public static func read(path: String, requireReference: Bool = true) throws(Diagnostic) -> [Example] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostic.error("cannot read \(path)", id: "eval.unreadable-file")
        }
        return try parse(bytes: [UInt8](data), file: path, requireReference: requireReference)
    }

    public static func parse(bytes: [UInt8], file: String, requireReference: Bool = true) throws(Diagnostic) -> [Example] {
        var examples: [Example] = []
        var line = 1
        var start = 0
        while start <= bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var slice = Array(bytes[start..<end])
            if slice.last == 0x0D { slice.removeLast() }
            if line == 1 && slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice.removeFirst(3) }
            if slice.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                examples.append(try example(slice, file: file, line: line, requireReference: requireReference))
            }
            line += 1
            start = end + 1
        }
        guard !examples.isEmpty else {
            throw Diagnostic.error("\(file) has no examples", id: "eval.empty",
                                   notes: ["expected JSON lines like {\"prediction\": \"…\", \"reference\": \"…\"}"])
        }
        return examples
    }

    static func example(_ bytes: [UInt8], file: String, line: Int, requireReference: Bool) throws(Diagnostic) -> Example {
        let at = SourceLocation(file: file, line: line, column: 1)
        guard let record = try JSON.decode(bytes: bytes, file: file, line: line).recordValue else {
            throw Diagnostic.error("expected a JSON object with \"prediction\" and \"reference\"", id: "eval.not-an-object", at: at)
        }
        guard let p = record["prediction"] else {
            throw Diagnostic.error("missing \"prediction\"", id: "eval.missing-field", at: at)
        }
        guard let prediction = p.stringValue else {
            throw Diagnostic.error("\"prediction\" is a \(p.typeName); expected a string", id: "eval.not-a-string", at: at)
        }
        var references: [String] = []
        if let r = record["reference"] ?? record["references"] {
            switch r {
            case .string(let s): references = [s]
            case .list(let items):
                for item in items {
                    guard let s = item.stringValue else {
                        throw Diagnostic.error("a reference is a \(item.typeName); expected a string",
                                               id: "eval.not-a-string", at: at)
                    }
                    references.append(s)
                }
            default:
                throw Diagnostic.error("\"reference\" is a \(r.typeName); expected a string or a list of strings",
                                       id: "eval.not-a-string", at: at)
            }
        }
        if requireReference && references.isEmpty {
            throw Diagnostic.error("missing \"reference\"", id: "eval.missing-field", at: at)
        }
        return Example(prediction: prediction, references: references)
    }
}
