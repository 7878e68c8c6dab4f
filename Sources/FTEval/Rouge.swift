import FTCore
import Foundation

/// ROUGE-N, ROUGE-L and ROUGE-Lsum as Google's `rouge-score` package computes them
/// (`RougeScorer(types, use_stemmer).score(target=reference, prediction=…)`), plus ftsh's own
/// Unicode-aware variant.
///
/// rouge-score lowercases, keeps only `[a-z0-9]` runs as tokens, and (with the stemmer) stems
/// tokens longer than three characters with NLTK's Porter stemmer. So Korean, Chinese or
/// Japanese text has no tokens there and scores 0. `Tokenizer.unicode` is ftsh's own: tokens
/// are runs of Unicode letters, marks and numbers after NFC and Python-style lowercasing; the
/// stemmer, if asked for, applies only to tokens that are pure ASCII letters.
public enum Rouge {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case rouge1, rouge2, rougeL, rougeLsum
    }

    public enum Tokenizer: String, Sendable, Hashable { case rougeScore, unicode }

    public struct Score: Sendable, Hashable {
        public var precision: Double
        public var recall: Double
        public var fmeasure: Double
        public static let zero = Score(precision: 0, recall: 0, fmeasure: 0)

        init(precision: Double, recall: Double) {
            self.precision = precision
            self.recall = recall
            self.fmeasure = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        }

        init(precision: Double, recall: Double, fmeasure: Double) {
            self.precision = precision; self.recall = recall; self.fmeasure = fmeasure
        }

        public func toValue() -> Value {
            .record(["precision": .number(precision), "recall": .number(recall), "fmeasure": .number(fmeasure)])
        }
    }

    /// One score per kind; with several references, per kind the reference with the highest F
    /// (the first on a tie), as `score_multi` picks it.
    public static func score(_ prediction: String, references: [String], kinds: [Kind] = Kind.allCases,
                             tokenizer: Tokenizer = .rougeScore, stemmer: Bool = false) -> [Kind: Score] {
        var scorer = RougeScorer(tokenizer: tokenizer, stemmer: stemmer)
        return scorer.score(prediction, references: references, kinds: kinds)
    }

    // MARK: tokenisation

    public static func tokenize(_ text: String, tokenizer: Tokenizer = .rougeScore, stemmer: Bool = false) -> [String] {
        var vocabulary = RougeVocabulary(tokenizer: tokenizer, stemmer: stemmer)
        var ids: [UInt32] = [], breaks: [Int32] = []
        vocabulary.tokenize(text, ids: &ids, breaks: &breaks)
        return ids.map { vocabulary.string($0) }
    }

    /// True for code points NFC leaves unchanged whatever surrounds them: canonical combining
    /// class 0, already their own NFC, never the second half of a composition. A text of
    /// only these is already NFC. The ranges are those common in ftsh's evaluation data (Latin
    /// and its extensions below the combining marks, general punctuation without the two spaces
    /// that decompose, CJK punctuation, kana, CJK ideographs, Hangul syllables, fullwidth forms);
    /// anything else goes through the full normalisation.
    @inline(__always)
    static func isNFCInert(_ v: UInt32) -> Bool {
        v < 0x300 || (v >= 0xAC00 && v <= 0xD7A3) || (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0x2002 && v <= 0x206F)
            || (v >= 0x3000 && v <= 0x3029) || (v >= 0x3041 && v <= 0x3096) || (v >= 0x30A1 && v <= 0x30FA)
            || (v >= 0xFF01 && v <= 0xFFEE)
    }

    @inline(__always)
    static func isUnicodeTokenScalar(_ v: UInt32) -> Bool {
        if v < 0x80 { return (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) }
        guard let u = Unicode.Scalar(v) else { return false }
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }
}

/// Scores predictions against references, keeping token ids (and stems) across calls, so a
/// corpus tokenises each distinct word once and scores allocate almost nothing.
public struct RougeScorer {
    public var tokenizer: Rouge.Tokenizer { vocabulary.tokenizer }
    public var stemmer: Bool { vocabulary.stemmer }
    private var vocabulary: RougeVocabulary
    private var overlap = RougeOverlap()
    private var predIDs: [UInt32] = [], refIDs: [UInt32] = []
    private var predBreaks: [Int32] = [], refBreaks: [Int32] = []
    private var predLines: [Range<Int>] = [], refLines: [Range<Int>] = []

    public init(tokenizer: Rouge.Tokenizer = .rougeScore, stemmer: Bool = false) {
        vocabulary = RougeVocabulary(tokenizer: tokenizer, stemmer: stemmer)
    }

    /// Lines for ROUGE-Lsum (rouge-score splits on "\n" only): the non-empty token ranges.
    static func lines(_ breaks: [Int32], count: Int, into out: inout [Range<Int>]) {
        out.removeAll(keepingCapacity: true)
        var start = 0
        for b in breaks {
            if Int(b) > start { out.append(start..<Int(b)) }
            start = Int(b)
        }
        if count > start { out.append(start..<count) }
    }

    public mutating func score(_ prediction: String, references: [String],
                               kinds: [Rouge.Kind] = Rouge.Kind.allCases) -> [Rouge.Kind: Rouge.Score] {
        let summary = kinds.contains(.rougeLsum)
        vocabulary.tokenize(prediction, ids: &predIDs, breaks: &predBreaks)
        if summary { Self.lines(predBreaks, count: predIDs.count, into: &predLines) }
        var best: [Rouge.Kind: Rouge.Score] = [:]
        for reference in references {
            vocabulary.tokenize(reference, ids: &refIDs, breaks: &refBreaks)
            overlap.fit(maxID: vocabulary.interner.count)
            if summary { Self.lines(refBreaks, count: refIDs.count, into: &refLines) }
            for kind in kinds {
                let s: Rouge.Score
                switch kind {
                case .rouge1: s = overlap.unigrams(refIDs, predIDs)
                case .rouge2: s = overlap.bigrams(refIDs, predIDs)
                case .rougeL: s = overlap.lcs(refIDs, predIDs)
                case .rougeLsum: s = overlap.summaryLCS(refIDs, refLines, predIDs, predLines)
                }
                if let b = best[kind], b.fmeasure >= s.fmeasure { continue }
                best[kind] = s
            }
        }
        return best
    }
}
