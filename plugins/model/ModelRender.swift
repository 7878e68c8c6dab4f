import FTCore
import FTPluginKit

/// How model results read for people. Each function takes the command's value (what `--json`
/// prints), so the screen never shows anything the value does not hold.
enum ModelRender {
    static func loaded(_ v: Value, _ o: RenderOptions) -> String {
        guard case .object(let ref) = v else { return Render.value(v, options: o) }
        let s = ref.summary
        var line = "model \(ref.name): \(s["layers"]?.text ?? "?") layers, \(s["heads"]?.text ?? "?") heads, "
            + "\(s["dims"]?.text ?? "?") dims, vocabulary \(s["vocab"]?.text ?? "?"), context \(s["context"]?.text ?? "?")"
        if let p = s["params"]?.intValue { line += ", " + LocalGPT.grouped(p) + " parameters" }
        if let m = s["method"]?.stringValue { line += " (\(m))" }
        return line
    }

    static func info(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return Render.value(v, options: o) }
        var lines: [String] = []
        var head = "model \(r["name"]?.text ?? "")  from \(r["source"]?.text ?? "")"
        if let m = r["method"]?.stringValue { head += "  method \(m)" }
        if let b = r["base"]?.stringValue { head += "  base \(b)" }
        lines.append(head)
        if let a = r["architecture"]?.recordValue {
            lines.append("GPT-2: \(a["layers"]?.text ?? "") layers × \(a["heads"]?.text ?? "") heads of \(a["head_size"]?.text ?? ""), "
                         + "\(a["dims"]?.text ?? "") dims, MLP \(a["inner"]?.text ?? ""), vocabulary \(a["vocab"]?.text ?? "")"
                         + " (tokenizer \(a["tokenizer_vocab"]?.text ?? "")), context \(a["context"]?.text ?? "")")
        }
        let parts = (r["parts"]?.listValue ?? []).compactMap(\.recordValue)
        if !parts.isEmpty {
            let rows = parts.map { p in
                [p["part"]?.text ?? "", p["tensors"]?.text ?? "", LocalGPT.grouped(p["params"]?.intValue ?? 0),
                 LocalGPT.grouped(p["trainable"]?.intValue ?? 0)]
            }
            lines.append("")
            lines.append(Table(headers: ["part", "tensors", "params", "trainable"], rows: rows, rightAligned: [1, 2, 3]).render())
        }
        if let m = r["modules"]?.recordValue {
            lines.append("")
            if let l = m["lora"]?.recordValue {
                let targets = (l["targets"]?.listValue ?? []).map(\.text).joined(separator: ", ")
                lines.append("LoRA: rank \(l["rank"]?.text ?? "") alpha \(Render.cell(l["alpha"] ?? .null)) (scaling \(Render.cell(l["scaling"] ?? .null))"
                             + (l["rslora"]?.boolValue == true ? ", rsLoRA" : "") + ") on \(targets), \(l["modules"]?.text ?? "") modules")
            }
            if let p = m["prompt_tuning"]?.recordValue { lines.append("prompt tuning: \(p["virtual_tokens"]?.text ?? "") virtual tokens") }
            if let a = m["adapters"]?.recordValue {
                lines.append("bottleneck adapters: \(a["count"]?.text ?? ""), width \(a["bottleneck"]?.text ?? ""), \(a["activation"]?.text ?? "")")
            }
        }
        lines.append("")
        lines.append(r["peft_line"]?.text ?? "")
        return lines.joined(separator: "\n")
    }

    static func next(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return Render.value(v, options: o) }
        var lines = ["after \(r["context_tokens"]?.text ?? "?") tokens (last \"\(r["last_token"]?.text ?? "")\"), "
                     + "entropy \(String(format: "%.3f", r["entropy"]?.numberValue ?? 0)) nats:"]
        let rows = (r["top"]?.listValue ?? []).compactMap(\.recordValue).map { t in
            [t["rank"]?.text ?? "", t["id"]?.text ?? "", t["token"]?.text ?? "",
             String(format: "%.4f", t["probability"]?.numberValue ?? 0), String(format: "%.3f", t["logit"]?.numberValue ?? 0),
             bar(t["probability"]?.numberValue ?? 0)]
        }
        lines.append(Table(headers: ["#", "id", "token", "prob", "logit", ""], rows: rows, rightAligned: [0, 1, 3, 4]).render())
        return lines.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }

    static func bar(_ p: Double) -> String {
        String(repeating: "█", count: Int((max(0, min(1, p)) * 20).rounded()))
    }

    static func generated(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return Render.value(v, options: o) }
        var tail = "(\(r["tokens"]?.text ?? "0") tokens, \(r["stop"]?.text ?? "")"
        if let t = r["tokens_per_second"]?.numberValue { tail += String(format: ", %.1f tokens/s", t) }
        return (r["text"]?.text ?? "") + "\n" + tail + ")"
    }

    static func merged(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return Render.value(v, options: o) }
        let name = r["model"]?.objectValue?.name ?? ""
        return "merged \(r["merged_modules"]?.text ?? "") LoRA modules into \(name), saved to \(r["path"]?.text ?? "")\n"
            + "largest logit difference from the adapter: " + String(format: "%.2e", r["max_logit_difference"]?.numberValue ?? 0)
    }
}
