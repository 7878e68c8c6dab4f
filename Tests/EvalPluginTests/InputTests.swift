import FTCore
import FTData
import FTEval
import FTPluginKit
import Foundation
import Testing
@testable import EvalPlugin

@Suite struct EvalDataTests {
    func dataset(_ lines: [String], format: DataFormat) throws -> Dataset {
        let examples = try lines.enumerated().map { k, l in FTData.Example(value: try JSON.decode(l), line: k + 1) }
        return Dataset(name: "t", format: format, examples: examples)
    }

    @Test func chatPromptIsEverythingBeforeTheLastAssistantMessage() throws {
        let ds = try dataset([
            #"{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"2+2?"},{"role":"assistant","content":"4"}]}"#,
            #"{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"},{"role":"user","content":[{"type":"text","text":"그리고"},{"type":"text","text":" 더?"}]},{"role":"assistant","content":"네"}]}"#,
        ], format: .chat)
        let items = try EvalData.items(from: ds, file: "t.jsonl")
        #expect(items.count == 2)
        #expect(items[0].prompt == .chat([ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "2+2?")]))
        #expect(items[0].reference == "4")
        #expect(items[1].reference == "네")
        guard case .chat(let m) = items[1].prompt else { Issue.record("chat prompt expected"); return }
        #expect(m.count == 3 && m[2].content == "그리고 더?", "content parts are joined")
        #expect(items[1].prompt.lastUserText == "그리고 더?")
    }

    @Test func completionData() throws {
        let ds = try dataset([#"{"prompt":"Capital of France?","completion":" Paris"}"#], format: .completion)
        let items = try EvalData.items(from: ds, file: "t.jsonl")
        #expect(items == [EvalItem(prompt: .text("Capital of France?"), reference: " Paris", line: 1)])
    }

    @Test func unusableExamplesAreLocatedErrors() throws {
        let noAnswer = try dataset([#"{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}"#,
                                    #"{"messages":[{"role":"user","content":"only a question"}]}"#], format: .chat)
        let d = expectDiagnostic("eval.no-reference") { _ = try EvalData.items(from: noAnswer, file: "v.jsonl") }
        #expect(d?.location?.file == "v.jsonl" && d?.location?.line == 2)
        let answerFirst = try dataset([#"{"messages":[{"role":"assistant","content":"b"}]}"#], format: .chat)
        expectDiagnostic("eval.empty-prompt") { _ = try EvalData.items(from: answerFirst, file: "v.jsonl") }
        let preference = try dataset([#"{"input":{"messages":[]},"preferred_output":[],"non_preferred_output":[]}"#], format: .preference)
        expectDiagnostic("eval.unsupported-format") { _ = try EvalData.items(from: preference, file: "p.jsonl") }
    }
}

@Suite struct MetricListTests {
    func invocation(_ words: [String]) -> Invocation {
        Invocation(spec: EvalPlugin.metrics.self, values: ["metrics": .list(words.map { .string($0) })],
                   locations: ["metrics": SourceRange(start: SourceLocation(file: "t.ftsh", line: 3, column: 9), length: 9)],
                   location: SourceLocation(file: "t.ftsh", line: 3, column: 1), json: false)
    }

    @Test func commasSplitNamesButNotPatterns() throws {
        let m = try EvalInputs.metrics(invocation(["bleu,regex:^a{1,3}$,chrf", "rouge1-unicode"]))
        #expect(m.map(\.name) == ["bleu", "regex:^a{1,3}$", "chrf", "rouge1-unicode"])
        #expect(try EvalInputs.metrics(invocation([])) == Metric.defaults)
        #expect(try EvalInputs.metrics(invocation(["rouge"])).count == 4, "a group name gives all four ROUGE kinds")
        #expect(try EvalInputs.metrics(invocation(["contains:a,b"])).map(\.name) == ["contains:a,b"])
    }

    @Test func unknownNamesSuggestTheNearest() {
        let d = expectDiagnostic("usage.unknown-metric") { _ = try EvalInputs.metrics(invocation(["chrf,rogue2"])) }
        #expect(d?.notes.first == "did you mean 'rouge2'?")
        #expect(d?.location?.line == 3 && d?.location?.column == 9, "points at the flag")
        let far = expectDiagnostic("usage.unknown-metric") { _ = try EvalInputs.metrics(invocation(["perplexity"])) }
        #expect(far?.notes.first?.hasPrefix("metrics: exact_match") == true, "no close name: the list")
        expectDiagnostic("usage.unknown-metric") { _ = try EvalInputs.metrics(invocation(["bleu,,chrf"])) }
    }
}

@Suite final class RecordedPredictionTests {
    /// Files live in one folder per suite instance, removed when the test ends.
    let folder: String
    init() throws { folder = try temporaryFolder("rec") }
    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func write(_ lines: [String]) throws -> String {
        let path = folder + "/answers-\(UUID().uuidString).jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func answersMatchPromptsInAnyOrder() throws {
        let path = try write([
            #"{"prompt":[{"role":"user","content":"b?"}],"prediction":"B"}"#,
            #"{"prompt":"a?","prediction":"A"}"#,
        ])
        let rec = try RecordedPredictions(path: path, display: "answers.jsonl")
        let prompts: [Prompt] = [.chat([ChatMessage(role: "system", content: "s"), ChatMessage(role: "user", content: "a?")]),
                                 .chat([ChatMessage(role: "user", content: "b?")])]
        #expect(try rec.answers(for: prompts) == ["A", "B"], "exact prompt, or a text prompt equal to the last user message")
        let d = expectDiagnostic("eval.missing-prediction") { _ = try rec.answers(for: [.text("c?")]) }
        #expect(d?.message.contains("example 1") == true)
    }

    @Test func withoutPromptsLinesAnswerInOrder() throws {
        let rec = try RecordedPredictions(path: try write([#"{"prediction":"x"}"#, #"{"prediction":"y"}"#]), display: "p.jsonl")
        #expect(try rec.answers(for: [.text("1"), .text("2")]) == ["x", "y"])
        expectDiagnostic("eval.mismatched-lengths") { _ = try rec.answers(for: [.text("1")]) }
    }

    @Test func badLinesAreLocated() throws {
        let d = expectDiagnostic("eval.not-a-string") {
            _ = try RecordedPredictions(path: try write([#"{"prediction":"x"}"#, "", #"{"prediction":["y"]}"#]), display: "p.jsonl")
        }
        #expect(d?.location?.line == 3)
        expectDiagnostic("eval.missing-field") { _ = try RecordedPredictions(path: try write([#"{"answer":"x"}"#]), display: "p.jsonl") }
        expectDiagnostic("eval.empty") { _ = try RecordedPredictions(path: try write([""]), display: "p.jsonl") }
        expectDiagnostic("eval.missing-file") { _ = try RecordedPredictions(path: "/nonexistent/x.jsonl", display: "x.jsonl") }
    }
}
