import FTCore
import FTData
import FTEval
import FTPluginKit
import Foundation

/// `eval`: score predictions, run a model on data, compare two systems, draw training curves
/// and write reports. The commands are thin: FTEval computes, EvalRender shows, EvalReport writes.
public enum EvalPlugin {
    public static func plugin() -> Plugin {
        Plugin(name: "eval", summary: "Evaluate: metrics, model runs, base-vs-tuned comparisons, loss curves, reports.",
               commands: [metrics, run, compare, curve, report])
    }

    static let metricsFlag = FlagSpec("metrics", "Metrics, comma-separated (default exact_match, squad_f1, bleu, chrf, rouge1/2/L).",
                                      type: .string, completion: .choices(Metric.names), repeatable: true)
    static let generationFlags = [
        FlagSpec("max-tokens", "Longest answer a model may write, in tokens.", type: .int, default: .int(128)),
        FlagSpec("temperature", "Sampling temperature; 0 is greedy.", type: .number, default: .number(0)),
        FlagSpec("concurrency", "Requests in flight at once for a hosted model.", type: .int, default: .int(4)),
    ]
    static let predictionFiles = CompletionKind.file(extensions: ["jsonl"])

    // MARK: metrics

    static let metrics = CommandSpec(["eval", "metrics"], summary: "Score a JSONL file of predictions against references.",
        discussion: "Each line holds a string `prediction` and a `reference` (a string, or `references`: a list of strings). Scores are on a 0–100 scale. BLEU and chrF match sacrebleu, ROUGE matches Google's rouge-score (which keeps only a–z and 0–9, so Korean scores 0 there: use rouge1-unicode and friends, ftsh's own), SQuAD EM/F1 the official script. `json`, `regex:PATTERN` and `contains:TEXT` check the form of a prediction. With --json each line's scores are included.",
        arguments: [ArgumentSpec("file", "Predictions JSONL.", type: .path, completion: predictionFiles)],
        flags: [metricsFlag],
        examples: ["eval metrics answers.jsonl", "eval metrics answers.jsonl --metrics bleu,chrf,rouge-unicode",
                   "eval metrics answers.jsonl --metrics json,regex:^[0-9]+$ --json"],
        display: .custom(EvalRender.metrics)) { inv, ctx in
        let chosen = try EvalInputs.metrics(inv)
        let shown = inv.string("file")!
        let examples = try EvalInputs.examples(path: shown, ctx: ctx, requireReference: chosen.contains(where: \.needsReference),
                                                 at: inv.location(of: "file"))
        let report = try Evaluation.score(examples, metrics: chosen)
        guard case .record(var r) = report.toValue(perLine: inv.json) else { return .null }
        r = Record([("file", .string(shown))] + r.pairs.map { ($0.key, $0.value) })
        return .record(r)
    }

    // MARK: run

