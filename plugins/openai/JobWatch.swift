import FTCore
import FTData
import FTOpenAI
import FTPluginKit
import Foundation

/// `job watch`, `job results`, `job estimate`, and the event follower behind `job events --follow`.
enum JobWatch {
    static var all: [CommandSpec] { [watch, results, estimate] }

    static let watch = CommandSpec(
        ["job", "watch"], summary: "Follow a job live until it ends; Ctrl-C detaches without cancelling.",
        discussion: "Prints the job's events as they arrive (metrics every tenth of the run), shows a progress bar on a terminal, keeps following across dropped connections, and draws the train/valid loss when the job ends. Returns the final job.",
        arguments: [ArgumentSpec("id", "Job id (ftjob-…).")],
        flags: [FlagSpec("interval", "Seconds between polls.", type: .number, default: 5)],
        examples: ["job watch ftjob-abc123", "set done = job watch $j.id"],
        display: .none
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        let interval = inv.number("interval") ?? 5
        guard interval >= 0.01, interval <= 3600 else {
            throw inv.error("--interval must be between 0.01 and 3600 seconds", id: "usage.bad-argument", at: "interval")
        }
        let id = inv.string("id")!
        guard let job = try await follow(id, client: client, interval: interval, chart: true, inv: inv, ctx: ctx) else { return .null }
        return job.value
    }

    /// Prints a job's new events until it ends. Returns the final job, or the last one seen
    /// when Ctrl-C detached (the job keeps running on the server).
    static func follow(_ id: String, client: OpenAIClient, interval: Double, chart: Bool, inv: Invocation,
                       ctx: CommandContext) async throws -> FineTuningJob? {
        var seen = Set<String>()
        var steps: [StepMetrics] = []
        var lastTenth = -1
        var failures = 0
        var last: FineTuningJob?
        while true {
            var wait = interval
            do throws(OpenAIError) {
                let job = try await client.job(id)
                last = job
                for e in try await client.newEvents(id, seen: seen) {
                    seen.insert(e.id)
                    guard let m = e.metrics else { ctx.print(Show.eventLine(e)); continue }
                    steps.append(m)
                    let total = m.totalSteps ?? 0
                    let tenth = total > 0 ? m.step * 10 / total : m.step
                    if tenth > lastTenth || m.step == total {
                        ctx.print(Show.eventLine(e))
                        lastTenth = tenth
                    }
                }
                if failures > 0 {
                    ctx.report(Diagnostic(.note, "back in contact with the server", id: "openai.watch"))
                    failures = 0
                }
                if job.status.isTerminal {
                    ctx.progress(nil)
                    ctx.print(summary(job))
                    if chart, !steps.isEmpty { ctx.print(LossChart.render(steps).joined(separator: "\n")) }
                    return job
                }
                let latest = steps.last
                let fraction = latest.flatMap { m in m.totalSteps.map { Double(m.step) / Double(max($0, 1)) } }
                var detail = latest.map { "step \($0.step)/\($0.totalSteps ?? 0)" } ?? ""
                if let l = latest?.trainLoss { detail += String(format: "  loss %.3f", l) }
                ctx.progress(ProgressStatus(label: "\(id) \(job.status)", fraction: fraction, detail: detail))
            } catch {
                if case .transport(.cancelled, _, _) = error { return detach(id, last, ctx) }
                guard followable(error) else { throw error.diagnostic.located(inv.location) }
                failures += 1
                if failures == 1 {
                    ctx.report(.warning("lost contact with the server (\(reason(error))); still following, Ctrl-C to stop",
                                        id: "openai.watch"))
                }
                wait = min(max(interval, 1) * pow(2, Double(min(failures, 6))), 60)
            }
            do { try await client.sleep(wait) } catch { return detach(id, last, ctx) }
        }
    }

    static func detach(_ id: String, _ last: FineTuningJob?, _ ctx: CommandContext) -> FineTuningJob? {
        ctx.progress(nil)
        ctx.printError("detached from \(id); it keeps running on the server (job watch \(id) to follow again)")
        return last
    }

    static func reason(_ e: OpenAIError) -> String {
        switch e {
        case .api(let a): "\(a.status) " + (a.message.isEmpty ? "error" : Secrets.redact(a.message))
        case .transport(let t, _, _): t.text
        case .badResponse(let what, let status, _, _): "\(status) with \(what)"
        case .invalid(let d): d.message
        }
    }

    /// Errors a watch outlives: the network and the server's own failures.
    static func followable(_ e: OpenAIError) -> Bool {
        switch e {
        case .transport, .badResponse: true
        case .api(let a): a.status >= 500 || a.status == 429 || a.status == 408
        case .invalid: false
        }
    }

    static func summary(_ job: FineTuningJob) -> String {
        switch job.status {
        case .succeeded:
            "\(job.id) succeeded: \(job.fineTunedModel ?? "(no model name)")" + (job.trainedTokens.map { " (\($0) trained tokens)" } ?? "")
        case .failed: "\(job.id) failed: \(job.errorMessage ?? "no reason given")"
        default: "\(job.id) \(job.status)"
        }
    }

