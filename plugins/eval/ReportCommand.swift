import FTCore
import FTEval
import FTPluginKit
import Foundation

extension EvalPlugin {
    static let report = CommandSpec(["eval", "report"], summary: "Write a Markdown and/or HTML report of comparisons, runs and curves.",
        discussion: "Each ITEM is a result of an earlier eval command ('eval compare', 'eval run', 'eval metrics', 'eval curve', kept with `set`), the name of an 'eval run' result in the workspace, or a metrics CSV or run folder (drawn as a curve). The report has one section per item: scores with deltas and intervals, flips and the most changed examples side by side, score tables with sample answers, and curves with the validation minimum. --md writes Markdown (curves drawn as text); --html writes one self-contained page (curves as inline SVG, no external files). Files are written atomically and never overwritten without --force.",
        arguments: [ArgumentSpec("items", "Results or files to report on.", type: .value, completion: .file(extensions: ["csv"]), variadic: true)],
        flags: [FlagSpec("md", "Write Markdown here.", type: .path, completion: .file(extensions: ["md"])),
                FlagSpec("html", "Write HTML here.", type: .path, completion: .file(extensions: ["html"])),
                FlagSpec("title", "Report title.", type: .string, default: .string("Evaluation report")),
                FlagSpec("force", "Overwrite existing report files.")],
        examples: ["eval report $cmp $cur --md report.md --html report.html", "eval report tuned runs/lora-1 --html tuned.html --title \"LoRA run 1\""],
        display: .custom(EvalRender.report)) { inv, ctx in
        let items = inv["items"].listValue ?? []
        guard !items.isEmpty else { throw inv.error("give at least one result or file to report on", id: "usage.missing-argument") }
        guard inv.string("md") != nil || inv.string("html") != nil else {
            throw inv.error("give --md FILE and/or --html FILE", id: "usage.missing-argument")
        }
        let force = inv.flag("force")
        for flag in ["md", "html"] {
            if let p = inv.string(flag), !force, FileManager.default.fileExists(atPath: ctx.resolve(p)) {
                throw inv.error("\(p) already exists; add --force to overwrite it", id: "io.exists", at: flag)
            }
        }
        var doc = ReportDocument(title: inv.string("title") ?? "Evaluation report")
        var sections: [Value] = []
        for item in items {
            let (kind, blocks) = try reportSection(item, inv: inv, ctx: ctx)
            doc.blocks += blocks
            sections.append(.string(kind))
        }
        var out: Record = ["title": .string(doc.title), "sections": .list(sections)]
        if let p = inv.string("md") {
            let text = doc.markdown()
            try AtomicFile.write(text, to: ctx.resolve(p), overwrite: force)
            out["md"] = .string(p)
            out["md_bytes"] = .int(text.utf8.count)
        }
        if let p = inv.string("html") {
            let text = doc.html()
            try AtomicFile.write(text, to: ctx.resolve(p), overwrite: force)
            out["html"] = .string(p)
            out["html_bytes"] = .int(text.utf8.count)
        }
        return .record(out)
    }

