import FTCore
import Foundation
import Testing
@testable import FTEval

func expectDiagnostic(_ id: String, _ body: () throws -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected \(id), nothing was thrown", sourceLocation: sourceLocation)
    } catch let d as Diagnostic {
        #expect(d.id == id, "got \(d.id): \(d.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(id), got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct SuiteTests {
    @Test func metricNamesParseAndRoundTrip() throws {
        #expect(try Metric.parse("rouge").map(\.name) == ["rouge1", "rouge2", "rougeL", "rougeLsum"])
        #expect(try Metric.parse("rouge-unicode").map(\.name) == ["rouge1-unicode", "rouge2-unicode", "rougeL-unicode", "rougeLsum-unicode"])
        #expect(try Metric.parse("rougeL-unicode-stem").map(\.name) == ["rougeL-unicode-stem"])
        #expect(try Metric.parse(["bleu", "chrf++", "bleu", "regex:^a,b$", "contains:x"]).map(\.name)
                == ["bleu", "chrf++", "regex:^a,b$", "contains:x"])
        for name in Metric.names where !name.hasSuffix(":") {
            for m in try Metric.parse(name) { #expect(try Metric.parse(m.name) == [m], "\(m.name)") }
        }
        expectDiagnostic("usage.unknown-metric") { _ = try Metric.parse("blue") }
        expectDiagnostic("usage.unknown-metric") { _ = try Metric.parse("rouge3") }
    }

    /// The suite's corpus scores are the reference corpus scores (×100 where the reference
    /// reports 0–1), for every golden subset.
    @Test func suiteMatchesGoldenCorpusScores() throws {
        let metrics = try Metric.parse(["squad_em", "squad_f1", "bleu", "chrf", "chrf++", "rouge", "rouge-stem"])
        for c in Golden.corpus {
            let rows = c.numbers("ids").map { Golden.pairs[Int($0)] }
            let examples = rows.map { Example(prediction: $0.string("prediction"), references: $0.strings("references")) }
            let report = try Evaluation.score(examples, metrics: metrics)
            let name = c.string("subset")
            #expect(report.count == rows.count)
            #expect(close(report["bleu"]!.corpus, c.record("bleu").number("score")), "\(name) bleu")
            #expect(close(report["chrf"]!.corpus, c.number("chrf")), "\(name) chrf")
            #expect(close(report["chrf++"]!.corpus, c.number("chrf++")), "\(name) chrf++")
            #expect(close(report["squad_em"]!.corpus, c.number("squad_em")), "\(name) squad_em")
            #expect(close(report["squad_f1"]!.corpus, c.number("squad_f1")), "\(name) squad_f1")
            for kind in Rouge.Kind.allCases {
                #expect(close(report[kind.rawValue]!.corpus, 100 * c.record("rouge").number(kind.rawValue)), "\(name) \(kind)")
                #expect(close(report[kind.rawValue + "-stem"]!.corpus, 100 * c.record("rouge_stem").number(kind.rawValue)),
                        "\(name) \(kind) stem")
            }
            // Per-line scores are the sentence-level references.
            for (i, row) in rows.enumerated() {
                #expect(close(report["bleu"]!.lines[i], row.record("bleu").number("score")), "\(name) line \(i) bleu")
                #expect(close(report["chrf"]!.lines[i], row.number("chrf")), "\(name) line \(i) chrf")
            }
        }
    }

    @Test func unicodeRougeScoresKoreanWhereRougeScoreCannot() throws {
        let pred = "고양이가 매트 위에 앉았다", ref = "고양이가 매트 위에 누웠다"
        let google = Rouge.score(pred, references: [ref])[.rouge1]!
        #expect(google.fmeasure == 0)
        let ours = Rouge.score(pred, references: [ref], tokenizer: .unicode)
        #expect(close(ours[.rouge1]!.fmeasure, 0.75))          // 3 of 4 words shared
        #expect(close(ours[.rouge2]!.fmeasure, 2.0 / 3.0))     // 2 of 3 bigrams
        #expect(close(ours[.rougeL]!.fmeasure, 0.75))
        // NFC: a decomposed Hangul syllable and é equal their precomposed forms.
        let decomposed = "\u{1100}\u{1161} cafe\u{301}"
        #expect(Rouge.tokenize(decomposed, tokenizer: .unicode) == ["가", "café"])
        // Marks stay inside words; punctuation separates.
        #expect(Rouge.tokenize("नमस्ते, दुनिया!", tokenizer: .unicode) == ["नमस्ते", "दुनिया"])
        #expect(Rouge.tokenize("Hello, WORLD 42", tokenizer: .unicode) == ["hello", "world", "42"])
    }

    @Test func formatChecks() throws {
        let examples = [#"{"a": 1}"#, " [1, 2] ", "{'a': 1}", "not json", "42", ""].map {
            Example(prediction: $0, references: [])
        }
        let report = try Evaluation.score(examples, metrics: try Metric.parse(["json", "regex:^\\s*[\\[{]", "contains:a"]))
        #expect(report["json"]!.lines == [100, 100, 0, 0, 100, 0])
        #expect(report["regex:^\\s*[\\[{]"]!.lines == [100, 100, 100, 0, 0, 0])
        #expect(report["contains:a"]!.lines == [100, 0, 100, 0, 0, 0])
        #expect(close(report["json"]!.corpus, 50))
        // Code points, not canonical equivalence: precomposed é does not contain "e".
        #expect(!FormatCheck.contains("e").compiledPasses("caf\u{e9}"))
        #expect(FormatCheck.contains("e\u{301}").compiledPasses("cafe\u{301}"))
        expectDiagnostic("eval.bad-regex") { _ = try FormatCheck.regex("(unclosed").compiled() }
    }

    @Test func lossAndPerplexity() throws {
        let s = try LossSummary(totalNLL: 230.2585092994046, tokens: 100)
        #expect(close(s.meanLoss, 2.302585092994046))
        #expect(close(s.perplexity, 10, 1e-9))
        expectDiagnostic("eval.no-tokens") { _ = try LossSummary(totalNLL: 1, tokens: 0) }
        expectDiagnostic("eval.bad-loss") { _ = try LossSummary(totalNLL: .nan, tokens: 3) }
        expectDiagnostic("eval.bad-loss") { _ = try LossSummary(totalNLL: -1, tokens: 3) }
    }

    @Test func reportValueShape() throws {
        let report = try Evaluation.score([Example(prediction: "a b", reference: "a b"), Example(prediction: "x", reference: "y")],
                                          metrics: [.exactMatch, .bleu])
        let v = report.toValue(perLine: true)
        #expect(v["count"] == .int(2))
        #expect(v["scores"]?["exact_match"] == .number(50))
        #expect(v["lines"]?.listValue?.count == 2)
        #expect(v["lines"]?.listValue?[1]["exact_match"] == .number(0))
        #expect(report.toValue()["lines"] == nil)
    }

    @Test func badInputIsReported() throws {
        expectDiagnostic("eval.empty") { _ = try Evaluation.score([], metrics: [.bleu]) }
        expectDiagnostic("eval.missing-reference") {
            _ = try Evaluation.score([Example(prediction: "a", references: [])], metrics: [.bleu])
        }
        func parse(_ text: String) throws(Diagnostic) -> [Example] { try ExampleFile.parse(bytes: Array(text.utf8), file: "f.jsonl") }
        #expect(try parse("{\"prediction\": \"a\", \"reference\": \"b\"}\n\n{\"prediction\": \"c\", \"references\": [\"d\", \"e\"]}\n")
                == [Example(prediction: "a", reference: "b"), Example(prediction: "c", references: ["d", "e"])])
        let cases: [(String, String, Int)] = [
            ("", "eval.empty", 0),
            ("\n  \n", "eval.empty", 0),
            ("{\"reference\": \"b\"}", "eval.missing-field", 1),
            ("{\"prediction\": \"a\", \"reference\": \"b\"}\n{\"prediction\": 3, \"reference\": \"b\"}", "eval.not-a-string", 2),
            ("{\"prediction\": \"a\"}", "eval.missing-field", 1),
            ("{\"prediction\": \"a\", \"reference\": [\"b\", null]}", "eval.not-a-string", 1),
            ("[1]", "eval.not-an-object", 1),
            ("{\"prediction\": \"a\",\n", "data.invalid-json", 1),
        ]
        for (text, id, line) in cases {
            do {
                _ = try parse(text)
                Issue.record("\(text.debugDescription): expected \(id)")
            } catch {
                #expect(error.id == id, "\(text.debugDescription): \(error.id)")
                if line > 0 { #expect(error.location?.line == line, "\(text.debugDescription)") }
            }
        }
    }
}

extension FormatCheck {
    func compiledPasses(_ s: String) -> Bool { (try? compiled().passes(s)) ?? false }
}