    static let results = CommandSpec(
        ["job", "results"], summary: "Download and read a finished job's result CSV (loss and accuracy per step).",
        arguments: [ArgumentSpec("id", "Job id (ftjob-…).")],
        flags: [FlagSpec("save", "Also write the CSV here.", type: .path, completion: .file(extensions: ["csv"])),
                FlagSpec("force", "Replace an existing --save file.")],
        examples: ["job results ftjob-abc123", "job results ftjob-abc123 --save results.csv"],
        display: .custom { v, _ in
            guard let r = v.recordValue else { return Show.raw(v) }
            func loss(_ v: Value?) -> String? { v?.numberValue.map { String(format: "%.4f", $0) } }
            var lines = ["\(r.string("job") ?? "job"): \(r.int("steps") ?? 0) steps, final train loss \(loss(r["train_loss"]) ?? "-")"
                + (loss(r["valid_loss"]).map { ", valid loss \($0)" } ?? "")]
            if r["base64_decoded"] == .bool(true) { lines.append("(the result file came base64-encoded; decoded)") }
            if let saved = r.string("saved") { lines.append("saved \(saved)") }
            let steps = (r["rows"]?.listValue ?? []).compactMap { $0.recordValue }.compactMap { row -> StepMetrics? in
                guard let s = row.int("step") else { return nil }
                return StepMetrics(step: s, trainLoss: row.number("train_loss"), validLoss: row.number("valid_loss"))
            }
            lines += LossChart.render(steps)
            return lines.joined(separator: "\n")
        }
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        let id = inv.string("id")!
        let job = try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> FineTuningJob in try await client.job(id) }
        guard let file = job.resultFiles.first else {
            throw inv.error("\(id) has no result file yet (status \(job.status)); wait for it to finish (job watch \(id))",
                            id: "openai.no-results", at: "id")
        }
        let content = try await ClientFactory.call(inv) { () async throws(OpenAIError) -> (data: Data, decodedBase64: Bool) in
            try await client.fileContent(file)
        }
        let csv = try ResultsCSV.parse(String(decoding: content.data, as: UTF8.self), file: file)
        var r = Record()
        r["job"] = .string(id)
        r["file"] = .string(file)
        r["steps"] = .int(csv.rows.count)
        r["train_loss"] = csv.rows.last?.trainLoss.map(Value.number) ?? .null
        r["valid_loss"] = csv.rows.last(where: { $0.validLoss != nil })?.validLoss.map(Value.number) ?? .null
        r["base64_decoded"] = .bool(content.decodedBase64)
        if let save = inv.string("save") {
            try AtomicFile.write(content.data, to: ctx.resolve(save), overwrite: inv.flag("force"))
            r["saved"] = .string(save)
        }
        func num(_ x: Double?) -> Value { x.map(Value.number) ?? .null }
        r["rows"] = .list(csv.rows.map { m in
            .record(Record([("step", .int(m.step)), ("train_loss", num(m.trainLoss)), ("train_accuracy", num(m.trainAccuracy)),
                            ("valid_loss", num(m.validLoss)), ("valid_accuracy", num(m.validAccuracy))]))
        })
        return .record(r)
    }

    static let estimate = CommandSpec(
        ["job", "estimate"], summary: "Estimate billed tokens and cost before creating a job.",
        discussion: "Counts the tokens of every example with the model's tokenizer (each capped at the model's limit), multiplies by the epochs (auto: the API's rule from the example count) and prices them from the dated price table ('data cost' shows every model).",
        arguments: [ArgumentSpec("data", "A .jsonl file or a dataset of the session.", type: .string, completion: .file(extensions: ["jsonl"]))],
        flags: [FlagSpec("model", "Model to price (default: the price table's default).", type: .string),
                FlagSpec("epochs", "Epochs (default: auto).", type: .int)],
        examples: ["job estimate train.jsonl --model gpt-4o-mini-2024-07-18", "job estimate support --epochs 3"],
        display: .custom { v, _ in
            guard let r = v.recordValue else { return Show.raw(v) }
            let cost = r["cost"].flatMap { $0 == .null ? nil : $0.text }.map { " ≈ \(r.string("currency") ?? "USD") \($0)" } ?? " (no price known)"
            return "\(r.string("model") ?? "-"): \(r.int("examples") ?? 0) examples, \(r.int("tokens_per_epoch") ?? 0) tokens × \(r.int("epochs") ?? 0) epochs"
                + (r["epochs_default"] == .bool(true) ? " (auto)" : "")
                + " = \(r.int("billed_tokens") ?? 0) billed tokens\(cost) (prices as of \(r.string("price_as_of") ?? "-"))"
        }
    ) { inv, ctx in
        let given = inv.string("data")!
        let dataset: Dataset
        if let d = ctx.workspace.get(given, as: Dataset.self) {
            dataset = d
        } else {
            let path = ctx.resolve(given)
            guard FileManager.default.fileExists(atPath: path) else {
                throw inv.error("no such file or dataset: \(given)", id: "io.not-found", at: "data")
            }
            dataset = try DataLoader.load(path: path, display: given).dataset
        }
        let prices = (try? PriceTable.standard(paths: Paths(environment: ctx.environment))) ?? .builtin
        let model = inv.string("model") ?? prices.defaultModel
        let counter = try prices.encoding(for: model)
        let estimates = try CostEstimate.estimate(dataset, counter: counter, prices: prices, models: [model], epochs: inv.int("epochs"))
        guard let first = estimates.first else { throw inv.error("no estimate for \(model)", id: "data.unknown-model", at: "model") }
        return first.toValue()
    }
}
