import FTCore
import Foundation

/// A line chart of one or more series over a shared x axis (training steps), e.g. train loss,
/// validation loss and token accuracy. Series on the secondary axis (accuracy, 0–1) get their
/// own scale on the right so they are not flattened against a loss scale.
public struct LineChart: Sendable, Hashable {
    public enum Axis: Sendable, Hashable { case primary, secondary }

    public struct Series: Sendable, Hashable {
        public var name: String
        public var points: [Point]
        public var axis: Axis
        /// Mark this series' minimum (the validation loss minimum, where overfitting starts).
        public var markMinimum: Bool

        public init(name: String, points: [Point], axis: Axis = .primary, markMinimum: Bool = false) {
            self.name = name
            self.points = points
            self.axis = axis
            self.markMinimum = markMinimum
        }

        /// The first point with the smallest y.
        public var minimum: Point? {
            points.reduce(nil) { best, p in best == nil || p.y < best!.y ? p : best }
        }
    }

    public struct Point: Sendable, Hashable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var secondaryLabel: String
    public var series: [Series]

    public init(title: String, xLabel: String = "step", yLabel: String = "loss", secondaryLabel: String = "",
                series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.secondaryLabel = secondaryLabel
        self.series = series
    }

    /// The usual training picture: train loss, validation loss (its minimum marked) and,
    /// if given, token accuracy on the secondary axis. Non-finite values are rejected, not
    /// silently dropped.
    public static func trainingCurves(title: String = "Training curves", train: [Point], validation: [Point] = [],
                                      tokenAccuracy: [Point] = []) throws(Diagnostic) -> LineChart {
        var series: [Series] = []
        if !train.isEmpty { series.append(Series(name: "train loss", points: train)) }
        if !validation.isEmpty { series.append(Series(name: "valid loss", points: validation, markMinimum: true)) }
        if !tokenAccuracy.isEmpty {
            series.append(Series(name: "token accuracy", points: tokenAccuracy, axis: .secondary))
        }
        let chart = LineChart(title: title, xLabel: "step", yLabel: "loss",
                              secondaryLabel: tokenAccuracy.isEmpty ? "" : "accuracy", series: series)
        try chart.validate()
        return chart
    }

    public func validate() throws(Diagnostic) {
        guard series.contains(where: { !$0.points.isEmpty }) else {
            throw Diagnostic.error("nothing to draw: every series is empty", id: "eval.empty-chart")
        }
        for s in series {
            if let bad = s.points.first(where: { !$0.x.isFinite || !$0.y.isFinite }) {
                throw Diagnostic.error("\(s.name) has a non-finite value at step \(Value.format(bad.x))",
                                       id: "eval.non-finite")
            }
        }
    }

    var hasSecondary: Bool { series.contains { $0.axis == .secondary && !$0.points.isEmpty } }

    /// Data ranges: x over all series, y per axis.
    func ranges() -> (x: ClosedRange<Double>, primary: ClosedRange<Double>, secondary: ClosedRange<Double>) {
        func range(_ values: [Double]) -> ClosedRange<Double> {
            guard let lo = values.min(), let hi = values.max() else { return 0...1 }
            return lo...hi
        }
        let xs = series.flatMap { $0.points.map(\.x) }
        let p = series.filter { $0.axis == .primary }.flatMap { $0.points.map(\.y) }
        let s = series.filter { $0.axis == .secondary }.flatMap { $0.points.map(\.y) }
        return (range(xs), range(p), range(s))
    }
}

/// "Nice" tick positions (steps of 1, 2 or 5 × 10^k) covering a range.
struct Ticks {
    var values: [Double]
    var lower: Double
    var upper: Double
    var step: Double

    init(_ range: ClosedRange<Double>, count: Int, padZero: Bool = false) {
        var lo = range.lowerBound, hi = range.upperBound
        if hi - lo < 1e-12 * max(1, abs(hi)) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        let raw = (hi - lo) / Double(max(count, 1))
        let mag = pow(10, (log10(raw)).rounded(.down))
        let norm = raw / mag
        let nice: Double = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10
        step = nice * mag
        lower = (lo / step).rounded(.down) * step
        upper = (hi / step).rounded(.up) * step
        var v: [Double] = []
        var t = lower
        while t <= upper + step * 1e-9 { v.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        values = v
    }

    /// Labels with just enough decimals to tell neighbouring ticks apart.
    func label(_ v: Double) -> String {
        let decimals = max(0, Int(-(log10(step)).rounded(.down)))
        if abs(v) >= 1000 && step >= 1000 {
            return v.truncatingRemainder(dividingBy: 1000) == 0 ? "\(Int(v / 1000))k" : String(format: "%.0f", v)
        }
        return String(format: "%.\(decimals)f", v)
    }
}

/// A short form of a number for annotations: 4 significant digits.
func shortNumber(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
    return String(format: "%.4g", v)
}
