import FTCore
import FTPluginKit

/// How data results read for people. Each function takes the command's value (what `--json`
/// prints), so the screen never shows anything the value does not hold.
enum DataRender {
    static func loaded(_ v: Value, _ o: RenderOptions) -> String {
        guard case .object(let ref) = v else { return v.text }
        let s = ref.summary
        return "dataset \(ref.name): \(s["examples"]?.text ?? "?") \(s["format"]?.text ?? "") examples" +
            (s["source"].map { " from \($0.text)" } ?? "")
    }

    static func checkReport(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return v.text }
        var lines: [String] = []
        let findings = r["findings"]?.listValue ?? []
        let showAll = r["show_all"]?.boolValue ?? false
        let shown = showAll ? findings : Array(findings.prefix(20))
        for f in shown { lines.append(findingLine(f, color: o.color)) }
        let hidden = findings.count - shown.count + (r["omitted_findings"]?.intValue ?? 0)
        if hidden > 0 { lines.append("… \(hidden) more findings (--all lists them, --json gives every one)") }
        if !lines.isEmpty { lines.append("") }
        let valid = r["valid"]?.boolValue ?? false
        let verdict = valid ? (o.color ? "\u{1B}[32mvalid\u{1B}[0m" : "valid") : (o.color ? "\u{1B}[31minvalid\u{1B}[0m" : "invalid")
        let format = r["format"]?.stringValue.map { $0 + " " } ?? ""
        lines.append("\(r["file"]?.text ?? ""): \(verdict) — \(r["examples"]?.text ?? "0") \(format)examples, "
                     + plural(r["errors"]?.intValue ?? 0, "error") + ", " + plural(r["warnings"]?.intValue ?? 0, "warning"))
        if let counts = r["counts"]?.recordValue, !counts.isEmpty {
            lines.append("findings: " + counts.map { "\($0.key) ×\($0.value.text)" }.joined(separator: ", "))
        }
        lines.append(contentsOf: summary(r))
        return lines.joined(separator: "\n")
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    static func findingLine(_ f: Value, color: Bool) -> String {
        let severity = f["severity"]?.text ?? "error"
        var text = ""
        if color {
            let code = severity == "error" ? "31" : severity == "warning" ? "33" : "36"
            text += "\u{1B}[1;\(code)m\(severity):\u{1B}[0m "
        } else {
            text += severity + ": "
        }
        if let file = f["file"]?.stringValue, let line = f["line"]?.intValue {
            text += "\(file):\(line):\(f["column"]?.intValue ?? 1): "
        } else if let loc = f["location"]?.stringValue {
            text += loc + ": "
        }
        text += (f["message"]?.text ?? "") + " [\(f["id"]?.text ?? "")]"
        if let fix = f["fix"]?.stringValue, !fix.isEmpty { text += "\n  fix: " + fix }
        return text
    }

    /// Tokens, epochs and cost lines shared by `check` and `stats`.
    static func summary(_ r: Record) -> [String] {
        var lines: [String] = []
        // With no example there is nothing to measure: a table of zeros would only mislead.
        if let t = r["tokens"]?.recordValue, (r["examples"]?.intValue ?? 1) > 0 {
            lines.append("")
            var rows: [[String]] = []
            func row(_ label: String, _ d: Value?) {
                guard let d = d?.recordValue else { return }
                rows.append([label] + ["min", "mean", "median", "p10", "p90", "max"].map { Render.cell(d[$0] ?? .null) })
            }
            row("tokens per example", t["per_example"])
            row("trained per example", t["trained_per_example"])
            for (role, d) in t["per_role"]?.recordValue ?? Record() { row("  " + role + " message", d) }
            if !rows.isEmpty {
                lines.append(Table(headers: ["", "min", "mean", "median", "p10", "p90", "max"], rows: rows,
                                   rightAligned: [1, 2, 3, 4, 5, 6]).render())
            }
            if let h = t["per_example"]?["histogram"]?.recordValue, let counts = h["counts"]?.listValue, let edges = h["edges"]?.listValue {
                lines.append("")
                lines.append(histogram(edges: edges.compactMap(\.intValue), counts: counts.compactMap(\.intValue)))
            }
            lines.append("")
            lines.append("total tokens \(Render.cell(t["total_tokens"] ?? .null)), trained \(Render.cell(t["trained_tokens"] ?? .null))"
                         + (t["over_limit"]?.intValue.map { $0 > 0 ? ", \($0) over the \(r["max_tokens_per_example"]?.text ?? "") limit (truncated)" : "" } ?? ""))
        }
        var money = "model \(r["model"]?.text ?? "?") (\(r["encoding"]?.text ?? "")): \(r["epochs"]?.text ?? "?") epochs by default"
        if let billed = r["billed_tokens"]?.intValue { money += ", \(billed) billed tokens" }
        if let cost = r["cost"]?.numberValue { money += String(format: ", about %.2f %@ (prices as of %@)", cost, r["currency"]?.text ?? "USD", r["price_as_of"]?.text ?? "?") }
        lines.append(money)
        return lines
    }

