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
        var f = Frequencies()
        for v in values { f.add(v) }
        self.init(f, bins: bins)
    }

    /// The same summary from value counts, so a check of millions of examples keeps one entry
    /// per distinct token count instead of one per example.
    public init(_ f: Frequencies, bins: Int = 10) {
        let keys = f.counts.keys.sorted()
        count = f.total
        sum = f.sum
        guard let lo = keys.first, let hi = keys.last else {
            min = 0; max = 0; mean = 0; median = 0; p10 = 0; p90 = 0
            histogram = Histogram(edges: [], counts: [])
            return
        }
        min = lo
        max = hi
        mean = Double(sum) / Double(count)
        // Cumulative counts: the value at 0-based rank r is the first key whose cumulative count exceeds r.
        var cumulative: [Int] = []
        var running = 0
        for k in keys { running += f.counts[k]!; cumulative.append(running) }
        func at(_ rank: Int) -> Double {
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] > rank { hi = mid } else { lo = mid + 1 }
            }
            return Double(keys[lo])
        }
        let total = f.total
        func quantile(_ q: Double) -> Double {
            let pos = q * Double(total - 1)
            let i = Int(pos)
            let frac = pos - Double(i)
            if i + 1 >= total { return at(i) }
            let a = at(i), b = at(i + 1)
            return a + (b - a) * frac
        }
        median = quantile(0.5)
        p10 = quantile(0.1)
        p90 = quantile(0.9)
        let span = hi - lo + 1
        let n = Swift.max(1, Swift.min(bins, span))
        let width = (span + n - 1) / n
        var edges = (0...n).map { lo + $0 * width }
        edges[n] = Swift.max(edges[n], hi)
        var binCounts = Array(repeating: 0, count: n)
        for (k, c) in f.counts { binCounts[Swift.min((k - lo) / width, n - 1)] += c }
        histogram = Histogram(edges: edges, counts: binCounts)
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

/// How often each value occurred.
public struct Frequencies: Sendable, Hashable {
    public private(set) var counts: [Int: Int] = [:]
    public private(set) var total = 0
    public private(set) var sum = 0

    public init() {}

    public mutating func add(_ v: Int, times: Int = 1) {
        counts[v, default: 0] += times
        total += times
        sum += v * times
    }

    public mutating func merge(_ other: Frequencies) {
        for (v, c) in other.counts { add(v, times: c) }
    }
}
