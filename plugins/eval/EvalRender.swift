import FTCore
import FTEval
import FTPluginKit
import Foundation

/// How eval results read for people. Each function takes the command's value (what `--json`
/// prints), so the screen never shows anything the value does not hold.
enum EvalRender {
    /// Scores on the 0–100 scale with two decimals.
    static func score(_ v: Value?) -> String {
        guard let n = v?.numberValue, n.isFinite else { return "-" }
        return String(format: "%.2f", n)
    }

    static func signed(_ n: Double) -> String { (n >= 0 ? "+" : "") + String(format: "%.2f", n) }

    static func scoreTable(_ scores: Record) -> String {
        Table(headers: ["metric", "score"], rows: scores.map { [$0.key, score($0.value)] }, rightAligned: [1]).render()
    }

    static func metrics(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return v.text }
        return "\(r["file"]?.text ?? ""): \(r["count"]?.text ?? "0") examples\n" + scoreTable(r["scores"]?.recordValue ?? Record())
    }

    static func run(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return v.text }
        var lines = ["\(r["model"]?.text ?? "") on \(r["data"]?.text ?? ""): \(r["count"]?.text ?? "0") examples"
                     + (r["evaluation"]?.objectValue.map { " (evaluation \($0.name))" } ?? "")]
        lines.append(scoreTable(r["scores"]?.recordValue ?? Record()))
        for (k, e) in (r["examples"]?.listValue ?? []).enumerated() {
            lines.append("")
            lines.append("example \(k + 1)")
            lines.append(labelled([("prompt", e["prompt"]?.text ?? ""), ("reference", e["reference"]?.text ?? ""),
                                   ("prediction", e["prediction"]?.text ?? "")], width: o.width))
        }
        if let out = r["out"]?.stringValue { lines.append(""); lines.append("predictions written to \(out)") }
        return lines.joined(separator: "\n")
    }

    static func compare(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return v.text }
        let a = r["a"]?.text ?? "A", b = r["b"]?.text ?? "B"
        var lines = ["A = \(a)", "B = \(b)",
                     "\(r["count"]?.text ?? "0") examples, paired bootstrap with \(r["samples"]?.text ?? "?") resamples (* = 95% interval excludes 0)", ""]
        var rows: [[String]] = []
        let metrics = r["metrics"]?.listValue ?? []
        for m in metrics {
            let sig = m["significant"]?.boolValue == true ? " *" : ""
            rows.append([m["metric"]?.text ?? "", score(m["a"]), score(m["b"]), (m["delta"]?.numberValue).map(signed) ?? "-",
                         "[\((m["ci_low"]?.numberValue).map(signed) ?? "-"), \((m["ci_high"]?.numberValue).map(signed) ?? "-")]" + sig,
                         String(format: "%.0f%%", 100 * (m["p_b_better"]?.numberValue ?? 0)),
                         "\(m["wins"]?.text ?? "0")/\(m["ties"]?.text ?? "0")/\(m["losses"]?.text ?? "0")"])
        }
        lines.append(Table(headers: ["metric", "A", "B", "B − A", "95% interval", "B better", "win/tie/loss"], rows: rows,
                           rightAligned: [1, 2, 3, 5, 6]).render())
        var flips: [String] = []
        for m in metrics {
            let down = (m["pass_to_fail"]?.listValue ?? []).map(\.text), up = (m["fail_to_pass"]?.listValue ?? []).map(\.text)
            guard !down.isEmpty || !up.isEmpty else { continue }
            func list(_ xs: [String]) -> String { xs.isEmpty ? "none" : xs.prefix(12).joined(separator: ", ") + (xs.count > 12 ? ", …" : "") }
            flips.append("  \(m["metric"]?.text ?? "") (pass ≥ \(Render.number(m["threshold"]?.numberValue ?? 0))): "
                         + "\(up.count) fail→pass (\(list(up))), \(down.count) pass→fail (\(list(down)))")
        }
        if !flips.isEmpty { lines.append(""); lines.append("flips, by example number:"); lines += flips }
        let examples = r["examples"]?.listValue ?? []
        if !examples.isEmpty, let first = r["examples_by"]?.stringValue {
            lines.append("")
            lines.append("most changed on \(first):")
            for e in examples { lines.append(""); lines.append(sideBySide(e, metric: first, a: a, b: b, width: o.width)) }
        }
        return lines.joined(separator: "\n")
    }

    /// One example with A's and B's answers in two columns, aligned by display width.
    static func sideBySide(_ e: Value, metric: String, a: String, b: String, width: Int) -> String {
        let s = e["scores"]?[metric]
        let sa = s?["a"]?.numberValue ?? 0, sb = s?["b"]?.numberValue ?? 0
        var lines = ["example \(e["example"]?.text ?? "?")  \(metric) \(score(.number(sa))) → \(score(.number(sb))) (\(signed(sb - sa)))"]
        var fields: [(String, String)] = []
        if let p = e["prompt"]?.stringValue { fields.append(("prompt", p)) }
        fields.append(("reference", e["reference"]?.text ?? ""))
        lines.append(labelled(fields, width: width))
        let column = max(16, (min(width, 160) - 5) / 2)
        let left = ["A: " + a] + wrap(e["a"]?.text ?? "", width: column)
        let right = ["B: " + b] + wrap(e["b"]?.text ?? "", width: column)
        for k in 0..<max(left.count, right.count) {
            let l = k < left.count ? TextWidth.truncate(left[k], to: column) : ""
            let line = "  " + TextWidth.pad(l, to: column) + " │ " + (k < right.count ? TextWidth.truncate(right[k], to: column) : "")
            lines.append(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
        return lines.joined(separator: "\n")
    }

    /// `label  text` lines, the text wrapped under itself.
    static func labelled(_ fields: [(String, String)], width: Int) -> String {
        let labelWidth = fields.map { TextWidth.width(of: $0.0) }.max() ?? 0
        var out: [String] = []
        for (label, text) in fields {
            let wrapped = wrap(text, width: max(20, min(width, 160) - labelWidth - 4))
            for (k, piece) in wrapped.enumerated() {
                out.append("  " + TextWidth.pad(k == 0 ? label : "", to: labelWidth) + "  " + piece)
            }
        }
        return out.joined(separator: "\n")
    }

    /// Lines of at most `width` display columns, broken at spaces where possible and anywhere
    /// in a run without spaces (Korean without spacing, long URLs). Newlines are kept.
    static func wrap(_ text: String, width: Int) -> [String] {
        var out: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = "", lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var w = String(word)
                var ww = TextWidth.width(of: w)
                if lineWidth > 0 && lineWidth + 1 + ww <= width { line += " " + w; lineWidth += 1 + ww; continue }
                if lineWidth > 0 { out.append(line); line = ""; lineWidth = 0 }
                while ww > width {
                    var head = "", hw = 0
                    for ch in w {
                        let cw = TextWidth.width(of: String(ch))
                        if hw + cw > width { break }
                        head.append(ch); hw += cw
                    }
                    if head.isEmpty { head = String(w.first!) }
                    out.append(head)
                    w = String(w.dropFirst(head.count))
                    ww = TextWidth.width(of: w)
                }
                line = w; lineWidth = ww
            }
            out.append(line)
        }
        return out.isEmpty ? [""] : out
    }

    static func report(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return v.text }
        let sections = (r["sections"]?.listValue ?? []).map(\.text)
        var lines = ["\(r["title"]?.text ?? "report"): \(sections.count) section\(sections.count == 1 ? "" : "s") (\(sections.joined(separator: ", ")))"]
        for key in ["md", "html"] {
            if let p = r[key]?.stringValue { lines.append("wrote \(p) (\(r[key + "_bytes"]?.text ?? "?") bytes)") }
        }
        return lines.joined(separator: "\n")
    }

    static func curve(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue, let chart = EvalPlugin.chart(from: v) else { return v.text }
        var lines = [TerminalChart.render(chart, width: max(40, min(o.width, 120)), height: 20, color: o.color)]
        lines.append(contentsOf: curveSummary(r))
        for key in ["svg", "png"] { if let p = r[key]?.stringValue { lines.append("wrote \(p)") } }
        return lines.joined(separator: "\n")
    }

    /// The sentences under a chart: where validation loss bottomed out, and whether it rose after.
    static func curveSummary(_ r: Record) -> [String] {
        var lines: [String] = []
        let last = r["last"]?.recordValue ?? Record()
        var final = "\(r["steps"]?.text ?? "0") steps"
        if let t = last["train_loss"]?.numberValue { final += String(format: "; last train loss %.4f", t) }
        if let v = last["valid_loss"]?.numberValue { final += String(format: ", last valid loss %.4f", v) }
        lines.append(final)
        if let m = r["valid_min"]?.recordValue, let step = m["step"]?.numberValue, let loss = m["loss"]?.numberValue {
            let rise = m["rise"]?.numberValue ?? 0
            if rise > 1e-9 {
                lines.append(String(format: "validation loss was lowest (%.4f) at step %@ and rose %.4f after it: overfitting likely began there; keep that checkpoint",
                                    loss, Value.format(step), rise))
            } else {
                lines.append(String(format: "validation loss is at its lowest (%.4f) at the last evaluated step %@: no sign of overfitting yet",
                                    loss, Value.format(step)))
            }
        } else {
            lines.append("no validation loss in this log, so overfitting cannot be judged (train with a validation file)")
        }
        return lines
    }
}
