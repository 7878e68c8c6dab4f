import FTCore

/// A summary of a list of counts: the numbers the cookbook notebook prints for messages per
/// example, tokens per example and assistant tokens per example, plus a histogram.
public struct Distribution: Sendable, Hashable {
    public var count: Int
    public var sum: Int
    public var min: Int
    public var max: Int
    public var mean: Double
    public var median: Double
    /// The notebook labels these "p5/p95" but computes the 0.1 and 0.9 quantiles; ftsh names them for what they are.
    public var p10: Double
    public var p90: Double
    public var histogram: Histogram

    public struct Histogram: Sendable, Hashable {
        /// `bins + 1` edges; bin i covers [edges[i], edges[i+1]), the last bin includes its upper edge.
        public var edges: [Int]
        public var counts: [Int]
    }

    /// Quantiles interpolate linearly between order statistics (numpy's default, which the notebook uses).
    public init(_ values: [Int], bins: Int = 10) {
        let sorted = values.sorted()
        count = sorted.count
        sum = sorted.reduce(0, +)
        guard let lo = sorted.first, let hi = sorted.last else {
            min = 0; max = 0; mean = 0; median = 0; p10 = 0; p90 = 0
            histogram = Histogram(edges: [], counts: [])
            return
        }
        min = lo
        max = hi
        mean = Double(sum) / Double(count)
        median = Self.quantile(sorted, 0.5)
        p10 = Self.quantile(sorted, 0.1)
        p90 = Self.quantile(sorted, 0.9)
        histogram = Self.histogram(sorted, bins: bins)
    }

    static func quantile(_ sorted: [Int], _ q: Double) -> Double {
        let pos = q * Double(sorted.count - 1)
        let i = Int(pos)
        let frac = pos - Double(i)
        if i + 1 >= sorted.count { return Double(sorted[i]) }
        return Double(sorted[i]) + (Double(sorted[i + 1]) - Double(sorted[i])) * frac
    }

    /// Equal-width integer bins from the minimum to the maximum.
    static func histogram(_ sorted: [Int], bins: Int) -> Histogram {
        let lo = sorted.first!, hi = sorted.last!
        let span = hi - lo + 1
        let n = Swift.max(1, Swift.min(bins, span))
        let width = (span + n - 1) / n
        var edges = (0...n).map { lo + $0 * width }
        edges[n] = Swift.max(edges[n], hi)
        var counts = Array(repeating: 0, count: n)
        for v in sorted { counts[Swift.min((v - lo) / width, n - 1)] += 1 }
        return Histogram(edges: edges, counts: counts)
    }

    public func toValue() -> Value {
        .record(Record([
            ("count", .int(count)), ("sum", .int(sum)), ("min", .int(min)), ("max", .int(max)),
            ("mean", .number(Self.round(mean))), ("median", .number(median)),
            ("p10", .number(Self.round(p10))), ("p90", .number(Self.round(p90))),
            ("histogram", .record(Record([
                ("edges", .list(histogram.edges.map { .int($0) })),
                ("counts", .list(histogram.counts.map { .int($0) })),
            ]))),
        ]))
    }

    static func round(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}
