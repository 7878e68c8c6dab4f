import FTCore

/// Draws a `LineChart` with Unicode braille (each character cell holds a 2 × 4 grid of dots,
/// so lines are four times finer vertically than block characters), framed by axes with tick
/// labels, a legend, and the marked minimum (◆).
///
/// With `color` each series has its own ANSI colour; without it, series after the first also
/// carry a marker character at each data point so they can be told apart in plain text.
public enum TerminalChart {
    static let colors = ["34", "33", "32", "35", "36"]
    static let markers: [Character] = ["•", "×", "+", "○", "▪"]
    static let minimumMarker: Character = "◆"

    /// `width` and `height` are the whole drawing in character cells, labels included
    /// (at least 30 × 10).
    public static func render(_ chart: LineChart, width: Int = 72, height: Int = 20, color: Bool = false) -> String {
        let width = max(width, 30), height = max(height, 10)
        func paint(_ text: String, _ code: String?) -> String {
            guard color, let code else { return text }
            return "\u{1B}[\(code)m\(text)\u{1B}[0m"
        }
        let r = chart.ranges()
        let primary = Ticks(r.primary, count: max(2, (height - 6) / 3))
        let secondary = chart.hasSecondary ? Ticks(r.secondary, count: max(2, (height - 6) / 3)) : nil
        let leftW = primary.values.map { primary.label($0).count }.max() ?? 1
        let rightW = secondary.map { s in s.values.map { s.label($0).count }.max() ?? 1 } ?? -1
        let plotW = max(8, width - leftW - 1 - (rightW + 1))
        let minimumLines = chart.series.filter { $0.markMinimum && $0.minimum != nil }.count
        // The legend wraps to the width; its lines come out of the plot's height.
        var legend: [String] = [], legendWidths: [Int] = []
        for (s, series) in chart.series.enumerated() {
            let sample = !color && s > 0 ? String(markers[(s - 1) % markers.count]) : "⣀"
            let name = series.name + (series.axis == .secondary ? " (right)" : "")
            legend.append(paint(sample, colors[s % colors.count]) + " " + name)
            legendWidths.append(2 + TextWidth.width(of: name))
        }
        var legendLines: [String] = []
        var current = "", used = 0
        for (item, w) in zip(legend, legendWidths) {
            if used > 0 && leftW + 1 + used + 3 + w > width { legendLines.append(current); current = ""; used = 0 }
            current += (used > 0 ? "   " : "") + item
            used += (used > 0 ? 3 : 0) + w
        }
        if used > 0 { legendLines.append(current) }
        let plotH = max(3, height - 5 - legendLines.count - minimumLines)
        let dotsW = plotW * 2, dotsH = plotH * 4
        let xlo = r.x.lowerBound, xhi = r.x.upperBound > r.x.lowerBound ? r.x.upperBound : r.x.lowerBound + 1

        func dotX(_ x: Double) -> Int { Int(((x - xlo) / (xhi - xlo) * Double(dotsW - 1)).rounded()) }
        func dotY(_ y: Double, _ t: Ticks) -> Int {
            Int(((t.upper - y) / (t.upper - t.lower) * Double(dotsH - 1)).rounded())
        }

        var bits = [UInt8](repeating: 0, count: plotW * plotH)
        var owner = [Int](repeating: -1, count: plotW * plotH)
        var overlay = [Character?](repeating: nil, count: plotW * plotH)
        var overlayColor = [String?](repeating: nil, count: plotW * plotH)
        let bitOf: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

        func plot(_ dx: Int, _ dy: Int, _ s: Int) {
            guard dx >= 0, dx < dotsW, dy >= 0, dy < dotsH else { return }
            let cell = (dy / 4) * plotW + dx / 2
            bits[cell] |= bitOf[dx % 2][dy % 4]
            owner[cell] = s
        }
        for (s, series) in chart.series.enumerated() {
            let t = series.axis == .secondary ? (secondary ?? primary) : primary
            let dots = series.points.map { (dotX($0.x), dotY($0.y, t)) }
            if dots.count == 1 { plot(dots[0].0, dots[0].1, s) }
            for (a, b) in zip(dots, dots.dropFirst()) { line(a, b) { plot($0, $1, s) } }
            if !color && s > 0 {
                // Markers at least six cells apart, so a dense series stays a line.
                var lastColumn = -100
                for (dx, dy) in dots where dx >= 0 && dy >= 0 && dy < dotsH && dx / 2 - lastColumn >= 6 {
                    overlay[(dy / 4) * plotW + min(dx / 2, plotW - 1)] = markers[(s - 1) % markers.count]
                    lastColumn = dx / 2
                }
            }
            if series.markMinimum, let m = series.minimum {
                let cell = (min(dotY(m.y, t), dotsH - 1) / 4) * plotW + min(dotX(m.x) / 2, plotW - 1)
                overlay[cell] = minimumMarker
                overlayColor[cell] = "31"
            }
        }

        func rowLabels(_ t: Ticks) -> [Int: String] {
            var out: [Int: String] = [:]
            for v in t.values { out[min(dotY(v, t), dotsH - 1) / 4] = t.label(v) }
            return out
        }
        let leftLabels = rowLabels(primary), rightLabels = secondary.map(rowLabels) ?? [:]

        var lines: [String] = []
        let pad = String(repeating: " ", count: leftW + 1)
        lines.append(pad + center(chart.title, plotW))
        var header = chart.yLabel
        if secondary != nil {
            let right = TextWidth.truncate(chart.secondaryLabel, to: max(1, width - TextWidth.width(of: header) - 1))
            header = TextWidth.pad(header, to: leftW + 1 + plotW + 1 + rightW - TextWidth.width(of: right)) + right
        }
        lines.append(header)
        for row in 0..<plotH {
            var line = TextWidth.pad(leftLabels[row] ?? "", to: leftW, alignRight: true)
            line += leftLabels[row] != nil ? "┤" : "│"
            for c in 0..<plotW {
                let cell = row * plotW + c
                if let mark = overlay[cell] {
                    line += paint(String(mark), overlayColor[cell] ?? colors[max(owner[cell], 0) % colors.count])
                } else if bits[cell] != 0 {
                    let ch = String(Character(Unicode.Scalar(0x2800 + UInt32(bits[cell]))!))
                    line += paint(ch, colors[owner[cell] % colors.count])
                } else {
                    line += " "
                }
            }
            if secondary != nil { line += (rightLabels[row] != nil ? "├" : "│") + (rightLabels[row] ?? "") }
            lines.append(line)
        }

        // x axis: tick marks where labels fit without touching.
        let xt = Ticks(xlo...xhi, count: max(2, plotW / 12))
        var axis = Array(repeating: "─", count: plotW)
        var labelRow = Array(repeating: Character(" "), count: width)
        var nextFree = 0
        for v in xt.values where v >= xlo - 1e-9 && v <= xhi + 1e-9 {
            let c = min(dotX(v) / 2, plotW - 1)
            let text = Array(xt.label(v))
            let start = max(0, leftW + 1 + c - text.count / 2)
            guard start >= nextFree, start + text.count <= labelRow.count else { continue }
            axis[c] = "┬"
            for (k, ch) in text.enumerated() { labelRow[start + k] = ch }
            nextFree = start + text.count + 1
        }
        lines.append(String(repeating: " ", count: leftW) + "└" + axis.joined() + (secondary != nil ? "┘" : ""))
        lines.append(String(labelRow).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        lines.append(pad + center(chart.xLabel, plotW))

        for l in legendLines { lines.append(pad + l) }
        for series in chart.series where series.markMinimum {
            guard let m = series.minimum else { continue }
            lines.append(pad + paint(String(minimumMarker), "31")
                         + " \(series.name) minimum \(shortNumber(m.y)) at \(chart.xLabel) \(shortNumber(m.x))")
        }
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
            .joined(separator: "\n") + "\n"
    }

    static func center(_ text: String, _ width: Int) -> String {
        let w = TextWidth.width(of: text)
        guard w < width else { return text }
        return String(repeating: " ", count: (width - w) / 2) + text
    }

    /// Bresenham between two dots.
    static func line(_ a: (Int, Int), _ b: (Int, Int), _ set: (Int, Int) -> Void) {
        var (x0, y0) = a
        let (x1, y1) = b
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            set(x0, y0)
            if x0 == x1 && y0 == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x0 += sx }
            if e2 <= dx { err += dx; y0 += sy }
        }
    }
}
