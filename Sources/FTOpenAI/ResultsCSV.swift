import Foundation
import FTCore

/// A training log as CSV: a hosted job's result file, and the `metrics.csv` of ftsh's own
/// runs, which share its columns (`step,train_loss,train_accuracy,valid_loss,
/// valid_mean_token_accuracy`, `valid_*` cells empty on steps without validation). Columns are
/// found by name, so extra or reordered ones are fine. Every number must be finite: a NaN or
/// infinite loss is reported where it stands, never drawn or averaged.
public struct ResultsCSV: Sendable {
    public var columns: [String]
    public var rows: [StepMetrics]

    /// `category` names the errors (`openai.bad-csv`, `eval.non-finite`, …) after the command
    /// family that read the file.
    public static func parse(_ text: String, file: String = "results.csv", category: String = "openai") throws(Diagnostic) -> ResultsCSV {
        // "\r\n" is one Character in Swift, so lines split on any newline grapheme.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        guard let headerIndex = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw .error("\(file) is empty", id: category + ".empty", at: SourceLocation(file: file, line: 1, column: 1))
        }
        let header = lines[headerIndex].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let headerAt = SourceLocation(file: file, line: headerIndex + 1, column: 1)
        func column(_ names: String...) -> Int? { names.lazy.compactMap { header.firstIndex(of: $0) }.first }
        guard let step = column("step") else {
            throw .error("no 'step' column", id: category + ".bad-csv", at: headerAt,
                         notes: ["expected a header like step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"])
        }
        let trainLoss = column("train_loss"), trainAcc = column("train_accuracy", "train_mean_token_accuracy")
        let validLoss = column("valid_loss"), validAcc = column("valid_mean_token_accuracy", "valid_accuracy")
        let fullValid = column("full_valid_loss")
        guard trainLoss != nil || validLoss != nil || fullValid != nil else {
            throw .error("no 'train_loss' or 'valid_loss' column", id: category + ".bad-csv", at: headerAt)
        }
        var rows: [StepMetrics] = []
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
                    throw .error("\(name) is \(JSON.quote(cell)), not a number", id: category + ".bad-csv", at: at)
                }
                guard v.isFinite else {
                    throw .error("\(name) is \(cell); a training log must hold finite numbers", id: category + ".non-finite", at: at,
                                 notes: ["a NaN or infinite loss means training diverged at this step"])
                }
                return v
            }
            guard let s = try number(step, "step") else {
                throw .error("missing step number", id: category + ".bad-csv", at: SourceLocation(file: file, line: k + 1, column: 1))
            }
            guard s.rounded() == s, abs(s) < 1e15 else {
                throw .error("step is \(Value.format(s)), not a whole number", id: category + ".bad-csv",
                             at: SourceLocation(file: file, line: k + 1, column: columnOf(step)))
            }
            rows.append(StepMetrics(step: Int(s), trainLoss: try number(trainLoss, "train_loss"),
                                    trainAccuracy: try number(trainAcc, "train_accuracy"),
                                    validLoss: try number(validLoss, "valid_loss"),
                                    validAccuracy: try number(validAcc, "valid_mean_token_accuracy"),
                                    fullValidLoss: try number(fullValid, "full_valid_loss")))
        }
        guard rows.contains(where: { $0.trainLoss != nil || $0.validLoss != nil || $0.fullValidLoss != nil }) else {
            throw .error("\(file) has no loss values", id: category + ".empty", at: headerAt)
        }
        return ResultsCSV(columns: header, rows: rows)
    }
}
