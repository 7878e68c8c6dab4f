import FTCore
import FTEval
import FTPluginKit
import Foundation

extension EvalPlugin {
    static let compare = CommandSpec(["eval", "compare"], summary: "Compare two systems on the same examples: deltas, bootstrap interval, flips.",
        discussion: "A and B are predictions JSONL files (with `prediction` and `reference`), 'eval run' results, or, with --data, anything 'eval run' takes as a model (`tiny`, a model, adapter or run folder, a workspace model, a file of recorded answers, a hosted model id), which is then run on the data first. Every metric gets A's and B's scores, the difference B − A with a paired bootstrap 95% interval (--samples resamples from the session's seeded generator; * marks an interval that excludes 0), how many examples B won, tied and lost, and the flips: examples that crossed the pass threshold (--threshold; by default 100 for pass/fail metrics and 50 for the others). The examples that changed most on the first graded metric (not a pass/fail one) are shown side by side.",
        arguments: [ArgumentSpec("a", "System A (the baseline).", type: .value, completion: predictionFiles),
                    ArgumentSpec("b", "System B (the candidate).", type: .value, completion: predictionFiles)],
        flags: [FlagSpec("data", "Dataset whose prompts both systems answer, and whose answers are the references.", type: .value,
                         completion: .file(extensions: ["jsonl", "csv", "tsv"])),
                metricsFlag,
                FlagSpec("samples", "Bootstrap resamples.", type: .int, default: .int(1000)),
                FlagSpec("threshold", "Score at which an example passes (for flips).", type: .number),
                FlagSpec("top", "How many most-changed examples to show.", type: .int, default: .int(3)),
                FlagSpec("n", "With --data: only the first N examples.", type: .int)] + generationFlags,
        examples: ["eval compare base.jsonl tuned.jsonl", "eval compare base.jsonl tuned.jsonl --metrics bleu,chrf --samples 2000",
                   "eval compare gpt-4o-mini ft:gpt-4o-mini:acme::abc123 --data valid.jsonl --n 100"],
        display: .custom(EvalRender.compare)) { inv, ctx in
        let chosen = try EvalInputs.metrics(inv)
        let samples = inv.int("samples") ?? 1000
        guard samples >= 1 && samples <= 1_000_000 else {
            throw inv.error("--samples must be between 1 and 1000000", id: "usage.bad-argument", at: "samples")
        }
        let top = inv.int("top") ?? 3
        guard top >= 0 else { throw inv.error("--top must not be negative", id: "usage.bad-argument", at: "top") }
        let settings = try generation(inv)

        var prompts: [Prompt]?
        var references: [String]
        var predA: [String], predB: [String]
        let nameA: String, nameB: String
        if inv["data"] != .null {
            var (_, items) = try EvalInputs.items(inv["data"], ctx: ctx, inv: inv, flag: "data")
            if let n = inv.int("n") {
                guard n > 0 else { throw inv.error("--n must be at least 1", id: "usage.bad-argument", at: "n") }
                items = Array(items.prefix(n))
            }
            func answers(_ flag: String) async throws -> (String, [String]) {
                switch try EvalInputs.side(inv[flag], flag: flag, hasData: true, inv: inv, ctx: ctx) {
                case .source(let s):
                    return (s.name, try await predict(s, items.map(\.prompt), settings: settings, inv: inv, flag: flag, ctx: ctx))
                case .scored(let name, let examples, _): return (name, try aligned(examples, to: items, label: name))
                }
            }
            (nameA, predA) = try await answers("a")
            (nameB, predB) = try await answers("b")
            prompts = items.map(\.prompt)
            references = items.map(\.reference)
        } else {
            func scored(_ flag: String) throws -> (String, [FTEval.Example], [Prompt]?) {
                switch try EvalInputs.side(inv[flag], flag: flag, hasData: false, inv: inv, ctx: ctx) {
                case .scored(let name, let examples, let p): return (name, examples, p)
                case .source(let s): throw EvalInputs.needsData(s.name, flag: flag, inv: inv)
                }
            }
            let (na, ea, pa) = try scored("a"), (nb, eb, _) = try scored("b")
            guard ea.count == eb.count else {
                throw inv.error("\(na) has \(ea.count) examples and \(nb) has \(eb.count); a paired comparison needs the same examples",
                                id: "eval.mismatched-lengths", at: "b")
            }
            if let i = ea.indices.first(where: { ea[$0].references != eb[$0].references }) {
                throw inv.error("\(na) and \(nb) have different references at example \(i + 1); they must score the same data",
                                id: "eval.mismatched-references", at: "b")
            }
            (nameA, nameB) = (na, nb)
            predA = ea.map(\.prediction)
            predB = eb.map(\.prediction)
            references = ea.map { $0.references.first ?? "" }
            prompts = pa
            let scoredA = try Evaluation.score(ea, metrics: chosen), scoredB = try Evaluation.score(eb, metrics: chosen)
            return try comparison(scoredA, scoredB, names: (nameA, nameB), predictions: (predA, predB), references: references,
                                  allReferences: ea.map(\.references), prompts: prompts, inv: inv, ctx: ctx,
                                  samples: samples, top: top)
        }
        let ea = zip(predA, references).map { FTEval.Example(prediction: $0, reference: $1) }
        let eb = zip(predB, references).map { FTEval.Example(prediction: $0, reference: $1) }
        return try comparison(try Evaluation.score(ea, metrics: chosen), try Evaluation.score(eb, metrics: chosen),
                              names: (nameA, nameB), predictions: (predA, predB), references: references,
                              allReferences: references.map { [$0] }, prompts: prompts, inv: inv, ctx: ctx, samples: samples, top: top)
    }

