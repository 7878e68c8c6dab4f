import FTCore
import Foundation
import Testing
@testable import FTData

/// The files under share/data are teaching material; these tests keep them true.
@Suite struct ShareDataTests {
    static let dir = repoRoot + "/share/data/"

    @Test(arguments: ["qa-en.jsonl", "qa-ko.jsonl"])
    func sampleDatasetsAreClean(_ name: String) throws {
        let r = try DataCheck.check(path: Self.dir + name, display: name, options: CheckOptions(counter: WordCounter()))
        #expect(r.format == .chat)
        #expect((50...150).contains(r.examples))
        #expect(r.findings.isEmpty, "\(r.findings.map(\.description))")
    }

    /// `broken.README.md` lists `| line | id |` rows; the check must find exactly those.
    @Test func brokenFileMatchesItsReadme() throws {
        let readme = try String(contentsOfFile: Self.dir + "broken.README.md", encoding: .utf8)
        var expected: [String] = []
        for row in readme.split(separator: "\n") where row.hasPrefix("| ") {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let line = Int(cells[0]) else { continue }
            expected.append("\(line) \(cells[1].replacingOccurrences(of: "`", with: ""))")
        }
        let r = try DataCheck.check(path: Self.dir + "broken.jsonl", display: "broken.jsonl")
        let found = r.findings.map { "\($0.location?.line ?? 0) \($0.id)" }
        #expect(found.sorted() == expected.sorted(), "\(r.findings.map(\.description).joined(separator: "\n"))")
    }

    @Test func sharedPriceFileEqualsTheBuiltinTable() throws {
        let shipped = try PriceTable.load(path: Self.dir + "prices.json")
        #expect(shipped == PriceTable.builtin)
    }
}
