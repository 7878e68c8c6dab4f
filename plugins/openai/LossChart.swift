import FTOpenAI
import Foundation

/// Train and validation loss drawn with text, for `job watch` and `job results`:
///
///     2.35 ┤•
///          │ ••○
///     0.25 ┤    •••••••
///          └──────────
///           1        60  step      • train  ○ valid
enum LossChart {
    static func render(_ steps: [StepMetrics], width: Int = 60, height: Int = 10) -> [String] {
        let train = steps.compactMap { m in m.trainLoss.map { (m.step, $0) } }.filter { $0.1.isFinite }
        let valid = steps.compactMap { m in m.validLoss.map { (m.step, $0) } }.filter { $0.1.isFinite }
        guard !train.isEmpty || !valid.isEmpty else { return [] }
        let all = train + valid
        let lo = all.map(\.0).min()!, hi = all.map(\.0).max()!
        let yMin = all.map(\.1).min()!, yMax = all.map(\.1).max()!
        let cols = max(1, min(width, hi - lo + 1))
        let rows = max(2, height)
        func column(_ step: Int) -> Int { hi == lo ? 0 : Int((Double(step - lo) / Double(hi - lo) * Double(cols - 1)).rounded()) }
        func row(_ y: Double) -> Int { yMax == yMin ? rows / 2 : Int(((yMax - y) / (yMax - yMin) * Double(rows - 1)).rounded()) }
        /// The mean of each column's points, so many steps share a cell fairly.
        func cells(_ series: [(Int, Double)]) -> [Int: Int] {
            var sums: [Int: (Double, Int)] = [:]
            for (s, y) in series { let c = column(s); sums[c] = ((sums[c]?.0 ?? 0) + y, (sums[c]?.1 ?? 0) + 1) }
            return sums.mapValues { row($0.0 / Double($0.1)) }
        }
        var grid = Array(repeating: Array(repeating: " ", count: cols), count: rows)
        for (c, r) in cells(train) { grid[r][c] = "•" }
        for (c, r) in cells(valid) { grid[r][c] = grid[r][c] == "•" ? "◉" : "○" }
        let labels = [0: yMax, (rows - 1) / 2: (yMax + yMin) / 2, rows - 1: yMin]
        let labelWidth = labels.values.map { String(format: "%.2f", $0).count }.max()!
        var out: [String] = []
        for r in 0..<rows {
            let label = labels[r].map { String(format: "%.2f", $0) } ?? ""
            let pad = String(repeating: " ", count: labelWidth - label.count)
            let line = pad + label + (labels[r] == nil ? " │" : " ┤") + grid[r].joined()
            out.append(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
        let margin = String(repeating: " ", count: labelWidth + 1)
        out.append(margin + "└" + String(repeating: "─", count: cols))
        let first = String(lo), last = String(hi)
        let gap = max(1, cols - first.count - last.count)
        var axis = margin + " " + first + String(repeating: " ", count: gap) + last + "  step"
        axis += valid.isEmpty ? "    • train loss" : "    • train  ○ valid"
        out.append(axis)
        return out
    }
}
