import FTCore
import Foundation
import Testing
@testable import FTData

func dataset(_ lines: [String], name: String = "d") throws -> Dataset {
    let dir = TempDir()
    return try DataLoader.load(path: dir.file(name + ".jsonl", lines.joined(separator: "\n")), name: name).dataset
}

@Suite struct TransformTests {
    @Test func splitIsDeterministicForASeedAndKeepsOrder() throws {
        let ds = try dataset(validLines(40))
        let a = try ds.split(validFraction: 0.25, random: SeededRandom(seed: 7))
        let b = try ds.split(validFraction: 0.25, random: SeededRandom(seed: 7))
        let c = try ds.split(validFraction: 0.25, random: SeededRandom(seed: 8))
        #expect(a.valid.count == 10)
        #expect(a.train.count == 30)
        #expect(a.valid.examples.map(\.line) == b.valid.examples.map(\.line))
        #expect(a.valid.examples.map(\.line) != c.valid.examples.map(\.line))
        let lines = a.train.examples.compactMap(\.line)
        #expect(lines == lines.sorted())
        #expect(Set(lines).isDisjoint(with: Set(a.valid.examples.compactMap(\.line))))
        #expect(a.train.name == "d_train" && a.valid.name == "d_valid")
    }

    /// The split's draws are pinned: the same seed must give these lines on every machine.
    @Test func splitIsPinned() throws {
        let ds = try dataset(validLines(12))
        let s = try ds.split(validFraction: 0.25, random: SeededRandom(seed: 42))
        var rng = SeededRandom(seed: 42).derived("split")
        var order = Array(0..<12)
        rng.shuffle(&order)
        #expect(s.valid.examples.compactMap(\.line) == order.prefix(3).sorted().map { $0 + 1 })
    }

    @Test func splitRejectsBadFractions() throws {
        let ds = try dataset(validLines(12))
        #expect(throws: Diagnostic.self) { _ = try ds.split(validFraction: 1.5, random: SeededRandom(seed: 1)) }
        #expect(throws: Diagnostic.self) { _ = try ds.split(validFraction: 0, random: SeededRandom(seed: 1)) }
    }

    @Test func dedupeExactAndNormalized() throws {
        let lines = validLines(3) + [validLines(1)[0], validLines(2)[1].replacingOccurrences(of: "number", with: "NUMBER  ")]
        let ds = try dataset(lines)
        let (exact, r1) = ds.deduplicated(normalized: false)
        #expect(exact.count == 4)
        #expect(r1.changes == ["dropped 1 duplicate example"])
        let (norm, _) = ds.deduplicated(normalized: true)
        #expect(norm.count == 3)
        #expect(norm.examples.map(\.line) == [1, 2, 3])
    }

    @Test func cleanTrimsDropsInvalidAndDuplicates() throws {
        let lines = [chatLine("  padded question ", "answer\n")] + validLines(3) + [validLines(1)[0]]
            + [#"{"messages": [{"role": "user", "content": "no answer"}]}"#]
        let ds = try dataset(lines)
        #expect(ds.count == 6)
        let (clean, report) = ds.cleaned()
        #expect(clean.count == 4)
        #expect(clean.examples[0].node["messages"]?.arrayValue?[1]["content"]?.stringValue == "padded question")
        #expect(clean.examples[0].node["messages"]?.arrayValue?[2]["content"]?.stringValue == "answer")
        #expect(report.changes == ["trimmed whitespace in 2 texts", "dropped 1 example with format errors", "dropped 1 duplicate example"])
        let check = try DataCheck.check(clean)
        #expect(check.errorCount == 1)  // only too-few-examples is left
        #expect(check.first("data.too-few-examples") != nil)
    }

    @Test func sampleIsSeededAndOrdered() throws {
        let ds = try dataset(validLines(30))
        let a = ds.sample(5, random: SeededRandom(seed: 3))
        #expect(a.count == 5)
        #expect(a.examples.map(\.line) == ds.sample(5, random: SeededRandom(seed: 3)).examples.map(\.line))
        let lines = a.examples.compactMap(\.line)
        #expect(lines == lines.sorted())
        #expect(ds.sample(100, random: SeededRandom(seed: 3)).count == 30)
    }

    @Test func filterByTokens() throws {
        let ds = try dataset([chatLine(String(repeating: "w ", count: 50), "ok")] + validLines(3))
        let (kept, report) = ds.filtered(maxTokens: 40, counter: WordCounter())
        #expect(kept.count == 3)
        #expect(report.before == 4 && report.after == 3)
    }

    @Test func convertRoundTrip() throws {
        let ds = try dataset(validLines(12))
        let (comp, r) = try ds.converted(to: .completion)
        #expect(comp.format == .completion)
        #expect(r.changes.first == "converted 12 examples from chat to completion")
        let first = comp.examples[0].node
        #expect(first["prompt"]?.stringValue == "system: You are helpful.\nuser: question number 0\n\n###\n\n")
        #expect(first["completion"]?.stringValue == " answer number 0\n")
        let check = try DataCheck.check(comp)
        #expect(check.errorCount == 0, "\(check.findings)")
        #expect(!check.ids().contains("data.prompt-separator"))
        #expect(!check.ids().contains("data.completion-ending"))
        // Back to chat: the legacy separator and ending are recognised and removed.
        let (chat, _) = try comp.converted(to: .chat, system: "Be brief.")
        let ms = try #require(chat.examples[0].node["messages"]?.arrayValue)
        #expect(ms.map { $0["role"]?.stringValue } == ["system", "user", "assistant"])
        #expect(ms[0]["content"]?.stringValue == "Be brief.")
        #expect(ms[2]["content"]?.stringValue == "answer number 0")
        #expect(throws: Diagnostic.self) { _ = try ds.converted(to: .preference) }
    }

    @Test func convertPreferenceToChatAndSetSystem() throws {
        let ds = try dataset((0..<3).map { prefOK.replacingOccurrences(of: "\"q\"", with: "\"q\($0)\"") })
        #expect(ds.format == .preference)
        let (chat, _) = try ds.converted(to: .chat, system: "S")
        let ms = try #require(chat.examples[0].node["messages"]?.arrayValue)
        #expect(ms.map { $0["content"]?.stringValue } == ["S", "q0", "good"])
    }

    @Test func saveIsAtomicAndRefusesToOverwrite() throws {
        let dir = TempDir()
        let ds = try dataset(validLines(3))
        let path = dir.path + "/out.jsonl"
        try ds.save(to: path, overwrite: false)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == validLines(3).joined(separator: "\n") + "\n")
        #expect(throws: Diagnostic.self) { try ds.save(to: path, overwrite: false) }
        try ds.sample(1, random: SeededRandom(seed: 1)).save(to: path, overwrite: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 1)
    }

    @Test func checkOfADatasetCountsExamplesAsLines() throws {
        var ds = try dataset(validLines(12))
        ds.examples[4].node.set("messages", JSONNode(.array([.object([("role", .string("bot")), ("content", .string("x"))])])))
        let r = try DataCheck.check(ds)
        let d = try #require(r.first("data.unknown-role"))
        #expect(d.location?.file == "d")
        #expect(d.location?.line == 5)
        #expect(d.location?.column == 22)
    }
}
