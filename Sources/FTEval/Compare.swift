import FTCore

/// System A against system B on the same examples, for one metric: the difference in corpus
/// score with a paired bootstrap interval, how many lines B won, tied or lost, which lines
/// crossed a pass threshold, and the lines that changed most.
public struct Comparison: Sendable, Hashable {
    public struct Change: Sendable, Hashable {
        /// 0-based example index.
        public var index: Int
        public var a: Double
        public var b: Double
        public var delta: Double { b - a }
    }

    public var metric: String
    public var scoreA: Double
    public var scoreB: Double
    public var delta: Double { scoreB - scoreA }
    /// The 2.5th and 97.5th percentiles of the resampled deltas (B − A).
    public var low: Double
    public var high: Double
    public var samples: Int
    /// Share of resamples in which B scored higher than A.
    public var probabilityBBetter: Double
    public var wins: Int
    public var ties: Int
    public var losses: Int
    /// A line passes when its score is at least this.
    public var threshold: Double
    public var passToFail: [Int]
    public var failToPass: [Int]
    public var mostChanged: [Change]

    /// Whether the interval excludes zero.
    public var isSignificant: Bool { low > 0 || high < 0 }

    public func toValue() -> Value {
        .record([
            "metric": .string(metric), "a": .number(scoreA), "b": .number(scoreB), "delta": .number(delta),
            "ci_low": .number(low), "ci_high": .number(high), "ci_level": .number(0.95), "samples": .int(samples),
            "p_b_better": .number(probabilityBBetter), "significant": .bool(isSignificant),
            "wins": .int(wins), "ties": .int(ties), "losses": .int(losses), "threshold": .number(threshold),
            "pass_to_fail": .list(passToFail.map { .int($0) }), "fail_to_pass": .list(failToPass.map { .int($0) }),
            "most_changed": .list(mostChanged.map {
                .record(["index": .int($0.index), "a": .number($0.a), "b": .number($0.b), "delta": .number($0.delta)])
            }),
        ])
    }
}

public enum Compare {
    /// Compares two results of the same metric over the same examples, line i of A paired
    /// with line i of B. The bootstrap draws from `random.derived("bootstrap")`, restarted for
    /// each metric, so every metric sees the same resamples and a result does not depend on
    /// which other metrics were asked for. Corpus-level metrics (BLEU, chrF) are recomputed
    /// from resampled statistics, not averaged.
    public static func compare(_ a: MetricResult, _ b: MetricResult, random: SeededRandom, samples: Int = 1000,
                               threshold: Double? = nil, top: Int = 10) throws -> Comparison {
        guard a.metric == b.metric else {
            throw Diagnostic.error("cannot compare \(a.name) with \(b.name)", id: "eval.mismatched-metrics")
        }
        guard a.lines.count == b.lines.count else {
            throw Diagnostic.error("A has \(a.lines.count) examples and B has \(b.lines.count); a paired comparison needs the same examples",
                                   id: "eval.mismatched-lengths")
        }
        guard !a.lines.isEmpty else { throw Diagnostic.error("no examples to compare", id: "eval.empty") }
        guard samples >= 1 else {
            throw Diagnostic.error("bootstrap samples must be at least 1, got \(samples)", id: "usage.bad-samples")
        }
        let n = a.lines.count
        let (deltas, better) = try bootstrap(a, b, n: n, samples: samples, random: random.derived("bootstrap"))

        let tieTolerance = 1e-9
        var wins = 0, ties = 0, losses = 0
        for i in 0..<n {
            let d = b.lines[i] - a.lines[i]
            if abs(d) <= tieTolerance { ties += 1 } else if d > 0 { wins += 1 } else { losses += 1 }
        }
        let t = threshold ?? (a.metric.isPassFail ? 100 : 50)
        var passToFail: [Int] = [], failToPass: [Int] = []
        for i in 0..<n {
            let passA = a.lines[i] >= t, passB = b.lines[i] >= t
            if passA && !passB { passToFail.append(i) }
            if !passA && passB { failToPass.append(i) }
        }
        let changed = (0..<n).filter { abs(b.lines[$0] - a.lines[$0]) > tieTolerance }
            .sorted { x, y in
                let dx = abs(b.lines[x] - a.lines[x]), dy = abs(b.lines[y] - a.lines[y])
                return dx != dy ? dx > dy : x < y
            }
            .prefix(max(top, 0))
            .map { Comparison.Change(index: $0, a: a.lines[$0], b: b.lines[$0]) }
        return Comparison(metric: a.name, scoreA: a.corpus, scoreB: b.corpus, low: percentile(deltas, 0.025),
                          high: percentile(deltas, 0.975), samples: samples,
                          probabilityBBetter: Double(better) / Double(samples), wins: wins, ties: ties, losses: losses,
                          threshold: t, passToFail: passToFail, failToPass: failToPass, mostChanged: Array(changed))
    }

    /// Every metric the two reports share, in A's order.
    public static func compare(_ a: MetricReport, _ b: MetricReport, random: SeededRandom, samples: Int = 1000,
                               threshold: Double? = nil, top: Int = 10) throws -> [Comparison] {
        guard a.count == b.count else {
            throw Diagnostic.error("A has \(a.count) examples and B has \(b.count); a paired comparison needs the same examples",
                                   id: "eval.mismatched-lengths")
        }
        var out: [Comparison] = []
        for ra in a.results {
            guard let rb = b.results.first(where: { $0.metric == ra.metric }) else { continue }
            out.append(try compare(ra, rb, random: random, samples: samples, threshold: threshold, top: top))
        }
        return out
    }

    /// Resampled deltas (sorted) and how many of them were positive.
    static func bootstrap(_ a: MetricResult, _ b: MetricResult, n: Int, samples: Int,
                          random: SeededRandom) throws -> ([Double], Int) {
        var rng = random
        let width = a.statistics[0].count
        // Flat copies: the inner loop is samples × n × width additions.
        let fa = a.statistics.flatMap { $0 }, fb = b.statistics.flatMap { $0 }
        var sa = [Double](repeating: 0, count: width), sb = sa
        var deltas: [Double] = []
        deltas.reserveCapacity(samples)
        var better = 0
        for s in 0..<samples {
            if s & 63 == 63 { try Interrupt.check() }
            for k in 0..<width { sa[k] = 0; sb[k] = 0 }
            for _ in 0..<n {
                let base = rng.nextInt(below: n) * width
                for k in 0..<width { sa[k] += fa[base + k]; sb[k] += fb[base + k] }
            }
            let d = b.metric.corpusScore(summed: sb, count: n) - a.metric.corpusScore(summed: sa, count: n)
            if d > 0 { better += 1 }
            deltas.append(d)
        }
        deltas.sort()
        return (deltas, better)
    }

    /// Linear interpolation between order statistics (NumPy's default `percentile`).
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let pos = q * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        let frac = pos - Double(lo)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * frac
    }
}