    /// The comparison value: per-metric results (examples numbered from 1) and the most
    /// changed examples on the first metric with both answers.
    static func comparison(_ a: MetricReport, _ b: MetricReport, names: (String, String), predictions: ([String], [String]),
                           references: [String], allReferences: [[String]], prompts: [Prompt]?, inv: Invocation,
                           ctx: CommandContext, samples: Int, top: Int) throws -> Value {
        let results = try Compare.compare(a, b, random: ctx.makeRandom(), samples: samples,
                                          threshold: inv.number("threshold"), top: max(top, 1))
        var metrics: [Value] = []
        for c in results {
            guard case .record(var r) = c.toValue() else { continue }
            r["pass_to_fail"] = .list(c.passToFail.map { .int($0 + 1) })
            r["fail_to_pass"] = .list(c.failToPass.map { .int($0 + 1) })
            r["most_changed"] = .list(c.mostChanged.map {
                .record(["example": .int($0.index + 1), "a": .number($0.a), "b": .number($0.b), "delta": .number($0.delta)])
            })
            metrics.append(.record(r))
        }
        var examples: [Value] = []
        // Graded metrics order the changes finely; pass/fail ones tie at ±100.
        let graded = a.results.first(where: { !$0.metric.isPassFail })?.name
        let by = results.first(where: { $0.metric == graded }) ?? results.first
        if let first = by {
            for change in first.mostChanged.prefix(top) {
                let i = change.index
                var e: Record = ["example": .int(i + 1)]
                if let prompts { e["prompt"] = .string(prompts[i].lastUserText) }
                e["reference"] = .string(references[i])
                if allReferences[i].count > 1 { e["references"] = .list(allReferences[i].map { .string($0) }) }
                e["a"] = .string(predictions.0[i])
                e["b"] = .string(predictions.1[i])
                var scores = Record()
                for (ra, rb) in zip(a.results, b.results) {
                    scores[ra.name] = .record(["a": .number(ra.lines[i]), "b": .number(rb.lines[i])])
                }
                e["scores"] = .record(scores)
                examples.append(.record(e))
            }
        }
        return .record(["a": .string(names.0), "b": .string(names.1), "count": .int(a.count), "samples": .int(samples),
                        "metrics": .list(metrics), "examples_by": by.map { .string($0.metric) } ?? .null,
                        "examples": .list(examples)])
    }
}
