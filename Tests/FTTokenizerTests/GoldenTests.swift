import FTCore
import Testing
@testable import FTTokenizer

/// Token ids must equal tiktoken's `encode_ordinary` on every line of the golden corpus
/// (tools/reference/tokenizer_golden.py).
@Suite struct GoldenTests {
    @Test(arguments: ["o200k_base", "cl100k_base"])
    func matchesTiktoken(_ name: String) throws {
        let enc = try loadEncoding(name)
        let cases = try readGolden(name + ".jsonl")
        #expect(cases.count > 2000)
        var failures = 0
        for c in cases {
            let ids = enc.encode(c.text)
            if ids != c.ids {
                failures += 1
                if failures <= 5 {
                    Issue.record("\(name).jsonl:\(c.line): \(c.text.debugDescription.prefix(80)) → \(ids.prefix(20)) expected \(c.ids.prefix(20))")
                }
            }
            #expect(enc.count(c.text) == c.ids.count, "count, line \(c.line)")
            #expect(enc.decode(c.ids) == c.text, "decode, line \(c.line)")
        }
        #expect(failures == 0)
    }

    /// The GPT-2 pattern, checked with cl100k's ranks (tiktoken itself produced the ids).
    @Test func r50kPatternMatchesTiktoken() throws {
        let base = try loadEncoding("cl100k_base")
        let tokens = (0..<base.rankCount).map { base.tokenBytes($0)! }
        let enc = try Encoding(name: "r50k_pattern", tokensInRankOrder: tokens, pattern: .r50k)
        var failures = 0
        for c in try readGolden("r50k_pattern.jsonl") where enc.encode(c.text) != c.ids {
            failures += 1
            if failures <= 5 { Issue.record("r50k_pattern.jsonl:\(c.line): \(c.text.debugDescription.prefix(80))") }
        }
        #expect(failures == 0)
    }

    /// The golden corpus holds single pieces far above the heap threshold (runs of letters,
    /// spaces, punctuation, Hangul, emoji); they must match tiktoken too.
    @Test func longPiecesUseTheHeapAndStayExact() throws {
        let enc = try loadEncoding("o200k_base")
        var checked = 0
        for c in try readGolden("o200k_base.jsonl") where c.text.utf8.count >= RankTable.heapThreshold
            && enc.pattern.pieces(c.text).count == 1 {
            #expect(enc.encode(c.text) == c.ids, "line \(c.line)")
            checked += 1
        }
        #expect(checked >= 8)
    }
}