    /// One item's blocks and what kind of section it made.
    static func reportSection(_ item: Value, inv: Invocation, ctx: CommandContext) throws -> (String, [ReportDocument.Block]) {
        if let run = EvalInputs.evaluation(item, ctx) { return ("run", runBlocks(run)) }
        if let r = item.recordValue {
            if r["series"] != nil, let chart = chart(from: item) { return ("curve", curveBlocks(r, chart)) }
            if r["metrics"]?.listValue != nil, r["a"] != nil { return ("comparison", comparisonBlocks(r)) }
            if let scores = r["scores"]?.recordValue {
                return ("metrics", [.heading(2, "Scores: \(r["file"]?.text ?? "")"),
                                    .paragraph("\(r["count"]?.text ?? "0") examples."), scoreTable(scores)])
            }
            throw inv.error("cannot report on this record (keys: \(r.keys.joined(separator: ", ")))", id: "eval.unsupported-source", at: "items",
                            notes: ["give results of eval compare, eval run, eval metrics or eval curve"])
        }
        if case .string(let shown) = item {
            let path = ctx.resolve(shown)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw inv.error("'\(shown)' is neither a result in the workspace nor a file", id: "eval.missing-file", at: "items")
            }
            let file = isDir.boolValue ? path + "/metrics.csv" : path
            let log = try TrainingLog.read(path: file, display: isDir.boolValue ? shown + "/metrics.csv" : shown)
            let chart = try log.chart(title: "Training curves: " + shown)
            return ("curve", curveBlocks(curveValue(log, chart: chart, source: shown), chart))
        }
        throw inv.error("cannot report on a \(item.typeName)", id: "eval.unsupported-source", at: "items")
    }

    static func scoreTable(_ scores: Record) -> ReportDocument.Block {
        .table(headers: ["metric", "score"], rows: scores.map { [$0.key, EvalRender.score($0.value)] }, numeric: [1])
    }

    static func comparisonBlocks(_ r: Record) -> [ReportDocument.Block] {
        let a = r["a"]?.text ?? "A", b = r["b"]?.text ?? "B"
        var blocks: [ReportDocument.Block] = [
            .heading(2, "Comparison: \(a) → \(b)"),
            .paragraph("A = \(a), B = \(b). \(r["count"]?.text ?? "0") examples; B − A with a paired bootstrap 95% interval from \(r["samples"]?.text ?? "?") resamples. A difference is marked significant when its interval excludes 0."),
        ]
        var rows: [[String]] = []
        var flips: [String] = []
        for m in r["metrics"]?.listValue ?? [] {
            let name = m["metric"]?.text ?? ""
            rows.append([name, EvalRender.score(m["a"]), EvalRender.score(m["b"]), (m["delta"]?.numberValue).map(EvalRender.signed) ?? "-",
                         "\((m["ci_low"]?.numberValue).map(EvalRender.signed) ?? "-") … \((m["ci_high"]?.numberValue).map(EvalRender.signed) ?? "-")",
                         m["significant"]?.boolValue == true ? "yes" : "no",
                         "\(m["wins"]?.text ?? "0")/\(m["ties"]?.text ?? "0")/\(m["losses"]?.text ?? "0")"])
            let up = (m["fail_to_pass"]?.listValue ?? []).map(\.text), down = (m["pass_to_fail"]?.listValue ?? []).map(\.text)
            if !up.isEmpty || !down.isEmpty {
                flips.append("\(name): \(up.count) fail→pass (\(up.isEmpty ? "none" : up.joined(separator: ", "))), \(down.count) pass→fail (\(down.isEmpty ? "none" : down.joined(separator: ", ")))")
            }
        }
        blocks.append(.table(headers: ["metric", "A", "B", "B − A", "95% interval", "significant", "win/tie/loss"], rows: rows,
                             numeric: [1, 2, 3, 6]))
        if !flips.isEmpty {
            blocks.append(.paragraph("Examples that crossed the pass threshold (numbered from 1):"))
            blocks.append(.bullets(flips))
        }
        let examples = r["examples"]?.listValue ?? []
        if !examples.isEmpty, let first = r["examples_by"]?.stringValue {
            blocks.append(.heading(3, "Most changed examples (\(first))"))
            for e in examples {
                let s = e["scores"]?[first]
                let sa = s?["a"]?.numberValue ?? 0, sb = s?["b"]?.numberValue ?? 0
                var fields: [(String, String)] = []
                if let p = e["prompt"]?.stringValue { fields.append(("prompt", p)) }
                fields += [("reference", e["reference"]?.text ?? ""), ("A: \(a)", e["a"]?.text ?? ""), ("B: \(b)", e["b"]?.text ?? "")]
                blocks.append(.example(title: "Example \(e["example"]?.text ?? "?"): \(first) \(EvalRender.score(.number(sa))) → \(EvalRender.score(.number(sb)))",
                                       fields: fields))
            }
        }
        return blocks
    }

    static func runBlocks(_ run: EvalRun) -> [ReportDocument.Block] {
        var scores = Record()
        for r in run.report.results { scores[r.name] = .number(r.corpus) }
        var blocks: [ReportDocument.Block] = [.heading(2, "Evaluation: \(run.model) on \(run.data)"),
                                              .paragraph("\(run.predictions.count) examples."), scoreTable(scores)]
        for i in run.predictions.indices.prefix(5) {
            blocks.append(.example(title: "Example \(i + 1)", fields: [("prompt", run.prompts[i].lastUserText),
                                                                        ("reference", run.references[i]), ("prediction", run.predictions[i])]))
        }
        return blocks
    }

    static func curveBlocks(_ r: Record, _ chart: LineChart) -> [ReportDocument.Block] {
        [.heading(2, "Training curves: \(r["source"]?.text ?? "")"), .chart(chart), .bullets(EvalRender.curveSummary(r))]
    }
}
