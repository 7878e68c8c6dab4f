import FTCore
import FTEval
import FTPluginKit
import Foundation

extension EvalPlugin {
    static let curve = CommandSpec(["eval", "curve"], summary: "Train and validation loss over the steps of a run or a hosted job, with the validation minimum marked.",
        discussion: "SOURCE is a metrics CSV (OpenAI's result file, or the `metrics.csv` a local run writes: step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy), a run folder holding metrics.csv, a model trained in this session (`train lora ... as tuned`, read from its run folder) or the record a train command returned, or a hosted fine-tuning job: its id (ftjob-...) or the job record 'job create' and 'job get' return. A job is fetched from OPENAI_BASE_URL (or `set openai_base_url = URL`: OpenAI, Azure OpenAI, `ftsh serve`) with OPENAI_API_KEY; its result file is read when it has one, otherwise its metrics events, so a running, failed or cancelled job still shows the steps it ran. The chart is drawn in the terminal; --svg and --png also write it as a picture (--width × --height pixels). ◆ marks the lowest validation loss: when the validation loss climbs after it while the training loss keeps falling, the model has started to memorise its training data (overfitting), and the checkpoint at the minimum is the one to keep.",
        arguments: [ArgumentSpec("source", "Metrics CSV, run folder, trained model, or fine-tuning job (id or record).", type: .value,
                                 completion: .file(extensions: ["csv"]))],
        flags: [FlagSpec("svg", "Also write the chart as SVG.", type: .path, completion: .file(extensions: ["svg"])),
                FlagSpec("png", "Also write the chart as PNG.", type: .path, completion: .file(extensions: ["png"])),
                FlagSpec("width", "Picture width in pixels.", type: .int, default: .int(960)),
                FlagSpec("height", "Picture height in pixels.", type: .int, default: .int(540)),
                FlagSpec("title", "Chart title.", type: .string),
                FlagSpec("force", "Overwrite existing picture files.")],
        examples: ["eval curve runs/lora-1", "eval curve step_metrics.csv --png curve.png", "eval curve tuned --svg tuned.svg",
                   "eval curve ftjob-abc123 --png job.png", "set j = job get ftjob-abc123", "eval curve $j --width 1200 --height 600"],
        display: .custom(EvalRender.curve)) { inv, ctx in
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
        let shown: String, log: TrainingLog
        var about = Record()
        switch try curveSource(inv, ctx) {
        case .file(let s, let path):
            shown = s
            log = try TrainingLog.read(path: path, display: s)
        case .job(let id):
            let client = try EvalInputs.openAIClient(ctx)
            let job: JobCurve
            do { job = try await JobCurve.load(id, client: client) } catch let d as Diagnostic { throw d.located(inv.location(of: "source")) }
            shown = id
            log = job.log
            about = ["job": .string(id), "status": .string(job.job.status.rawValue), "from": .string(job.origin)]
            if job.job.status == .failed || job.job.status == .cancelled {
                ctx.report(Diagnostic(.note, "\(id) \(job.job.status) after step \(Value.format(log.rows.last?.step ?? 0)); the curve shows the steps it ran",
                                      id: "eval.partial-job"))
            }
        }
        let title = inv.string("title") ?? "Training curves: " + shown
        let chart = try log.chart(title: title)
        var value = curveValue(log, chart: chart, source: shown)
        for (k, v) in about { value[k] = v }
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
