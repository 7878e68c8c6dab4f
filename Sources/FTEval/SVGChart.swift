import FTCore
import Foundation

/// A `LineChart` as a standalone SVG document: title, axes with ticks and grid, a legend and
/// the marked minimum. Numbers are written with two decimals so the same chart gives the same
/// bytes everywhere.
public enum SVGChart {
    public static func render(_ chart: LineChart, width: Int = 960, height: Int = 540) -> String {
        let d = ChartDrawing(chart, width: width, height: height)
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(d.width))" height="\(n(d.height))" \
        viewBox="0 0 \(n(d.width)) \(n(d.height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">

        """
        out += "<title>\(escape(chart.title))</title>\n"
        for shape in d.shapes {
            switch shape {
            case .rect(let x, let y, let w, let h, let fill, let stroke):
                out += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\" fill=\"\(fill?.hex ?? "none")\""
                out += stroke.map { " stroke=\"\($0.hex)\"" } ?? ""
                out += "/>\n"
            case .line(let x1, let y1, let x2, let y2, let color, let width, let dashed):
                out += "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(color.hex)\" "
                out += "stroke-width=\"\(n(width))\"" + (dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n"
            case .polyline(let points, let color, let width):
                let pts = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
                out += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(color.hex)\" stroke-width=\"\(n(width))\" "
                out += "stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n"
            case .circle(let x, let y, let r, let fill, let stroke):
                out += "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"\(fill.hex)\" stroke=\"\(stroke.hex)\" stroke-width=\"1.5\"/>\n"
            case .text(let s, let x, let y, let size, let anchor, let color, let bold, let vertical):
                // Cap height is about 0.72 of the font size in common sans fonts.
                let fontSize = size / 0.72
                let a = anchor == .start ? "start" : anchor == .middle ? "middle" : "end"
                out += "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(fontSize))\" fill=\"\(color.hex)\" text-anchor=\"\(a)\""
                if bold { out += " font-weight=\"bold\"" }
                if vertical { out += " transform=\"rotate(-90 \(n(x)) \(n(y)))\" dominant-baseline=\"middle\"" }
                out += ">\(escape(s))</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    static func n(_ v: Double) -> String {
        let s = String(format: "%.2f", v)
        if s.hasSuffix(".00") { return String(s.dropLast(3)) }
        if s.hasSuffix("0") { return String(s.dropLast()) }
        return s
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                // XML 1.0 forbids most control characters even when escaped.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" { out += " " } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
