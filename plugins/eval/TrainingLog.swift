import FTCore
import FTEval
import FTOpenAI
import Foundation

/// The per-step metrics of a training run, as OpenAI's result file and ftsh's local runs
/// (`metrics.csv` in the run folder) both write them:
/// `step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy`, with empty cells
/// on steps without a value. Columns are found by name; unknown ones are ignored.
public struct TrainingLog: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var step: Double
        public var trainLoss: Double?
        public var trainAccuracy: Double?
        public var validLoss: Double?
        public var validAccuracy: Double?
    }

    public var rows: [Row]

    public static func read(path: String, display: String) throws(Diagnostic) -> TrainingLog {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .error("cannot read \(display)", id: "eval.missing-file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .error("\(display) is not UTF-8 text", id: "eval.bad-csv")
        }
        return try parse(text, file: display)
    }

    /// The job commands' parser of the same format, its errors named as eval's.
    public static func parse(_ text: String, file: String) throws(Diagnostic) -> TrainingLog {
        let csv = try ResultsCSV.parse(text, file: file, category: "eval")
        return TrainingLog(rows: csv.rows.map { m in
            Row(step: Double(m.step), trainLoss: m.trainLoss, trainAccuracy: m.trainAccuracy,
                validLoss: m.validLoss ?? m.fullValidLoss, validAccuracy: m.validAccuracy)
        })
    }

    func points(_ key: KeyPath<Row, Double?>) -> [LineChart.Point] {
        rows.compactMap { r in r[keyPath: key].map { LineChart.Point(x: r.step, y: $0) } }
    }

    public var train: [LineChart.Point] { points(\.trainLoss) }
    public var validation: [LineChart.Point] { points(\.validLoss) }
    /// Validation token accuracy when the log has it, else training accuracy.
    public var accuracy: (name: String, points: [LineChart.Point]) {
        let v = points(\.validAccuracy)
        return v.isEmpty ? ("train accuracy", points(\.trainAccuracy)) : ("valid accuracy", v)
    }

    /// Where the validation loss was lowest and how far it rose after: overfitting begins
    /// there. `rise` is the last validation loss minus the minimum.
    public var validationMinimum: (step: Double, loss: Double, rise: Double)? {
        let v = validation
        guard let best = v.reduce(nil as LineChart.Point?, { b, p in b == nil || p.y < b!.y ? p : b }), let last = v.last else { return nil }
        return (best.x, best.y, last.y - best.y)
    }

    public func chart(title: String) throws(Diagnostic) -> LineChart {
        var chart = try LineChart.trainingCurves(title: title, train: train, validation: validation,
                                                 tokenAccuracy: accuracy.points)
        if let i = chart.series.firstIndex(where: { $0.axis == .secondary }) { chart.series[i].name = accuracy.name }
        return chart
    }
}
