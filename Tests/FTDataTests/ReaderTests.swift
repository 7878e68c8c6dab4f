import FTCore
import Foundation
import Testing
@testable import FTData

@Suite struct ReaderTests {
    @Test func validFileHasNoFindingsButTheSmallDatasetNote() throws {
        let r = try check(validLines(60).joined(separator: "\n") + "\n")
        #expect(r.examples == 60)
        #expect(r.lines == 60)
        #expect(r.format == .chat)
        #expect(r.errorCount == 0)
        #expect(r.warningCount == 0, "\(r.findings)")
    }

    @Test func lineNumbersSurviveSmallBatches() throws {
        var lines = validLines(40)
        lines[33] = #"{"messages": [{"role": "bot", "content": "x"}]}"#
        let opts = CheckOptions(parallelism: 2, batchBytes: 256)
        let r = try check(lines.joined(separator: "\n"), options: opts)
        let d = try #require(r.first("data.unknown-role"))
        #expect(d.location?.line == 34)
        #expect(d.location?.column == 24)
        #expect(r.examples == 40)
    }
}

@Suite struct ProgressTests {
    @Test func progressIsReportedUpToTheTotal() throws {
        let dir = TempDir()
        let path = dir.file("p.jsonl", validLines(500).joined(separator: "\n"))
        let seen = Seen()
        _ = try DataCheck.check(path: path, options: CheckOptions(parallelism: 2, batchBytes: 4096)) { done, total in
            seen.add(done, total)
        }
        let calls = seen.calls
        #expect(calls.count > 3)
        #expect(calls.map(\.0) == calls.map(\.0).sorted())
        #expect(calls.last!.0 == calls.last!.1)
    }

    @Test func findingsBeyondTheCapAreCounted() throws {
        let bad = Array(repeating: #"{"messages": [{"role": "bot", "content": "x"}]}"#, count: 30)
        let r = try check(bad.joined(separator: "\n"), options: CheckOptions(findingsPerRule: 5))
        #expect(r.findings.filter { $0.id == "data.unknown-role" }.count == 5)
        #expect(r.counts.first { $0.id == "data.unknown-role" }?.count == 30)
        #expect(r.omittedFindings >= 25)
    }

    @Test func interruptStopsTheCheck() throws {
        let dir = TempDir()
        let path = dir.file("i.jsonl", validLines(200).joined(separator: "\n"))
        var opts = CheckOptions(parallelism: 1, batchBytes: 1024)
        opts.isInterrupted = { true }
        #expect(throws: Interrupted.self) { _ = try DataCheck.check(path: path, options: opts) }
    }
}

final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [(Int64, Int64)] = []
    func add(_ a: Int64, _ b: Int64) { lock.lock(); list.append((a, b)); lock.unlock() }
    var calls: [(Int64, Int64)] { lock.lock(); defer { lock.unlock() }; return list }
}
