import FTCore
import Foundation
import Testing
@testable import FTData

/// One case per finding category: a file that breaks exactly that rule, and where the finding
/// must point. `⏵` in a line marks the expected column (it is removed before the check).
struct RuleCase: CustomTestStringConvertible, Sendable {
    var id: String
    var lines: [String]
    /// 1-based line of the expected finding.
    var line: Int?
    var format: DataFormat? = nil
    var model: String? = nil
    var counter: Bool = false
    var maxTokens: Int? = nil
    var testDescription: String { id }

    /// The bad line first, then twelve valid chat lines so no dataset-level rule fires.
    static func first(_ id: String, _ bad: String) -> RuleCase {
        RuleCase(id: id, lines: [bad] + validLines(12), line: 1)
    }

    static func whole(_ id: String, _ lines: [String], line: Int? = nil, format: DataFormat? = nil) -> RuleCase {
        RuleCase(id: id, lines: lines, line: line, format: format)
    }

    var text: String { lines.joined(separator: "\n").replacingOccurrences(of: "⏵", with: "") + "\n" }

    var expectedColumn: Int? {
        guard let line, line <= lines.count else { return nil }
        let l = lines[line - 1]
        guard let r = l.range(of: "⏵") else { return nil }
        return l[..<r.lowerBound].unicodeScalars.count + 1
    }
}

