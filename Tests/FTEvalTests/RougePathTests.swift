import FTCore
import Foundation
import Testing
@testable import FTEval

/// The ROUGE scorer works on UTF-8 bytes and interned ids with cached stems; `RougeReference`
/// does every step on code points and strings. Both must give the same floats, bit for bit.
@Suite struct RougePathTests {
    /// Words that stem (and stem to each other), their capitalised forms, digits, the two
    /// non-ASCII code points Python lowercases into ASCII (U+0130, the Kelvin sign), Korean,
    /// decomposed Hangul and accents (NFC matters to the unicode tokenizer), final sigma, a
    /// decomposing space (U+2000), line breaks of several kinds and punctuation.
    static let pieces = [
        "run", "running", "runs", "Running", "RUNNER", "happiness", "happy", "generalization", "general",
        "gener", "skies", "dying", "news", "caresses", "the", "a", "of", "2024", "1,000", "x9", "İstanbul",
        "\u{130}", "\u{212A}elvin", "\u{212A}", "모델", "학습", "\u{1100}\u{1161}", "가", "cafe\u{301}", "café",
        "ΟΔΟΣ", "σ", "naïve", "—", "…", "e.g.,", "don't", "\u{2000}", "\u{3000}", "ｆｕｌｌ", "１２",
    ]
    static let gaps = [" ", " ", " ", "  ", "\n", "\n\n", "\r\n", ", ", ". ", "\t", "-"]

    static func text(_ rng: inout SeededRandom, words: Int) -> String {
        var s = ""
        for k in 0..<words {
            if k > 0 { s += gaps[rng.nextInt(below: gaps.count)] }
            s += pieces[rng.nextInt(below: pieces.count)]
        }
        return s
    }

    @Test(arguments: [Rouge.Tokenizer.rougeScore, .unicode], [false, true])
    func fastScorerEqualsReference(tokenizer: Rouge.Tokenizer, stemmer: Bool) {
        var rng = SeededRandom(seed: 11).derived("\(tokenizer)-\(stemmer)")
        // One scorer for all trials, as a corpus uses it: ids and stems carry over.
        var scorer = RougeScorer(tokenizer: tokenizer, stemmer: stemmer)
        for trial in 0..<400 {
            let pred = Self.text(&rng, words: rng.nextInt(below: 25))
            let refs = (0...rng.nextInt(below: 2)).map { _ in Self.text(&rng, words: rng.nextInt(below: 25)) }
            let fast = scorer.score(pred, references: refs)
            let plain = RougeReference.score(pred, references: refs, tokenizer: tokenizer, stemmer: stemmer)
            #expect(fast == plain, "trial \(trial): \(pred.debugDescription) vs \(refs)")
            let tokens = RougeReference.tokens(pred, tokenizer: tokenizer, stemmer: stemmer).map { PythonText.string($0) }
            #expect(Rouge.tokenize(pred, tokenizer: tokenizer, stemmer: stemmer).map { Array($0.unicodeScalars) }
                    == tokens.map { Array($0.unicodeScalars) }, "trial \(trial): \(pred.debugDescription)")
        }
    }

    @Test func kindsAskedForSeparatelyScoreTheSame() {
        var rng = SeededRandom(seed: 12)
        var all = RougeScorer(stemmer: true), single = RougeScorer(stemmer: true)
        for _ in 0..<100 {
            let pred = Self.text(&rng, words: 12), ref = Self.text(&rng, words: 12)
            let scores = all.score(pred, references: [ref])
            for kind in Rouge.Kind.allCases {
                #expect(single.score(pred, references: [ref], kinds: [kind]) == [kind: scores[kind]!])
            }
        }
    }

    /// The byte tokenizer knows only U+0130 and U+212A as non-ASCII code points that Python's
    /// `lower()` turns into `[a-z0-9]`; this checks there are no others.
    @Test func onlyTwoCodePointsLowercaseIntoASCIITokenCharacters() {
        var found: [UInt32] = []
        for v in UInt32(0x80)...0x10FFFF where Unicode.Scalar(v) != nil {
            if PythonText.lower([v]).contains(where: { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }) {
                found.append(v)
            }
        }
        #expect(found == [0x130, 0x212A])
        #expect(Rouge.tokenize("\u{130}STANBUL x\u{130}y \u{212A}ING") == ["i", "stanbul", "xi", "y", "king"])
    }

    /// Text made only of `isNFCInert` code points skips normalisation, so each must have
    /// combining class 0, be its own NFC, and not combine with what precedes it.
    @Test func nfcInertCodePointsAreLeftAloneByNFC() {
        var wrong: [UInt32] = []
        for v in UInt32(0)...0xFFFF where Rouge.isNFCInert(v) {
            guard let u = Unicode.Scalar(v) else { continue }
            let s = String(u)
            if u.properties.canonicalCombiningClass != .notReordered
                || ["", "a", "E", "가", "\u{1100}", "か", "\u{915}", "\u{D9}"].contains(where: {
                    !($0 + s).precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(($0 + s).unicodeScalars)
                }) {
                wrong.append(v)
            }
        }
        #expect(wrong.count == 0, "\(wrong.prefix(20).map { String($0, radix: 16) })")
        #expect(!Rouge.isNFCInert(0x301) && !Rouge.isNFCInert(0x2000) && !Rouge.isNFCInert(0x1161))
    }

    @Test func internerKeepsDistinctTokensApartAcrossGrowth() {
        var interner = ByteInterner()
        let words = (0..<5000).map { "w\($0)" } + ["", "a", "ab", "한국"]
        let ids = words.map { interner.id(Array($0.utf8)) }
        #expect(Set(ids).count == words.count)
        #expect(words.map { interner.id(Array($0.utf8)) } == ids)
        #expect(ids.map { String(decoding: interner.token($0), as: UTF8.self) } == words)
    }
}
