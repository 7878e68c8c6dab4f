import FTCore
import FTEval
import FTPluginKit
import Foundation

extension EvalPlugin {
    static let curve = CommandSpec(["eval", "curve"], summary: "Train and validation loss over the steps of a run, with the validation minimum marked.",
        discussion: "SOURCE is a metrics CSV (OpenAI's result file, or the `metrics.csv` a local run writes: step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy) or a run folder holding metrics.csv. The chart is drawn in the terminal; --svg and --png also write it as a picture (--width × --height pixels). ◆ marks the lowest validation loss: when the validation loss climbs after it while the training loss keeps falling, the model has started to memorise its training data (overfitting), and the checkpoint at the minimum is the one to keep.",
        arguments: [ArgumentSpec("source", "Metrics CSV or run folder.", type: .value, completion: .file(extensions: ["csv"]))],
        flags: [FlagSpec("svg", "Also write the chart as SVG.", type: .path, completion: .file(extensions: ["svg"])),
                FlagSpec("png", "Also write the chart as PNG.", type: .path, completion: .file(extensions: ["png"])),
                FlagSpec("width", "Picture width in pixels.", type: .int, default: .int(960)),
                FlagSpec("height", "Picture height in pixels.", type: .int, default: .int(540)),
                FlagSpec("title", "Chart title.", type: .string),
                FlagSpec("force", "Overwrite existing picture files.")],
        examples: ["eval curve runs/lora-1", "eval curve step_metrics.csv --png curve.png", "eval curve results.csv --svg curve.svg --width 1200 --height 600"],
        display: .custom(EvalRender.curve)) { inv, ctx in
        let (shown, path) = try curveFile(inv, ctx)
        let log = try TrainingLog.read(path: path, display: shown)
        let title = inv.string("title") ?? "Training curves: " + shown
        let chart = try log.chart(title: title)
        let width = inv.int("width") ?? 960, height = inv.int("height") ?? 540
        guard (200...8000).contains(width), (150...8000).contains(height) else {
            throw inv.error("picture size must be 200–8000 × 150–8000 pixels", id: "usage.bad-argument", at: width < 200 || width > 8000 ? "width" : "height")
        }
        let force = inv.flag("force")
        for flag in ["svg", "png"] {
            if let p = inv.string(flag), !force, FileManager.default.fileExists(atPath: ctx.resolve(p)) {
                throw inv.error("\(p) already exists; add --force to overwrite it", id: "io.exists", at: flag)
            }
        }
        var value = curveValue(log, chart: chart, source: shown)
        if let p = inv.string("svg") {
            try AtomicFile.write(SVGChart.render(chart, width: width, height: height), to: ctx.resolve(p), overwrite: force)
            value["svg"] = .string(p)
        }
        if let p = inv.string("png") {
            try AtomicFile.write(Data(PNGChart.render(chart, width: width, height: height)), to: ctx.resolve(p), overwrite: force)
            value["png"] = .string(p)
        }
        return .record(value)
    }

    /// The CSV a source names: a file, or `metrics.csv` in a run folder.
    static func curveFile(_ inv: Invocation, _ ctx: CommandContext) throws(Diagnostic) -> (String, String) {
        if let (name, entry) = ctx.workspace.lookup(inv["source"]) {
            throw inv.error("'\(name)' is a \(entry.kind) in the workspace; curves are read from its metrics CSV for now",
                            id: "eval.unsupported-source", at: "source",
                            notes: ["give the run folder (with metrics.csv) or the job's downloaded result CSV"])
        }
        let shown = inv["source"].text
        let path = ctx.resolve(shown)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw inv.error("no such file or folder: \(shown)", id: "eval.missing-file", at: "source")
        }
        if isDir.boolValue {
            let csv = path + "/metrics.csv"
            guard FileManager.default.fileExists(atPath: csv) else {
                throw inv.error("\(shown) holds no metrics.csv", id: "eval.missing-file", at: "source",
                                notes: ["a run folder keeps its per-step losses in metrics.csv"])
            }
            return ((shown.hasSuffix("/") ? shown : shown + "/") + "metrics.csv", csv)
        }
        return (shown, path)
    }

    /// Everything the chart and its summary need, so the value alone redraws it.
    static func curveValue(_ log: TrainingLog, chart: LineChart, source: String) -> Record {
        var r: Record = ["source": .string(source), "title": .string(chart.title), "steps": .int(log.rows.count)]
        r["series"] = .list(chart.series.map { s in
            .record(["name": .string(s.name), "axis": .string(s.axis == .secondary ? "right" : "left"),
                     "mark_minimum": .bool(s.markMinimum),
                     "points": .list(s.points.map { .list([.number($0.x), .number($0.y)]) })])
        })
        if let m = log.validationMinimum {
            r["valid_min"] = .record(["step": .number(m.step), "loss": .number(m.loss), "rise": .number(m.rise)])
        } else {
            r["valid_min"] = .null
        }
        var last = Record()
        if let t = log.train.last { last["train_loss"] = .number(t.y); last["step"] = .number(t.x) }
        if let v = log.validation.last { last["valid_loss"] = .number(v.y) }
        r["last"] = .record(last)
        return r
    }

    /// Rebuilds the chart from a curve value (for rendering and reports).
    static func chart(from v: Value) -> LineChart? {
        guard let series = v["series"]?.listValue else { return nil }
        var out: [LineChart.Series] = []
        for s in series {
            let points = (s["points"]?.listValue ?? []).compactMap { p -> LineChart.Point? in
                guard let xy = p.listValue, xy.count == 2, let x = xy[0].numberValue, let y = xy[1].numberValue else { return nil }
                return LineChart.Point(x: x, y: y)
            }
            out.append(LineChart.Series(name: s["name"]?.text ?? "", points: points,
                                        axis: s["axis"]?.text == "right" ? .secondary : .primary,
                                        markMinimum: s["mark_minimum"]?.boolValue ?? false))
        }
        let hasRight = out.contains { $0.axis == .secondary }
        return LineChart(title: v["title"]?.text ?? "Training curves", xLabel: "step", yLabel: "loss",
                         secondaryLabel: hasRight ? "accuracy" : "", series: out)
    }
}