    static func histogram(edges: [Int], counts: [Int]) -> String {
        let top = max(counts.max() ?? 1, 1)
        var lines: [String] = []
        for (k, c) in counts.enumerated() {
            let lo = k < edges.count ? edges[k] : 0
            let hi = k + 1 < edges.count ? edges[k + 1] : lo
            let bar = String(repeating: "█", count: Int((Double(c) / Double(top) * 30).rounded(.up)))
            lines.append(TextWidth.pad("\(lo)–\(hi)", to: 12, alignRight: true) + " " + TextWidth.pad(String(c), to: 6, alignRight: true) + " " + bar)
        }
        return lines.joined(separator: "\n")
    }

    static func stats(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return v.text }
        return (["\(r["file"]?.text ?? ""): \(r["examples"]?.text ?? "0") \(r["format"]?.text ?? "") examples"] + summary(r)).joined(separator: "\n")
    }

    static func fixReport(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return v.text }
        var lines: [String] = []
        for c in r["changes"]?.listValue ?? [] {
            lines.append("- \(c["description"]?.text ?? "") ×\(c["count"]?.text ?? "") [\(c["id"]?.text ?? "")]")
        }
        if lines.isEmpty { lines.append("nothing to fix") }
        let wrote = r["wrote"]?.boolValue ?? false
        lines.append(wrote ? "wrote \(r["output"]?.text ?? "") (\(r["lines_in"]?.text ?? "?") lines in, \(r["lines_out"]?.text ?? "?") out)" : "no file written")
        return lines.joined(separator: "\n")
    }

    static func transform(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return v.text }
        var lines = ["\(r["operation"]?.text ?? ""): \(r["before"]?.text ?? "?") → \(r["after"]?.text ?? "?") examples"
                     + (r["dataset"]?.objectValue.map { " (dataset \($0.name))" } ?? "")]
        for c in (r["changes"]?.listValue ?? []).prefix(10) { lines.append("  " + c.text) }
        return lines.joined(separator: "\n")
    }

    static func example(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return v.text }
        let labels = r["labels"]?.boolValue ?? false
        var lines = ["example \(r["index"].flatMap(\.intValue).map { $0 + 1 }.map(String.init) ?? "?")"
                     + (r["line"]?.intValue.map { " (line \($0))" } ?? "")
                     + (r["total_tokens"].map { ", \($0.text) tokens, \(r["trained_tokens"]?.text ?? "0") trained" } ?? "")]
        for p in r["parts"]?.listValue ?? [] {
            let trained = p["trained"]?.boolValue ?? false
            var head = "[\(p["role"]?.text ?? "")]"
            if labels { head += trained ? " trained" : " context (masked)" }
            if let n = p["tokens"]?.intValue { head += " — \(n) tokens" }
            lines.append(head)
            if let pieces = p["pieces"]?.listValue {
                lines.append(tokenLine(pieces.map(\.text), trained: labels ? trained : nil, color: o.color))
            } else {
                lines.append(p["text"]?.text ?? "")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Token boundaries: alternating colours on a terminal, `|` between tokens elsewhere.
    /// With labels, trained tokens are green and masked ones grey (or marked `+`/`·`).
    static func tokenLine(_ pieces: [String], trained: Bool?, color: Bool) -> String {
        let shown = pieces.map { $0.replacingOccurrences(of: "\n", with: "⏎") }
        if color {
            let palette = trained == true ? ["42;30", "102;30"] : trained == false ? ["100;37", "47;30"] : ["44;37", "46;30"]
            return shown.enumerated().map { "\u{1B}[\(palette[$0.offset % 2])m\($0.element)\u{1B}[0m" }.joined()
        }
        let mark = trained == true ? "+ " : trained == false ? "· " : ""
        return mark + shown.joined(separator: "|")
    }

    static func tokens(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return Render.value(v, options: o) }
        let pieces = (r["pieces"]?.listValue ?? []).map(\.text)
        return "\(r["count"]?.text ?? "0") tokens (\(r["encoding"]?.text ?? ""))\n" + tokenLine(pieces, trained: nil, color: o.color)
            + "\nids: " + (r["ids"]?.listValue ?? []).map(\.text).joined(separator: " ")
    }
}
