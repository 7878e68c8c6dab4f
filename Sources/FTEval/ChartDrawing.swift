import FTCore
import Foundation

/// The picture of a `LineChart` as a list of simple shapes in pixel coordinates, laid out
/// once and drawn by two back ends: `SVGChart` writes them as SVG elements, `PNGChart`
/// rasterises them itself. So the SVG and the PNG are the same chart.
struct ChartDrawing {
    struct RGB: Hashable { var r: UInt8, g: UInt8, b: UInt8
        var hex: String { String(format: "#%02x%02x%02x", r, g, b) }
    }
    enum Anchor { case start, middle, end }

    enum Shape {
        case line(x1: Double, y1: Double, x2: Double, y2: Double, color: RGB, width: Double, dashed: Bool)
        case polyline([(Double, Double)], color: RGB, width: Double)
        case circle(x: Double, y: Double, r: Double, fill: RGB, stroke: RGB)
        case rect(x: Double, y: Double, w: Double, h: Double, fill: RGB?, stroke: RGB?)
        /// `size` is the cap height in pixels; `vertical` text reads bottom to top.
        case text(String, x: Double, y: Double, size: Double, anchor: Anchor, color: RGB, bold: Bool, vertical: Bool)
    }

    static let palette = [RGB(r: 0x1f, g: 0x6f, b: 0xb4), RGB(r: 0xe0, g: 0x7b, b: 0x10), RGB(r: 0x2c, g: 0x9a, b: 0x3c),
                          RGB(r: 0x8e, g: 0x44, b: 0xad), RGB(r: 0x16, g: 0xa0, b: 0xa0)]
    static let ink = RGB(r: 0x22, g: 0x22, b: 0x22), grid = RGB(r: 0xe4, g: 0xe4, b: 0xe4)
    static let axisInk = RGB(r: 0x55, g: 0x55, b: 0x55), minimumInk = RGB(r: 0xc0, g: 0x1c, b: 0x28)
    static let white = RGB(r: 255, g: 255, b: 255)

    var width: Double
    var height: Double
    var shapes: [Shape] = []

