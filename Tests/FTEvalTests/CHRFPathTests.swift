import FTCore
import Testing
@testable import FTEval

/// chrF counts n-grams two ways: packed dense ids in one open-addressing table (the usual
/// case) and code points in hash tables per order (pairs with more than 1,023 distinct
/// characters). Both must give the same statistics, integer for integer.
@Suite struct CHRFPathTests {
    /// Random text from a small alphabet (many repeated n-grams), with spaces, punctuation,
    /// Korean, an emoji beyond the BMP and Python-only whitespace.
    static func text(_ rng: inout SeededRandom, length: Int) -> String {
        let pieces = ["a", "b", "c", "ab", " ", "  ", ".", ",", "(", ")", "학", "습", "😀", "\u{3000}", "\u{1F}", "x"]
        return (0..<length).map { _ in pieces[rng.nextInt(below: pieces.count)] }.joined()
    }

    @Test func packedAndGeneralCountsAgree() {
        var rng = SeededRandom(seed: 7)
        for wordOrder in [0, 1, 2] {
            var scorer = CHRFScorer(wordOrder: wordOrder)
            for trial in 0..<300 {
                let hyp = Self.text(&rng, length: rng.nextInt(below: 40))
                let refs = (0...(rng.nextInt(below: 3))).map { _ in Self.text(&rng, length: rng.nextInt(below: 40)) }
                let packed = scorer.packedStatistics(hyp, references: refs)
                #expect(packed != nil)
                let general = scorer.generalStatistics(hyp, references: refs)
                #expect(packed == general, "word order \(wordOrder), trial \(trial): \(hyp.debugDescription) vs \(refs)")
            }
        }
    }

    @Test func pairsWithManyDistinctCharactersTakeTheGeneralPath() {
        // 1,100 distinct Hangul syllables need 11 bits each: six do not fit in 60 bits.
        let hyp = String(String.UnicodeScalarView((0..<1100).map { Unicode.Scalar(0xAC00 + $0)! }))
        let ref = String(hyp.reversed()) + " " + String(hyp.prefix(300))
        var scorer = CHRFScorer(wordOrder: 2)
        #expect(scorer.packedStatistics(hyp, references: [ref]) == nil)
        let stats = scorer.statistics(hyp, references: [ref])
        #expect(stats == scorer.generalStatistics(hyp, references: [ref]))
        #expect(stats[2] == 1100, "every character of the hypothesis occurs in the reference")
        // One character fewer in the pair and the packed path takes it again.
        let small = String(String.UnicodeScalarView((0..<1023).map { Unicode.Scalar(0xAC00 + $0)! }))
        #expect(scorer.packedStatistics(small, references: [String(small.reversed())]) == scorer.generalStatistics(small, references: [String(small.reversed())]))
    }
}
