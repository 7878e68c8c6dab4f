import FTCore
import Foundation

/// A `LineChart` as a PNG, drawn by ftsh itself: the same layout as the SVG, rasterised with
/// anti-aliased lines and circles and the built-in bitmap font, then encoded by `PNGEncoder`.
/// No image library or external program is involved, and the bytes are the same on every
/// machine. Labels outside printable ASCII are drawn as boxes (the SVG shows them properly).
public enum PNGChart {
    public static func render(_ chart: LineChart, width: Int = 960, height: Int = 540) -> [UInt8] {
        let d = ChartDrawing(chart, width: width, height: height)
        var canvas = Canvas(width: Int(d.width), height: Int(d.height))
        for shape in d.shapes { canvas.draw(shape) }
        return PNGEncoder.encode(rgb: canvas.pixels, width: canvas.width, height: canvas.height)
    }
}

/// An RGB image that shapes are blended into by coverage (0…1 per pixel).
struct Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    mutating func blend(_ x: Int, _ y: Int, _ c: ChartDrawing.RGB, _ alpha: Double) {
        guard x >= 0, y >= 0, x < width, y < height, alpha > 0 else { return }
        let a = min(alpha, 1), i = (y * width + x) * 3
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 { UInt8((Double(old) * (1 - a) + Double(new) * a).rounded()) }
        pixels[i] = mix(pixels[i], c.r)
        pixels[i + 1] = mix(pixels[i + 1], c.g)
        pixels[i + 2] = mix(pixels[i + 2], c.b)
    }

    /// Coverage of one shape collected per pixel (the maximum, so joints of a polyline are not
    /// painted twice), then blended once.
    struct Mask {
        var x0: Int, y0: Int, w: Int, h: Int
        var a: [Double]
        init(_ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) {
            x0 = Int(minX.rounded(.down)) - 2; y0 = Int(minY.rounded(.down)) - 2
            w = max(1, Int(maxX.rounded(.up)) + 2 - x0 + 1); h = max(1, Int(maxY.rounded(.up)) + 2 - y0 + 1)
            a = [Double](repeating: 0, count: w * h)
        }
        mutating func cover(_ x: Int, _ y: Int, _ v: Double) {
            let i = (y - y0) * w + (x - x0)
            if v > a[i] { a[i] = v }
        }
    }

    mutating func apply(_ m: Mask, _ color: ChartDrawing.RGB) {
        for y in 0..<m.h { for x in 0..<m.w where m.a[y * m.w + x] > 0 { blend(m.x0 + x, m.y0 + y, color, m.a[y * m.w + x]) } }
    }

    /// A segment of the given width into a mask: coverage falls off over one pixel at the edge.
    static func segment(_ m: inout Mask, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ width: Double,
                        dashed: Bool) {
        let half = width / 2
        let dx = x2 - x1, dy = y2 - y1, len2 = dx * dx + dy * dy, len = len2.squareRoot()
        let minX = max(Int((min(x1, x2) - half - 1).rounded(.down)), m.x0), maxX = min(Int((max(x1, x2) + half + 1).rounded(.up)), m.x0 + m.w - 1)
        let minY = max(Int((min(y1, y2) - half - 1).rounded(.down)), m.y0), maxY = min(Int((max(y1, y2) + half + 1).rounded(.up)), m.y0 + m.h - 1)
        guard minX <= maxX, minY <= maxY else { return }
        for y in minY...maxY {
            for x in minX...maxX {
                let cx = Double(x) + 0.5, cy = Double(y) + 0.5
                var t = len2 > 0 ? ((cx - x1) * dx + (cy - y1) * dy) / len2 : 0
                t = min(max(t, 0), 1)
                if dashed && (t * len).truncatingRemainder(dividingBy: 10) > 6 { continue }
                let ex = x1 + t * dx - cx, ey = y1 + t * dy - cy
                let dist = (ex * ex + ey * ey).squareRoot()
                let v = min(max(half + 0.5 - dist, 0), 1)
                if v > 0 { m.cover(x, y, v) }
            }
        }
    }

    mutating func draw(_ shape: ChartDrawing.Shape) {
        switch shape {
        case .rect(let x, let y, let w, let h, let fill, let stroke):
            if let fill {
                for py in max(0, Int(y))..<min(height, Int(y + h)) {
                    for px in max(0, Int(x))..<min(width, Int(x + w)) { blend(px, py, fill, 1) }
                }
            }
            if let stroke {
                for (a, b) in [((x, y), (x + w, y)), ((x + w, y), (x + w, y + h)), ((x + w, y + h), (x, y + h)), ((x, y + h), (x, y))] {
                    draw(.line(x1: a.0, y1: a.1, x2: b.0, y2: b.1, color: stroke, width: 1, dashed: false))
                }
            }
        case .line(let x1, let y1, let x2, let y2, let color, let w, let dashed):
            var m = Mask(min(x1, x2) - w, min(y1, y2) - w, max(x1, x2) + w, max(y1, y2) + w)
            Canvas.segment(&m, x1, y1, x2, y2, w, dashed: dashed)
            apply(m, color)
        case .polyline(let points, let color, let w):
            guard let first = points.first else { return }
            var minX = first.0, minY = first.1, maxX = first.0, maxY = first.1
            for p in points { minX = min(minX, p.0); minY = min(minY, p.1); maxX = max(maxX, p.0); maxY = max(maxY, p.1) }
            var m = Mask(minX - w, minY - w, maxX + w, maxY + w)
            if points.count == 1 { Canvas.segment(&m, first.0, first.1, first.0, first.1, w, dashed: false) }
            for (a, b) in zip(points, points.dropFirst()) { Canvas.segment(&m, a.0, a.1, b.0, b.1, w, dashed: false) }
            apply(m, color)
        case .circle(let cx, let cy, let r, let fill, let stroke):
            let ring = 1.5
            for y in Int(cy - r - 3)...Int(cy + r + 3) {
                for x in Int(cx - r - 3)...Int(cx + r + 3) {
                    let d = ((Double(x) + 0.5 - cx) * (Double(x) + 0.5 - cx) + (Double(y) + 0.5 - cy) * (Double(y) + 0.5 - cy)).squareRoot()
                    let outer = min(max(r + ring / 2 + 0.5 - d, 0), 1)
                    let inner = min(max(r - ring / 2 + 0.5 - d, 0), 1)
                    blend(x, y, stroke, outer)
                    blend(x, y, fill, inner)
                }
            }
        case .text(let s, let x, let y, let size, let anchor, let color, let bold, let vertical):
            drawText(s, x: x, y: y, size: size, anchor: anchor, color: color, bold: bold, vertical: vertical)
        }
    }

    /// Text scaled from the bitmap font with 4 × 4 supersampling per pixel. `y` is the
    /// baseline; vertical text is centred on (x, y) and reads bottom to top.
    mutating func drawText(_ s: String, x: Double, y: Double, size: Double, anchor: ChartDrawing.Anchor,
                           color: ChartDrawing.RGB, bold: Bool, vertical: Bool) {
        let scalars = Array(s.unicodeScalars)
        guard !scalars.isEmpty else { return }
        let scale = size / Double(BitmapFont.capHeight)
        let textW = (Double(scalars.count * BitmapFont.advance) - 1) * scale
        let textH = Double(BitmapFont.rows) * scale
        let startX = anchor == .start ? 0 : anchor == .middle ? -textW / 2 : -textW
        let thick = bold ? max(1, scale * 0.6) : 0
        // Text-space (u along the text, v down from the cap top) of a device point.
        func textPoint(_ px: Double, _ py: Double) -> (Double, Double) {
            if vertical { return (y - py + textW / 2, px - x + size / 2) }
            return (px - x - startX, py - (y - size))
        }
        func inked(_ u: Double, _ v: Double) -> Bool {
            for du in [0.0, thick] where du == 0 || thick > 0 {
                let uu = u - du
                guard uu >= 0 else { continue }
                let cell = Int(uu / (Double(BitmapFont.advance) * scale))
                guard cell < scalars.count else { continue }
                let col = Int((uu - Double(cell * BitmapFont.advance) * scale) / scale)
                let row = Int(v / scale)
                if v >= 0 && BitmapFont.pixel(scalars[cell], col, row) { return true }
            }
            return false
        }
        let extentU = textW + thick, extentV = textH
        let (bx0, bx1, by0, by1): (Double, Double, Double, Double) = vertical
            ? (x - size / 2, x - size / 2 + extentV, y - extentU + textW / 2, y + textW / 2)
            : (x + startX, x + startX + extentU, y - size, y - size + extentV)
        for py in Int(by0.rounded(.down))...Int(by1.rounded(.up)) {
            for px in Int(bx0.rounded(.down))...Int(bx1.rounded(.up)) {
                var hits = 0
                for sy in 0..<4 {
                    for sx in 0..<4 {
                        let (u, v) = textPoint(Double(px) + (Double(sx) + 0.5) / 4, Double(py) + (Double(sy) + 0.5) / 4)
                        if inked(u, v) { hits += 1 }
                    }
                }
                if hits > 0 { blend(px, py, color, Double(hits) / 16) }
            }
        }
    }
}