func completionLines(_ n: Int, prompt: (Int) -> String = { "Question \($0)?\n\n###\n\n" },
                     completion: (Int) -> String = { " \(["yes", "no", "maybe"][$0 % 3]) \($0)\n" }) -> [String] {
    (0..<n).map { #"{"prompt":\#(JSON.quote(prompt($0))),"completion":\#(JSON.quote(completion($0)))}"# }
}

let sys = #"{"role":"system","content":"s"}"#
let usr = #"{"role":"user","content":"q"}"#
let asst = #"{"role":"assistant","content":"a"}"#
let prefOK = #"{"input":{"messages":[\#(usr)]},"preferred_output":[{"role":"assistant","content":"good"}],"non_preferred_output":[{"role":"assistant","content":"bad"}]}"#

let ruleCases: [RuleCase] = [
    .first("data.invalid-json", #"{"messages": [⏵}"#),
    .first("data.duplicate-key", #"{"messages": [\#(usr),\#(asst)], ⏵"messages": []}"#),
    .first("data.not-object", "⏵42"),
    .first("data.unknown-format", #"⏵{"text": "hello"}"#),
    .first("data.unknown-key", #"{"messages": [\#(sys),\#(usr),\#(asst)], ⏵"id": 7}"#),
    .first("data.missing-messages", #"{"messages": ⏵[]}"#),
    .first("data.bad-message", #"{"messages": [\#(usr), ⏵"hello", \#(asst)]}"#),
    .first("data.missing-role", #"{"messages": [\#(usr), ⏵{"content": "a"}, \#(asst)]}"#),
    .first("data.unknown-role", #"{"messages": [\#(usr), {"role": ⏵"bot", "content": "a"}]}"#),
    .first("data.unknown-message-key", #"{"messages": [\#(usr), {"role": "assistant", "content": "a", ⏵"score": 1}]}"#),
    .first("data.missing-content", #"{"messages": [⏵{"role": "user"}, \#(asst)]}"#),
    .first("data.bad-content", #"{"messages": [{"role": "user", "content": ⏵42}, \#(asst)]}"#),
    .first("data.bad-type", #"{"messages": [{"role": "user", "content": "q", "name": ⏵5}, \#(asst)]}"#),
    .first("data.bad-weight", #"{"messages": [\#(usr), {"role": "assistant", "content": "a", "weight": ⏵2}]}"#),
    .first("data.no-assistant", #"{"messages": ⏵[\#(sys), \#(usr)]}"#),
    .first("data.no-trained-tokens", #"{"messages": ⏵[\#(sys), \#(usr), {"role": "assistant", "content": "a", "weight": 0}]}"#),
    .first("data.bad-tool-call", #"{"messages": [\#(usr), {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": ⏵{"x": 1}}}]}]}"#),
    .first("data.bad-tools", #"{"messages": [\#(usr), \#(asst)], "tools": [{"type": "function", "function": {"name": ⏵3}}]}"#),
    .first("data.reserved-token", #"{"messages": [{"role": "user", "content": "stop at ⏵<|endoftext|> here"}, \#(asst)]}"#),
    .first("data.trailing-messages", #"{"messages": [\#(sys), \#(usr), \#(asst), ⏵\#(usr)]}"#),
    .first("data.whitespace", #"{"messages": [\#(sys), {"role": "user", "content": ⏵" padded "}, \#(asst)]}"#),
    .first("data.missing-input", #"⏵{"preferred_output": [{"role":"assistant","content":"x"}], "non_preferred_output": [{"role":"assistant","content":"y"}]}"#),
    .first("data.bad-output", #"{"input": {"messages": [\#(usr)]}, "preferred_output": ⏵[\#(asst), \#(asst)], "non_preferred_output": [\#(asst)]}"#),
    .first("data.identical-outputs", #"{"input": {"messages": [\#(usr)]}, "preferred_output": [\#(asst)], "non_preferred_output": [⏵\#(asst)]}"#),
    .first("data.legacy-preference-keys", #"{"input": {"messages": [\#(usr)]}, ⏵"preferred_completion": [{"role":"assistant","content":"g"}], "non_preferred_output": [\#(asst)]}"#),
    .first("data.long-example", #"⏵{"prompt": "\#(String(repeating: "x", count: 10_001))", "completion": " y\n"}"#),
    RuleCase(id: "data.invalid-utf8", lines: ["{\"messages\": [{\"role\": \"user\", \"content\": \"caf⏵\u{FFFD}\"}]}"] + validLines(12), line: 1),
    .whole("data.mixed-formats", validLines(12) + [#"⏵{"prompt": "p", "completion": " c"}"#], line: 13),
    .whole("data.no-system", [#"{"messages": ⏵[\#(usr), \#(asst)]}"#] + validLines(12), line: 1),
    .whole("data.no-user", [#"{"messages": ⏵[\#(sys), \#(asst)]}"#] + validLines(12), line: 1),
    .whole("data.missing-prompt", [#"{"prompt": ⏵5, "completion": " c\n"}"#] + completionLines(12), line: 1),
    .whole("data.missing-completion", [#"{"prompt": "p\n\n###\n\n", "completion": ⏵""}"#] + completionLines(12), line: 1),
    .whole("data.prompt-separator", completionLines(12, prompt: { "Question \($0) \(["a", "b", "c"][$0 % 3])" }), line: 1),
    .whole("data.completion-ending", completionLines(12, completion: { " \($0) answer\(["a", "b", "c"][$0 % 3])" }), line: 1),
    .whole("data.leading-space", completionLines(3) + completionLines(1, completion: { "no space \($0)\n" }) + completionLines(9).map { $0.replacingOccurrences(of: "Question", with: "Query") }, line: 4),
    .whole("data.uppercase", completionLines(12, completion: { " ANSWER NUMBER \($0)\n" }), line: 1),
    .whole("data.common-prefix", completionLines(12, prompt: { "Customer support ticket: \($0)\n\n###\n\n" }), line: 1),
    .whole("data.too-few-examples", validLines(5), line: 1),
    .whole("data.small-dataset", validLines(20), line: 1),
    .whole("data.duplicate", validLines(12) + [validLines(1)[0]], line: 13),
    .whole("data.near-duplicate", validLines(12) + [validLines(1)[0].replacingOccurrences(of: "question", with: "QUESTION  ")], line: 13),
    .whole("data.blank-line", validLines(6) + ["", "  "] + validLines(6, from: 6), line: 7),
    .whole("data.empty-file", [], line: 1),
    RuleCase(id: "data.too-long", lines: [chatLine(String(repeating: "word ", count: 30), "ok")] + validLines(12), line: 1,
             counter: true, maxTokens: 40),
    RuleCase(id: "data.unknown-model", lines: validLines(12), line: nil, model: "gpt-9-turbo"),
]

@Suite struct RuleTests {
    @Test(arguments: ruleCases)
    func finding(_ c: RuleCase) throws {
        var text = c.text
        if c.id == "data.invalid-utf8" {
            // Replace the placeholder character by a lone 0xFF byte.
            var bytes = Array(text.utf8)
            let fffd: [UInt8] = [0xEF, 0xBF, 0xBD]
            let at = (0...(bytes.count - 3)).first { Array(bytes[$0..<($0 + 3)]) == fffd }!
            bytes.replaceSubrange(at..<(at + 3), with: [0xFF])
            text = String(decoding: bytes, as: UTF8.self)
            let dir = TempDir()
            let r = try DataCheck.check(path: dir.file("t.jsonl", bytes: bytes), display: "t.jsonl")
            let d = try #require(r.first(c.id), "\(r.findings)")
            #expect(d.location?.line == 1)
            #expect(d.location?.column == c.expectedColumn)
            return
        }
        let opts = CheckOptions(model: c.model, format: c.format, counter: c.counter ? WordCounter() : nil,
                                maxTokensPerExample: c.maxTokens)
        let r = try check(text, options: opts)
        let d = try #require(r.first(c.id), "no \(c.id) in \(r.findings.map(\.description))")
        #expect(d.severity == DataRules.rule(c.id)!.severity)
        if let line = c.line { #expect(d.location?.line == line, "\(d)") }
        if let col = c.expectedColumn { #expect(d.location?.column == col, "\(d)") }
        #expect(r.counts.contains { $0.id == c.id })
    }

    /// Rules whose cases need a special setup live in other tests.
    static let testedElsewhere: Set<String> = [
        "data.missing-file", "data.is-directory", "data.unreadable", "data.file-too-large", "data.bom", "data.crlf",
        "data.json-array", "data.line-too-long", "data.invalid-csv",
    ]

    @Test func everyRuleHasATest() {
        let covered = Set(ruleCases.map(\.id)).union(Self.testedElsewhere)
        let missing = DataRules.all.map(\.id).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "rules without a test: \(missing)")
    }

    @Test func ruleIdsAreUniqueAndDocumented() throws {
        let ids = DataRules.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        let doc = try String(contentsOfFile: repoRoot + "/share/docs/data-findings.md", encoding: .utf8)
        for rule in DataRules.all {
            #expect(doc.contains("`\(rule.id)`"), "\(rule.id) is missing from share/docs/data-findings.md")
        }
    }

    @Test func validLinesHaveNoFindings() throws {
        let r = try check(validLines(60).joined(separator: "\n"))
        #expect(r.findings.isEmpty, "\(r.findings)")
        let p = try check((0..<60).map { prefOK.replacingOccurrences(of: "\"q\"", with: "\"q\($0)\"") }.joined(separator: "\n"))
        #expect(p.format == .preference)
        #expect(p.findings.isEmpty, "\(p.findings)")
        let c = try check(completionLines(60).joined(separator: "\n"))
        #expect(c.format == .completion)
        #expect(c.findings.isEmpty, "\(c.findings)")
        #expect(c.task == "conditional generation")
    }
}

let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
