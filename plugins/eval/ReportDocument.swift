import FTCore
import FTEval
import Foundation

/// A report as a list of blocks, written out as Markdown or as one self-contained HTML page.
struct ReportDocument {
    enum Block {
        case heading(Int, String)
        case paragraph(String)
        case bullets([String])
        case table(headers: [String], rows: [[String]], numeric: Set<Int>)
        /// A chart: Markdown gets the terminal drawing in a code block, HTML the inline SVG.
        case chart(LineChart)
        /// Labelled texts (prompt, reference, answers) of one example.
        case example(title: String, fields: [(String, String)])
    }

    var title: String
    var blocks: [Block] = []

    func markdown() -> String {
        var out = "# \(inline(title))\n"
        for block in blocks {
            out += "\n"
            switch block {
            case .heading(let level, let text):
                out += String(repeating: "#", count: level) + " " + inline(text) + "\n"
            case .paragraph(let text):
                out += inline(text) + "\n"
            case .bullets(let items):
                for item in items { out += "- " + inline(item) + "\n" }
            case .table(let headers, let rows, let numeric):
                out += "| " + headers.map(cell).joined(separator: " | ") + " |\n"
                out += "|" + headers.indices.map { numeric.contains($0) ? "---:|" : "---|" }.joined() + "\n"
                for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
            case .chart(let chart):
                out += "```\n" + TerminalChart.render(chart, width: 88, height: 22, color: false) + "```\n"
            case .example(let title, let fields):
                out += "**\(inline(title))**\n\n"
                for (label, text) in fields {
                    out += "- \(label):" + (text.contains("\n") ? "\n\n" + quoteBlock(text) + "\n" : " " + inline(text) + "\n")
                }
            }
        }
        return out
    }

    /// Markdown special characters escaped so data cannot turn into markup.
    func inline(_ s: String) -> String {
        var out = ""
        for ch in s {
            if "\\`*_[]<>|#".contains(ch) { out.append("\\") }
            out.append(ch == "\n" ? " " : ch)
        }
        return out
    }

    func cell(_ s: String) -> String { inline(s) }

    func quoteBlock(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "  > " + inline(String($0)) }.joined(separator: "\n")
    }

    func html() -> String {
        var body = "<h1>\(escape(title))</h1>\n"
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                let l = min(max(level, 2), 4)
                body += "<h\(l)>\(escape(text))</h\(l)>\n"
            case .paragraph(let text):
                body += "<p>\(escape(text))</p>\n"
            case .bullets(let items):
                body += "<ul>\n" + items.map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n"
            case .table(let headers, let rows, let numeric):
                body += "<table>\n<thead><tr>"
                for (i, h) in headers.enumerated() { body += "<th\(numeric.contains(i) ? " class=\"n\"" : "")>\(escape(h))</th>" }
                body += "</tr></thead>\n<tbody>\n"
                for row in rows {
                    body += "<tr>"
                    for (i, c) in row.enumerated() { body += "<td\(numeric.contains(i) ? " class=\"n\"" : "")>\(escape(c))</td>" }
                    body += "</tr>\n"
                }
                body += "</tbody>\n</table>\n"
            case .chart(let chart):
                var svg = SVGChart.render(chart, width: 960, height: 540)
                // Scales with the page: the fixed size becomes the aspect ratio only.
                svg = svg.replacingOccurrences(of: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"540\"",
                                               with: "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" style=\"width:100%;height:auto\"")
                body += "<figure>\n" + svg + "</figure>\n"
            case .example(let title, let fields):
                body += "<div class=\"example\"><h4>\(escape(title))</h4>\n<dl>\n"
                for (label, text) in fields { body += "<dt>\(escape(label))</dt><dd>\(escape(text))</dd>\n" }
                body += "</dl></div>\n"
            }
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body { font-family: "DejaVu Sans", Helvetica, Arial, "Noto Sans CJK KR", sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; line-height: 1.45; }
        h1 { font-size: 1.7rem; border-bottom: 2px solid #d0d7de; padding-bottom: .3rem; }
        h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
        table { border-collapse: collapse; margin: .8rem 0; }
        th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; }
        th { background: #f6f8fa; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: 1rem 0; }
        .example { border: 1px solid #d0d7de; border-radius: 6px; padding: .2rem 1rem .6rem; margin: .8rem 0; }
        .example h4 { margin: .6rem 0 .3rem; }
        dl { margin: 0; }
        dt { font-weight: bold; color: #57606a; margin-top: .4rem; }
        dd { margin: 0 0 0 1rem; white-space: pre-wrap; }
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
