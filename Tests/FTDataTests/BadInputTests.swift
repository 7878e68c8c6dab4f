import FTCore
import Foundation
import Testing
@testable import FTData
#if canImport(Glibc)
import Glibc
#endif

/// Malformed input gives a located finding (or a thrown `Diagnostic` for a bad path), never a crash.
@Suite struct BadInputTests {
    func thrownId(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let d as Diagnostic { return d.id } catch { return "\(error)" }
    }

    @Test func missingPath() {
        let dir = TempDir()
        #expect(thrownId { _ = try DataCheck.check(path: dir.path + "/nope.jsonl") } == "data.missing-file")
        #expect(thrownId { _ = try DataLoader.load(path: dir.path + "/nope.csv") } == "data.missing-file")
        #expect(thrownId { _ = try DataLoader.load(path: dir.path + "/nope.jsonl") } == "data.missing-file")
    }

    @Test func directory() {
        let dir = TempDir()
        #expect(thrownId { _ = try DataCheck.check(path: dir.path) } == "data.is-directory")
        #expect(thrownId { _ = try DataLoader.load(path: dir.path) } == "data.is-directory")
    }

    /// A Unix socket exists and is no directory, but cannot be opened for reading.
    @Test func unreadable() throws {
        let dir = TempDir()
        let path = dir.path + "/s.jsonl"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        #expect(thrownId { _ = try DataCheck.check(path: path) } == "data.unreadable")
    }

    @Test func emptyFile() throws {
        let r = try check("")
        #expect(r.ids() == ["data.empty-file"])
        #expect(!r.isValid)
        #expect(r.firstError?.exitStatus == .dataError)
        let dir = TempDir()
        #expect(thrownId { _ = try DataLoader.load(path: dir.file("e.jsonl", "")) } == "data.empty-file")
    }

