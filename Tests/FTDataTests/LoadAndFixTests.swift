import FTCore
import FTTokenizer
import Foundation
import Testing
@testable import FTData

@Suite struct LoadTests {
    @Test func detectsEachFormat() throws {
        #expect(try dataset(validLines(3)).format == .chat)
        #expect(try dataset(completionLines(3)).format == .completion)
        #expect(try dataset([prefOK]).format == .preference)
    }

    @Test func forcedFormatValidatesAsThatFormat() throws {
        let dir = TempDir()
        let path = dir.file("c.jsonl", validLines(12).joined(separator: "\n"))
        let r = try DataCheck.check(path: path, options: CheckOptions(format: .completion))
        #expect(r.format == .completion)
        #expect(r.ids().contains("data.missing-prompt"))
    }

    @Test func loadSkipsBrokenLinesAndKeepsSourceLines() throws {
        let dir = TempDir()
        let path = dir.file("m.jsonl", ([validLines(1)[0], "{oops", "", validLines(2)[1]]).joined(separator: "\n"))
        let r = try DataLoader.load(path: path, display: "m.jsonl")
        #expect(r.dataset.count == 2)
        #expect(r.dataset.examples.map(\.line) == [1, 4])
        #expect(r.skippedLines == 2)
        #expect(r.findings.map(\.id) == ["data.invalid-json"])
        #expect(r.dataset.name == "m")
        #expect(r.toValue()["examples"] == .int(2))
    }

    @Test func csvWithQuotesAndNewlines() throws {
        let dir = TempDir()
        let csv = "Prompt,completion,notes\r\n\"Hello, world\",\" hi\"\"there\"\"\",x\r\n\"two\nlines\", ok,y\r\nshort\r\nq3,,z\r\n"
        let r = try DataLoader.load(path: dir.file("t.csv", csv), display: "t.csv")
        #expect(r.dataset.format == .completion)
        #expect(r.dataset.count == 2)
        #expect(r.dataset.examples[0].node["prompt"]?.stringValue == "Hello, world")
        #expect(r.dataset.examples[0].node["completion"]?.stringValue == " hi\"there\"")
        #expect(r.dataset.examples[1].node["prompt"]?.stringValue == "two\nlines")
        #expect(r.dataset.examples[1].line == 3)
        #expect(r.findings.map(\.id) == ["data.unknown-key", "data.invalid-csv", "data.missing-completion"])
        #expect(r.findings[1].location?.line == 5)
    }

    @Test func tsvAndMissingColumns() throws {
        let dir = TempDir()
        let r = try DataLoader.load(path: dir.file("t.tsv", "prompt\tcompletion\na\t b\n"))
        #expect(r.dataset.count == 1)
        #expect(throws: Diagnostic.self) { _ = try DataLoader.load(path: dir.file("n.csv", "question,answer\na,b\n")) }
        #expect(throws: Diagnostic.self) { _ = try DataLoader.load(path: dir.file("u.csv", "quest\"ion,answer\n\"a,b\n")) }
        let unterminated = try DataLoader.load(path: dir.file("q.csv", "prompt,completion\n\"a, b\n"))
        #expect(unterminated.findings.contains { $0.id == "data.invalid-csv" })
    }
}

@Suite struct FixTests {
    @Test func fixAppliesTheSafeRemediations() throws {
        let dir = TempDir()
        let lines = [chatLine(" padded ", "fine")] + validLines(3) + [validLines(1)[0], "", "{broken"]
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\r\n").utf8) + [0x0D, 0x0A]
        let path = dir.file("f.jsonl", bytes: bytes)
        let out = dir.path + "/fixed.jsonl"
        let report = try FileFixer.fix(path: path, display: "f.jsonl", output: out, overwrite: false)
        #expect(report.wrote)
        #expect(report.changes.map(\.id) == ["data.bom", "data.crlf", "data.whitespace", "data.duplicate", "data.blank-line"])
        #expect(report.changes.first { $0.id == "data.duplicate" }?.lines == [5])
        #expect(report.linesIn == 7 && report.linesOut == 5)
        let fixed = try String(contentsOfFile: out, encoding: .utf8)
        #expect(fixed.split(separator: "\n", omittingEmptySubsequences: false).count == 6)
        #expect(fixed.hasSuffix("{broken\n"))
        let again = try DataCheck.check(path: out)
        #expect(again.ids().intersection(["data.bom", "data.crlf", "data.whitespace", "data.duplicate", "data.blank-line"]).isEmpty)
        #expect(again.ids().contains("data.invalid-json"))
        // The original is untouched, and an existing output is not replaced without overwrite.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        #expect(throws: Diagnostic.self) { _ = try FileFixer.fix(path: path, output: out, overwrite: false) }
    }

    @Test func fixConvertsAJsonArray() throws {
        let dir = TempDir()
        let path = dir.file("a.jsonl", "[\n" + validLines(3).joined(separator: ",\n") + "\n]\n")
        let report = try FileFixer.fix(path: path, overwrite: true)
        #expect(report.changes.map(\.id) == ["data.json-array"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == validLines(3).joined(separator: "\n") + "\n")
    }

    @Test func cleanFileIsLeftAlone() throws {
        let dir = TempDir()
        let path = dir.file("c.jsonl", validLines(3).joined(separator: "\n") + "\n")
        let report = try FileFixer.fix(path: path, overwrite: true)
        #expect(!report.wrote && report.changes.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["c.jsonl"])
    }
}

/// One token per byte: enough to see pieces merge back into whole characters.
struct ByteTokenizer: Tokenizer {
    var name: String { "bytes" }
    func encode(_ text: String) -> [Int] { text.utf8.map { Int($0) } }
    func count(_ text: String) -> Int { text.utf8.count }
    func decode(_ ids: [Int]) -> String { String(decoding: decodeBytes(ids), as: UTF8.self) }
    func decodeBytes(_ ids: [Int]) -> [UInt8] { ids.map { UInt8($0) } }
    func tokenBytes(_ id: Int) -> [UInt8]? { [UInt8(id)] }
    var vocabularySize: Int { 256 }
}

@Suite struct ExampleViewTests {
    @Test func labelsAndPieces() throws {
        let ds = try dataset([#"{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "가a"}, {"role": "assistant", "content": "no", "weight": 0}, {"role": "user", "content": "u"}, {"role": "assistant", "content": "ok"}]}"#])
        let v = try ExampleView(dataset: ds, index: 0, tokenizer: ByteTokenizer())
        #expect(v.parts.map(\.role) == ["system", "user", "assistant", "user", "assistant"])
        #expect(v.parts.map(\.trained) == [false, false, false, false, true])
        #expect(v.parts[1].pieces == ["가", "a"])
        #expect(v.tokens?.trained == 2)
        #expect(v.toValue()["parts"]?.listValue?[4]["trained"] == .bool(true))
        #expect(throws: Diagnostic.self) { _ = try ExampleView(dataset: ds, index: 1) }
    }

    @Test(.enabled(if: encodingsAvailable)) func realEncodingPieces() throws {
        let enc = try Encoding.load(named: "o200k_base", searchPaths: [encodingsDir])
        let ds = try dataset(validLines(1))
        let v = try ExampleView(dataset: ds, index: 0, tokenizer: enc)
        #expect(v.parts[2].pieces?.joined() == "answer number 0")
        #expect(v.parts[2].pieces?.count == enc.count("answer number 0"))
    }
}
