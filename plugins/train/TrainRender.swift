import FTCore
import FTEval
import FTPluginKit
import Foundation
import ModelPlugin

/// How training results read for people; each function shows only what the value holds.
enum TrainRender {
    static func loss(_ v: Value?) -> String {
        guard let x = v?.numberValue else { return "-" }
        return String(format: "%.4f", x)
    }

    static func bytes(_ v: Value?) -> String {
        guard let n = v?.numberValue else { return "-" }
        if n >= 1_073_741_824 { return String(format: "%.2f GiB", n / Double(1 << 30)) }
        if n >= 1_048_576 { return String(format: "%.1f MiB", n / Double(1 << 20)) }
        if n >= 1024 { return String(format: "%.1f KiB", n / Double(1 << 10)) }
        return "\(Int(n)) B"
    }

    static func finished(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return Render.value(v, options: o) }
        let status = r["status"]?.text ?? ""
        var lines = ["\(r["method"]?.text ?? "") run \(r["run"]?.text ?? ""): \(status) after \(r["steps"]?.text ?? "0")/\(r["total_steps"]?.text ?? "?") steps"]
        if r["best_valid_loss"]?.numberValue != nil {
            lines.append("valid loss \(loss(r["initial_valid_loss"])) → best \(loss(r["best_valid_loss"])) at step \(r["best_step"]?.text ?? "-")")
        } else if let t = r["final_train_loss"], t != .null {
            lines.append("train loss \(loss(t)) (no validation data)")
        }
        lines.append(r["peft_line"]?.text ?? "")
        var cost = "optimizer state " + bytes(r["optimizer_bytes"])
        if let s = r["seconds_per_step"]?.numberValue {
            cost += String(format: ", %.1f ms/step, ", s * 1000) + "\(Int(r["tokens_per_second"]?.numberValue ?? 0)) tokens/s"
        }
        lines.append(cost)
        if let name = r["model"]?.objectValue?.name { lines.append("model \(name) is in the workspace (best weights)") }
        if status == "paused" || status == "interrupted" { lines.append("'train resume \(r["run"]?.text ?? "")' continues") }
        return lines.joined(separator: "\n")
    }

    static func show(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue, let c = r["config"]?.recordValue else { return Render.value(v, options: o) }
        let s = r["state"]?.recordValue ?? [:]
        var lines = ["run \(r["run"]?.text ?? ""): \(c["method"]?.text ?? "") on \(c["base_source"]?.text ?? ""), \(s["status"]?.text ?? "new") at step \(s["step"]?.text ?? "0")/\(c["total_steps"]?.text ?? "?")"]
        var settings = Record()
        for k in ["data", "valid", "examples", "valid_examples", "epochs", "batch", "length", "learning_rate", "schedule",
                  "warmup", "weight_decay", "grad_clip", "eval_every", "early_stop", "seed"] {
            if let x = c[k], x != .null { settings[k] = x }
        }
        if let opts = c["options"]?.recordValue { for (k, x) in opts { settings[k] = x } }
        if let t = c["trainable"]?.intValue, let a = c["all"]?.intValue {
            settings["trainable"] = .string(LocalGPT.trainableLine(trainable: t, all: a))
        }
        lines.append(Render.record(settings, indent: "  "))
        let evals = (r["evaluations"]?.listValue ?? []).compactMap(\.recordValue)
        if !evals.isEmpty {
            lines.append("")
            let rows = evals.map { [$0["step"]?.text ?? "", loss($0["train_loss"]), loss($0["valid_loss"]),
                                    $0["valid_accuracy"]?.numberValue.map { String(format: "%.1f%%", 100 * $0) } ?? "-"] }
            lines.append(Table(headers: ["step", "train loss", "valid loss", "valid acc"], rows: rows, rightAligned: [0, 1, 2, 3]).render())
        }
        if let best = s["best_valid_loss"], best != .null {
            lines.append("best valid loss \(loss(best)) at step \(s["best_step"]?.text ?? "-")")
        }
        return lines.joined(separator: "\n")
    }

    static func compare(_ v: Value, _ o: RenderOptions) -> String {
        guard let r = v.recordValue else { return Render.value(v, options: o) }
        let methods = (r["methods"]?.listValue ?? []).compactMap(\.recordValue)
        let rows: [[String]] = methods.map { m in
            [m["method"]?.text ?? "", LocalGPT.grouped(m["trainable"]?.intValue ?? 0),
             String(format: "%.4f", m["trainable_percent"]?.numberValue ?? 0), bytes(m["optimizer_bytes"]),
             bytes(m["peak_rss_bytes"]),
             m["seconds_per_step"]?.numberValue.map { String(format: "%.1f", $0 * 1000) } ?? "-",
             m["tokens_per_second"]?.numberValue.map { String(Int($0)) } ?? "-",
             loss(m["best_valid_loss"]), loss(m["base_text_loss_before"]) + " → " + loss(m["base_text_loss_after"])]
        }
        var lines = [Table(headers: ["method", "trainable", "%", "optimizer", "peak RSS", "ms/step", "tokens/s", "best valid", "base text loss"],
                           rows: rows, rightAligned: [1, 2, 3, 4, 5, 6, 7]).render()]
        let series: [LineChart.Series] = methods.compactMap { m in
            let pts = (m["curve"]?.listValue ?? []).compactMap { p -> LineChart.Point? in
                guard let l = p.listValue, l.count == 2, let x = l[0].numberValue, let y = l[1].numberValue else { return nil }
                return LineChart.Point(x: x, y: y)
            }
            return pts.isEmpty ? nil : LineChart.Series(name: m["method"]?.text ?? "", points: pts)
        }
        if !series.isEmpty {
            lines.append("")
            lines.append(TerminalChart.render(LineChart(title: "validation loss", series: series), width: min(72, o.width), height: 14, color: o.color))
        }
        lines.append("runs in \(r["runs"]?.text ?? "")")
        return lines.joined(separator: "\n")
    }
}