    @Test func byteOrderMark() throws {
        let dir = TempDir()
        let text = validLines(12).joined(separator: "\n")
        let r = try DataCheck.check(path: dir.file("b.jsonl", bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8)), display: "b.jsonl")
        #expect(r.ids() == ["data.bom", "data.small-dataset"])
        #expect(r.first("data.bom")?.location == SourceLocation(file: "b.jsonl", line: 1, column: 1))
        #expect(r.examples == 12)
    }

    @Test func crlfIsOneFindingWithACount() throws {
        let r = try check(validLines(12).joined(separator: "\r\n") + "\r\n")
        #expect(r.ids() == ["data.crlf", "data.small-dataset"])
        #expect(r.counts.first { $0.id == "data.crlf" }?.count == 12)
        #expect(r.first("data.crlf")?.message.contains("12 times") == true)
        #expect(r.examples == 12)
    }

    @Test func invalidUTF8OutsideStrings() throws {
        let dir = TempDir()
        var bytes = Array(#"{"messages": []}"#.utf8)
        bytes.insert(0xC3, at: 1)  // a lead byte with no continuation
        let r = try DataCheck.check(path: dir.file("u.jsonl", bytes: bytes + [0x0A] + Array(validLines(12).joined(separator: "\n").utf8)), display: "u.jsonl")
        let d = try #require(r.first("data.invalid-utf8"))
        #expect(d.location?.line == 1)
        #expect(d.location?.column == 2)
    }

    @Test func jsonArrayFile() throws {
        let lines = validLines(11)
        let text = "[\n" + lines.dropLast().map { "  " + $0 + "," }.joined(separator: "\n") + "\n  " + lines.last!
            .replacingOccurrences(of: "\"assistant\"", with: "\"bot\"") + "\n]\n"
        let r = try check(text)
        #expect(r.first("data.json-array")?.location?.line == 1)
        let role = try #require(r.first("data.unknown-role"))
        #expect(role.location?.line == 12)
        let col = text.split(separator: "\n", omittingEmptySubsequences: false)[11].range(of: "\"bot\"")!.lowerBound
        #expect(role.location?.column == text.split(separator: "\n", omittingEmptySubsequences: false)[11][..<col].count + 1)
        #expect(r.examples == 11)
        // Loading accepts it (the data is unambiguous) and says what was wrong.
        let dir = TempDir()
        let loaded = try DataLoader.load(path: dir.file("a.jsonl", text))
        #expect(loaded.dataset.count == 11)
        #expect(loaded.findings.contains { $0.id == "data.json-array" })
    }

    @Test func singleLineJsonArray() throws {
        let r = try check("[" + validLines(12).joined(separator: ",") + "]")
        #expect(r.ids() == ["data.json-array", "data.small-dataset"])
        #expect(r.examples == 12)
    }

    @Test func brokenJsonArray() throws {
        let r = try check("[\n" + validLines(2).joined(separator: ",\n") + ",\n")
        #expect(r.ids().isSuperset(of: ["data.json-array", "data.invalid-json"]))
    }

    @Test func numbersAndObjectsWhereStringsBelong() throws {
        let r = try check([#"{"messages": [{"role": 1, "content": "x"}, {"role": "assistant", "content": {"text": "y"}}]}"#].joined() + "\n"
                          + validLines(12).joined(separator: "\n"))
        #expect(r.first("data.bad-type")?.location?.column == 24)
        #expect(r.first("data.bad-content")?.location?.column == 77)
    }

    /// A 100 MB line is reported and skipped while memory stays near the reader's limit.
    @Test func hundredMegabyteLine() throws {
        let dir = TempDir()
        let path = dir.path + "/huge.jsonl"
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.write(contentsOf: Data((validLines(6).joined(separator: "\n") + "\n").utf8))
        let piece = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        try h.write(contentsOf: Data(#"{"messages": [{"role": "user", "content": ""#.utf8))
        for _ in 0..<100 { try h.write(contentsOf: piece) }
        try h.write(contentsOf: Data("\"}]}\n".utf8))
        try h.write(contentsOf: Data(validLines(6, from: 6).joined(separator: "\n").utf8))
        try h.close()
        let r = try DataCheck.check(path: path, display: "huge.jsonl", options: CheckOptions(maxLineBytes: 64 << 20))
        let d = try #require(r.first("data.line-too-long"))
        #expect(d.location?.line == 7)
        #expect(r.examples == 12)
        #expect(r.lines == 13)
        // Lines after it keep their numbers.
        let r2 = try DataCheck.check(path: path, display: "huge.jsonl",
                                     options: CheckOptions(maxLineBytes: 1 << 20, batchBytes: 1 << 16))
        #expect(r2.first("data.line-too-long")?.location?.line == 7)
        #expect(r2.examples == 12)
    }

    /// Over the 512 MB upload limit: a sparse file, so the test writes almost nothing.
    @Test func fileTooLarge() throws {
        let dir = TempDir()
        let path = dir.file("big.jsonl", validLines(12).joined(separator: "\n") + "\n")
        let fd = open(path, O_WRONLY)
        try #require(ftruncate(fd, 513 << 20) == 0)
        close(fd)
        let r = try DataCheck.check(path: path, display: "big.jsonl", options: CheckOptions(maxLineBytes: 1 << 20))
        #expect(r.ids().contains("data.file-too-large"))
        #expect(r.ids().contains("data.line-too-long"))
    }

    @Test func controlCharactersAndEscapes() throws {
        let bad = "{\"messages\": [{\"role\": \"user\", \"content\": \"a\tb\"}]}"
        let r = try check(bad + "\n" + validLines(12).joined(separator: "\n"))
        #expect(r.first("data.invalid-json")?.location?.column == 45)
        let esc = #"{"messages": [{"role": "user", "content": "\q"}]}"#
        #expect(try check(esc + "\n" + validLines(12).joined(separator: "\n")).first("data.invalid-json")?.location?.column == 44)
    }
}

@Suite struct LineLimitTests {
    /// A line over the limit is reported the same whether the reader or the analyser meets it.
    @Test func limitAppliesInsideABatch() throws {
        let long = chatLine(String(repeating: "x", count: 5000), "y")
        let r = try check((validLines(6) + [long] + validLines(6, from: 6)).joined(separator: "\n"),
                          options: CheckOptions(maxLineBytes: 2000, batchBytes: 1 << 16))
        #expect(r.first("data.line-too-long")?.location?.line == 7)
        #expect(r.examples == 12)
    }
}

@Suite struct ArrayEdgeTests {
    @Test func invalidUTF8InAJsonArray() throws {
        let dir = TempDir()
        var bytes = Array(("[\n" + validLines(2).joined(separator: ",\n") + "\n]\n").utf8)
        bytes.insert(0xFE, at: 30)
        let r = try DataCheck.check(path: dir.file("a.jsonl", bytes: bytes), display: "a.jsonl")
        #expect(r.first("data.invalid-utf8")?.location?.line == 2)
        #expect(throws: Diagnostic.self) { _ = try FileFixer.fix(path: dir.path + "/a.jsonl", overwrite: true) }
    }
}