    /// Lays out title, axes with ticks and grid, series, legend and the marked minimum.
    init(_ chart: LineChart, width: Int, height: Int) {
        self.width = Double(max(width, 320))
        self.height = Double(max(height, 200))
        let W = self.width, H = self.height
        let text = max(11.0, (H / 48).rounded())   // tick and legend text (cap height, px)
        let title = (text * 1.4).rounded()
        let r = chart.ranges()
        let primary = Ticks(r.primary, count: 6)
        let secondary = chart.hasSecondary ? Ticks(r.secondary, count: 6) : nil
        let xlo = r.x.lowerBound, xhi = r.x.upperBound > r.x.lowerBound ? r.x.upperBound : r.x.lowerBound + 1
        let charW = text * 0.86  // the bitmap font's advance; SVG fonts run narrower
        let leftLabelW = Double(primary.values.map { primary.label($0).count }.max() ?? 1) * charW
        let rightLabelW = secondary.map { s in Double(s.values.map { s.label($0).count }.max() ?? 1) * charW } ?? 0

        let left = (text * 2.6 + leftLabelW + 12).rounded()
        let right = W - (secondary != nil ? (text * 2.6 + rightLabelW + 12).rounded() : (text * 1.5).rounded())
        let top = (title * 2.6).rounded()
        let bottom = H - (text * 6.5).rounded()
        func px(_ x: Double) -> Double { left + (x - xlo) / (xhi - xlo) * (right - left) }
        func py(_ y: Double, _ t: Ticks) -> Double { bottom - (y - t.lower) / (t.upper - t.lower) * (bottom - top) }

        shapes.append(.rect(x: 0, y: 0, w: W, h: H, fill: Self.white, stroke: nil))
        shapes.append(.text(chart.title, x: (left + right) / 2, y: title * 1.6, size: title, anchor: .middle,
                            color: Self.ink, bold: true, vertical: false))

        // Grid and y ticks (primary on the left, secondary on the right).
        for v in primary.values {
            let y = py(v, primary)
            shapes.append(.line(x1: left, y1: y, x2: right, y2: y, color: Self.grid, width: 1, dashed: false))
            shapes.append(.line(x1: left - 5, y1: y, x2: left, y2: y, color: Self.axisInk, width: 1, dashed: false))
            shapes.append(.text(primary.label(v), x: left - 8, y: y + text / 2, size: text, anchor: .end,
                                color: Self.ink, bold: false, vertical: false))
        }
        if let s = secondary {
            for v in s.values {
                let y = py(v, s)
                shapes.append(.line(x1: right, y1: y, x2: right + 5, y2: y, color: Self.axisInk, width: 1, dashed: false))
                shapes.append(.text(s.label(v), x: right + 8, y: y + text / 2, size: text, anchor: .start,
                                    color: Self.ink, bold: false, vertical: false))
            }
        }
        // x ticks: as many as fit with room for their labels.
        var xt = Ticks(xlo...xhi, count: 8)
        let widest = Double(xt.values.map { xt.label($0).count }.max() ?? 1) * charW
        if Double(xt.values.count) * (widest + text * 2) > right - left {
            xt = Ticks(xlo...xhi, count: max(2, Int((right - left) / (widest + text * 2))))
        }
        for v in xt.values where v >= xlo - 1e-9 && v <= xhi + 1e-9 {
            let x = px(v)
            shapes.append(.line(x1: x, y1: top, x2: x, y2: bottom, color: Self.grid, width: 1, dashed: false))
            shapes.append(.line(x1: x, y1: bottom, x2: x, y2: bottom + 5, color: Self.axisInk, width: 1, dashed: false))
            shapes.append(.text(xt.label(v), x: x, y: bottom + 10 + text, size: text, anchor: .middle,
                                color: Self.ink, bold: false, vertical: false))
        }
        // Axes and their labels.
        shapes.append(.line(x1: left, y1: top, x2: left, y2: bottom, color: Self.axisInk, width: 1.5, dashed: false))
        shapes.append(.line(x1: left, y1: bottom, x2: right, y2: bottom, color: Self.axisInk, width: 1.5, dashed: false))
        if secondary != nil {
            shapes.append(.line(x1: right, y1: top, x2: right, y2: bottom, color: Self.axisInk, width: 1.5, dashed: false))
            shapes.append(.text(chart.secondaryLabel, x: W - text * 1.2, y: (top + bottom) / 2, size: text,
                                anchor: .middle, color: Self.ink, bold: false, vertical: true))
        }
        shapes.append(.text(chart.xLabel, x: (left + right) / 2, y: bottom + 14 + text * 2.6, size: text, anchor: .middle,
                            color: Self.ink, bold: false, vertical: false))
        shapes.append(.text(chart.yLabel, x: text * 1.6, y: (top + bottom) / 2, size: text, anchor: .middle,
                            color: Self.ink, bold: false, vertical: true))

        // Series, then the minimum markers on top.
        for (i, s) in chart.series.enumerated() where !s.points.isEmpty {
            let t = s.axis == .secondary ? (secondary ?? primary) : primary
            let color = Self.palette[i % Self.palette.count]
            let pts = s.points.map { (px($0.x), py($0.y, t)) }
            shapes.append(.polyline(pts, color: color, width: 2.2))
            if s.points.count <= 40 {
                for (x, y) in pts { shapes.append(.circle(x: x, y: y, r: 3, fill: color, stroke: Self.white)) }
            }
        }
        for s in chart.series where s.markMinimum {
            guard let m = s.minimum else { continue }
            let t = s.axis == .secondary ? (secondary ?? primary) : primary
            let x = px(m.x), y = py(m.y, t)
            shapes.append(.line(x1: x, y1: top, x2: x, y2: bottom, color: Self.minimumInk, width: 1.2, dashed: true))
            shapes.append(.circle(x: x, y: y, r: 5.5, fill: Self.minimumInk, stroke: Self.white))
            let label = "min \(shortNumber(m.y)) at \(chart.xLabel) \(shortNumber(m.x))"
            let labelW = Double(label.count) * charW
            let onRight = x + 8 + labelW < right
            // A white backing keeps the label readable where a curve passes under it.
            shapes.append(.rect(x: onRight ? x + 4 : x - 12 - labelW, y: top + text * 0.3, w: labelW + 8, h: text * 1.8,
                                fill: Self.white, stroke: nil))
            shapes.append(.text(label, x: onRight ? x + 8 : x - 8, y: top + text * 1.6, size: text,
                                anchor: onRight ? .start : .end, color: Self.minimumInk, bold: true, vertical: false))
        }

        // Legend: one row under the x label.
        var lx = left
        let ly = H - text * 0.8
        for (i, s) in chart.series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            shapes.append(.line(x1: lx, y1: ly - text / 2, x2: lx + text * 2, y2: ly - text / 2, color: color,
                                width: 3, dashed: false))
            let name = s.name + (s.axis == .secondary ? " (right axis)" : "")
            shapes.append(.text(name, x: lx + text * 2.6, y: ly, size: text, anchor: .start, color: Self.ink,
                                bold: false, vertical: false))
            lx += text * 2.6 + Double(name.count) * charW + text * 2
        }
    }
}
