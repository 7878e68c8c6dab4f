import FTCore
import Foundation
import Testing
@testable import FTTokenizer

/// The scanner's class table must agree with tiktoken's regex engine on every scalar, so the
/// pieces match even for scripts the golden corpus does not contain.
@Suite struct UnicodeClassTests {
    @Test func tableMatchesTiktokenOnEveryScalar() throws {
        let path = goldenDir + "/unicode_classes.json"
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            Issue.record("missing \(path)"); return
        }
        let classes = try #require(try JSON.decode(text, file: path)["classes"])
        let table = ScalarClassTable.shared
        let checks: [(String, UInt8)] = [("L", ScalarClass.letter), ("N", ScalarClass.number),
                                         ("upperish", ScalarClass.upperish), ("lowerish", ScalarClass.lowerish),
                                         ("space", ScalarClass.space)]
        for (key, bit) in checks {
            var expected = [Bool](repeating: false, count: 0x110000)
            let ranges = try #require(classes[key]?.listValue, "class \(key)")
            for r in ranges {
                let pair = try #require(r.listValue)
                let lo = try #require(pair[0].intValue), hi = try #require(pair[1].intValue)
                for c in lo...hi { expected[c] = true }
            }
            var mismatches: [String] = []
            for c in 0..<0x110000 where (table.flags(UInt32(c)) & bit != 0) != expected[c] {
                mismatches.append("U+" + String(c, radix: 16, uppercase: true))
            }
            #expect(mismatches.isEmpty, "\(key): \(mismatches.count) scalars differ, e.g. \(mismatches.prefix(8))")
        }
    }

    @Test func newlineFlagOnlyOnCRAndLF() {
        let table = ScalarClassTable.shared
        for c in 0..<0x3000 {
            let isNL = table.flags(UInt32(c)) & ScalarClass.newline != 0
            #expect(isNL == (c == 0x0A || c == 0x0D), "U+\(String(c, radix: 16))")
        }
    }
}
