import Foundation
import FTCore

/// The result file of a finished job: a CSV with a header row, normally
/// `step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy`, where the `valid_*`
/// cells are empty on steps without validation. Columns are found by name, so extra or
/// reordered columns are fine.
public struct ResultsCSV: Sendable {
    public var columns: [String]
    public var rows: [StepMetrics]

    public static func parse(_ text: String, file: String = "results.csv") throws(Diagnostic) -> ResultsCSV {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first else {
            throw .error("the result file is empty", id: "openai.bad-results", at: SourceLocation(file: file, line: 1, column: 1))
        }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let stepColumn = columns.firstIndex(of: "step") else {
            throw .error("the result file has no 'step' column (header: \(header.prefix(80)))", id: "openai.bad-results",
                         at: SourceLocation(file: file, line: 1, column: 1))
        }
        func index(_ names: String...) -> Int? { names.lazy.compactMap { columns.firstIndex(of: $0) }.first }
        let trainLoss = index("train_loss")
        let trainAcc = index("train_accuracy", "train_mean_token_accuracy")
        let validLoss = index("valid_loss")
        let validAcc = index("valid_mean_token_accuracy", "valid_accuracy")
        let fullValid = index("full_valid_loss")
        var rows: [StepMetrics] = []
        for (k, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func num(_ i: Int?) -> Double? {
                guard let i, i < cells.count, !cells[i].isEmpty else { return nil }
                return Double(cells[i])
            }
            guard stepColumn < cells.count, let step = Int(cells[stepColumn]) ?? num(stepColumn).map({ Int($0) }) else {
                throw .error("expected a step number in column 'step'", id: "openai.bad-results",
                             at: SourceLocation(file: file, line: k + 1, column: 1))
            }
            rows.append(StepMetrics(step: step, trainLoss: num(trainLoss), trainAccuracy: num(trainAcc),
                                    validLoss: num(validLoss), validAccuracy: num(validAcc), fullValidLoss: num(fullValid)))
        }
        return ResultsCSV(columns: columns, rows: rows)
    }
}
