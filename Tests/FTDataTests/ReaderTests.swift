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