    static let run = CommandSpec(["eval", "run"], summary: "Run a model on a dataset's prompts and score its answers.",
        discussion: "The prompt of a chat example is every message before the last assistant message, and that message is the reference; prompt/completion data uses its prompt and completion. MODEL is `tiny` (the bundled model), a model, adapter or run folder (run on this machine, as 'model load' reads it), a JSONL file of recorded answers (`prompt` and `prediction` per line), a model object from the workspace, or a hosted model id (chat completions at OPENAI_BASE_URL, --concurrency requests at a time; answers are cached under ~/.cache/ftsh/eval/, so running it again sends nothing). The result is kept in the workspace for 'eval compare' and 'eval report'; --out also writes the predictions as JSONL.",
        arguments: [ArgumentSpec("model", "tiny, a model/adapter/run folder, an answers file, a workspace model, or a hosted model id.", type: .value,
                                 completion: .file(extensions: ["jsonl"])),
                    ArgumentSpec.resultName],
        flags: [FlagSpec("data", "Dataset (workspace name or file) to evaluate on.", type: .value,
                         completion: .file(extensions: ["jsonl", "csv", "tsv"])),
                metricsFlag, FlagSpec("n", "Only the first N examples.", type: .int),
                FlagSpec("out", "Write predictions JSONL here.", type: .path, completion: predictionFiles),
                FlagSpec("force", "Overwrite the --out file.")] + generationFlags,
        examples: ["eval run answers.jsonl --data qa_valid", "eval run gpt-4o-mini --data valid.jsonl --n 50 --out base.jsonl",
                   "eval run runs/lora-1/model --data qa_valid as tuned"],
        display: .custom(EvalRender.run)) { inv, ctx in
        guard inv["data"] != .null else { throw inv.error("give --data DATASET", id: "usage.missing-argument") }
        let chosen = try EvalInputs.metrics(inv)
        let settings = try generation(inv)
        var (dataName, items) = try EvalInputs.items(inv["data"], ctx: ctx, inv: inv, flag: "data")
        if let n = inv.int("n") {
            guard n > 0 else { throw inv.error("--n must be at least 1", id: "usage.bad-argument", at: "n") }
            items = Array(items.prefix(n))
        }
        let outPath = inv.string("out")
        if let outPath, !inv.flag("force"), FileManager.default.fileExists(atPath: ctx.resolve(outPath)) {
            throw inv.error("\(outPath) already exists; add --force to overwrite it", id: "io.exists", at: "out")
        }
        let side = try EvalInputs.side(inv["model"], flag: "model", hasData: true, inv: inv, ctx: ctx)
        let predictions: [String], name: String
        switch side {
        case .source(let source):
            name = source.name
            predictions = try await predict(source, items.map(\.prompt), settings: settings, inv: inv, flag: "model", ctx: ctx)
        case .scored(let n, let examples, _):
            name = n
            predictions = try aligned(examples, to: items, label: n)
        }
        let examples = zip(predictions, items).map { FTEval.Example(prediction: $0, reference: $1.reference) }
        let scores = try Evaluation.score(examples, metrics: chosen)
        let result = EvalRun(model: name, data: dataName, prompts: items.map(\.prompt), predictions: predictions,
                             references: items.map(\.reference), report: scores)
        if let outPath {
            var text = ""
            for (item, p) in zip(items, predictions) {
                text += JSON.encode(.record(["prompt": item.prompt.toValue(), "prediction": .string(p),
                                             "reference": .string(item.reference)])) + "\n"
            }
            try AtomicFile.write(text, to: ctx.resolve(outPath), overwrite: inv.flag("force"))
        }
        let resultName = try inv.resultName(default: ctx.workspace.freshName("eval"))
        var summary: Record = ["model": .string(name), "data": .string(dataName), "examples": .int(items.count)]
        for r in scores.results.prefix(3) { summary[r.name] = .number((r.corpus * 100).rounded() / 100) }
        let handle = ctx.workspace.put(result, kind: "evaluation", name: resultName, summary: summary)
        var value: Record = ["evaluation": handle, "model": .string(name), "data": .string(dataName),
                             "count": .int(items.count), "scores": scores.toValue()["scores"] ?? .null]
        if let outPath { value["out"] = .string(outPath) }
        value["examples"] = .list(zip(items, predictions).prefix(3).map { item, p in
            .record(["prompt": .string(item.prompt.lastUserText), "reference": .string(item.reference), "prediction": .string(p)])
        })
        return .record(value)
    }

    /// The source's answers, checked to be one per prompt; its errors point at the argument
    /// that named it.
    static func predict(_ source: any PredictionSource, _ prompts: [Prompt], settings: GenerationSettings, inv: Invocation,
                        flag: String, ctx: CommandContext) async throws -> [String] {
        let answers: [String]
        do { answers = try await source.predict(prompts, settings: settings, ctx: ctx) }
        catch let d as Diagnostic { throw d.located(inv.location(of: flag)) }
        guard answers.count == prompts.count else {
            throw inv.error("\(source.name) gave \(answers.count) answers to \(prompts.count) prompts", id: "eval.mismatched-lengths", at: flag)
        }
        return answers
    }

    /// Predictions already scored (an earlier run) lined up with the data: same count, same references.
    static func aligned(_ examples: [FTEval.Example], to items: [EvalItem], label: String) throws(Diagnostic) -> [String] {
        guard examples.count == items.count else {
            throw .error("\(label) has \(examples.count) predictions but the data has \(items.count) examples",
                         id: "eval.mismatched-lengths")
        }
        for (i, (e, item)) in zip(examples, items).enumerated() where e.references.first != item.reference {
            throw .error("\(label) was scored against a different reference at example \(i + 1)", id: "eval.mismatched-references",
                         notes: ["compare results made from the same data"])
        }
        return examples.map(\.prediction)
    }

    static func generation(_ inv: Invocation) throws(Diagnostic) -> GenerationSettings {
        let s = GenerationSettings(maxTokens: inv.int("max-tokens") ?? 128, temperature: inv.number("temperature") ?? 0,
                                   concurrency: inv.int("concurrency") ?? 4)
        guard s.maxTokens >= 1 else { throw inv.error("--max-tokens must be at least 1", id: "usage.bad-argument", at: "max-tokens") }
        guard s.temperature >= 0 && s.temperature <= 2 else {
            throw inv.error("--temperature must be between 0 and 2", id: "usage.bad-argument", at: "temperature")
        }
        guard s.concurrency >= 1 && s.concurrency <= 64 else {
            throw inv.error("--concurrency must be between 1 and 64", id: "usage.bad-argument", at: "concurrency")
        }
        return s
    }
}
