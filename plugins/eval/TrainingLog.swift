import FTCore
import FTEval
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

    public static func parse(_ text: String, file: String) throws(Diagnostic) -> TrainingLog {
        // "\r\n" is one Character in Swift, so lines split on any newline grapheme.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        guard let headerIndex = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw .error("\(file) is empty", id: "eval.empty", at: SourceLocation(file: file, line: 1, column: 1))
        }
        let header = lines[headerIndex].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ names: String...) -> Int? { names.lazy.compactMap { header.firstIndex(of: $0) }.first }
        guard let step = column("step") else {
            throw .error("no 'step' column", id: "eval.bad-csv", at: SourceLocation(file: file, line: headerIndex + 1, column: 1),
                         notes: ["expected a header like step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"])
        }
        let trainLoss = column("train_loss"), trainAcc = column("train_accuracy", "train_mean_token_accuracy")
        let validLoss = column("valid_loss", "full_valid_loss"), validAcc = column("valid_mean_token_accuracy", "valid_accuracy")
        guard trainLoss != nil || validLoss != nil else {
            throw .error("no 'train_loss' or 'valid_loss' column", id: "eval.bad-csv",
                         at: SourceLocation(file: file, line: headerIndex + 1, column: 1))
        }
        var rows: [Row] = []
        for k in (headerIndex + 1)..<lines.count {
            let line = lines[k]
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            // Column of cell i, 1-based, for errors.
            func columnOf(_ i: Int) -> Int { cells.prefix(i).reduce(1) { $0 + $1.count + 1 } }
            func number(_ i: Int?, _ name: String) throws(Diagnostic) -> Double? {
                guard let i, i < cells.count else { return nil }
                let cell = cells[i].trimmingCharacters(in: .whitespaces)
                if cell.isEmpty { return nil }
                let at = SourceLocation(file: file, line: k + 1, column: columnOf(i))
                guard let v = Double(cell) else {
                    throw .error("\(name) is \(JSON.quote(cell)), not a number", id: "eval.bad-csv", at: at)
                }
                guard v.isFinite else {
                    throw .error("\(name) is \(cell); a training log must hold finite numbers", id: "eval.non-finite", at: at,
                                 notes: ["a NaN or infinite loss means training diverged at this step"])
                }
                return v
            }
            guard let s = try number(step, "step") else {
                throw .error("missing step number", id: "eval.bad-csv", at: SourceLocation(file: file, line: k + 1, column: 1))
            }
            rows.append(Row(step: s, trainLoss: try number(trainLoss, "train_loss"), trainAccuracy: try number(trainAcc, "train_accuracy"),
                            validLoss: try number(validLoss, "valid_loss"), validAccuracy: try number(validAcc, "valid_mean_token_accuracy")))
        }
        guard rows.contains(where: { $0.trainLoss != nil || $0.validLoss != nil }) else {
            throw .error("\(file) has no loss values", id: "eval.empty", at: SourceLocation(file: file, line: headerIndex + 1, column: 1))
        }
        return TrainingLog(rows: rows)
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
