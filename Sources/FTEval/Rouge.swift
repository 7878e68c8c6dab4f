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
        tokens(PythonText.scalars(text), tokenizer: tokenizer, stemmer: stemmer).map { PythonText.string($0) }
    }

    static func tokens(_ text: [UInt32], tokenizer: Tokenizer, stemmer: Bool) -> [[UInt32]] {
        switch tokenizer {
        case .rougeScore:
            let lowered = PythonText.lower(text)
            var out: [[UInt32]] = []
            var current: [UInt32] = []
            func flush() {
                guard !current.isEmpty else { return }
                if stemmer && current.count > 3 {
                    out.append(PorterStemmer.stem(current.map { UInt8($0) }).map { UInt32($0) })
                } else {
                    out.append(current)
                }
                current.removeAll(keepingCapacity: true)
            }
            for v in lowered {
                if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) { current.append(v) } else { flush() }
            }
            flush()
            return out
        case .unicode:
            let nfc = PythonText.string(text).precomposedStringWithCanonicalMapping
            let lowered = PythonText.lower(PythonText.scalars(nfc))
            var out: [[UInt32]] = []
            var current: [UInt32] = []
            func flush() {
                guard !current.isEmpty else { return }
                if stemmer && current.count > 3 && current.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) {
                    out.append(PorterStemmer.stem(current.map { UInt8($0) }).map { UInt32($0) })
                } else {
                    out.append(current)
                }
                current.removeAll(keepingCapacity: true)
            }
            for v in lowered {
                if isUnicodeTokenScalar(v) { current.append(v) } else { flush() }
            }
            flush()
            return out
        }
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

    // MARK: scoring over token ids

    static func ngramScore(_ ref: [UInt32], _ pred: [UInt32], n: Int) -> Score {
        func grams(_ t: [UInt32]) -> [NGramKey: Int] {
            var c: [NGramKey: Int] = [:]
            if t.count >= n { for i in 0...(t.count - n) { c[NGramKey(t[i..<(i + n)]), default: 0] += 1 } }
            return c
        }
        let r = grams(ref), p = grams(pred)
        var overlap = 0
        for (g, c) in r { if let pc = p[g] { overlap += min(c, pc) } }
        let refCount = max(ref.count - n + 1, 0), predCount = max(pred.count - n + 1, 0)
        return Score(precision: Double(overlap) / Double(max(predCount, 1)),
                     recall: Double(overlap) / Double(max(refCount, 1)))
    }

    /// LCS length table, (|ref|+1) × (|can|+1), row-major.
    static func lcsTable(_ ref: [UInt32], _ can: [UInt32]) -> [Int32] {
        let cols = can.count + 1
        var t = [Int32](repeating: 0, count: (ref.count + 1) * cols)
        t.withUnsafeMutableBufferPointer { t in
            for i in 1..<(ref.count + 1) {
                let r = ref[i - 1]
                for j in 1..<cols {
                    t[i * cols + j] = r == can[j - 1] ? t[(i - 1) * cols + j - 1] + 1
                        : max(t[(i - 1) * cols + j], t[i * cols + j - 1])
                }
            }
        }
        return t
    }

    static func lcsLength(_ a: [UInt32], _ b: [UInt32]) -> Int {
        // Two rows suffice for the length.
        var prev = [Int32](repeating: 0, count: b.count + 1), cur = prev
        for x in a {
            for j in 1...max(b.count, 1) where j <= b.count {
                cur[j] = x == b[j - 1] ? prev[j - 1] + 1 : max(prev[j], cur[j - 1])
            }
            swap(&prev, &cur)
        }
        return Int(prev[b.count])
    }

    static func lcsScore(_ ref: [UInt32], _ pred: [UInt32]) -> Score {
        if ref.isEmpty || pred.isEmpty { return .zero }
        let l = Double(lcsLength(ref, pred))
        return Score(precision: l / Double(pred.count), recall: l / Double(ref.count))
    }

    /// Indices into `ref` of one LCS, read back preferring to step up a row on ties.
    static func lcsIndices(_ ref: [UInt32], _ can: [UInt32]) -> [Int] {
        let t = lcsTable(ref, can)
        let cols = can.count + 1
        var i = ref.count, j = can.count
        var out: [Int] = []
        while i > 0 && j > 0 {
            if ref[i - 1] == can[j - 1] { out.append(i - 1); i -= 1; j -= 1 }
            else if t[i * cols + j - 1] > t[(i - 1) * cols + j] { j -= 1 }
            else { i -= 1 }
        }
        return out
    }

    /// Summary-level LCS: per reference sentence the union of its LCS with each candidate
    /// sentence, with hits limited by each token's count on both sides.
    static func lsumScore(_ refSents: [[UInt32]], _ canSents: [[UInt32]]) -> Score {
        if refSents.isEmpty || canSents.isEmpty { return .zero }
        let m = refSents.reduce(0) { $0 + $1.count }, n = canSents.reduce(0) { $0 + $1.count }
        if m == 0 || n == 0 { return .zero }
        var refCounts: [UInt32: Int] = [:], canCounts: [UInt32: Int] = [:]
        for s in refSents { for t in s { refCounts[t, default: 0] += 1 } }
        for s in canSents { for t in s { canCounts[t, default: 0] += 1 } }
        var hits = 0
        for r in refSents {
            var union = Set<Int>()
            for c in canSents { union.formUnion(lcsIndices(r, c)) }
            for i in union.sorted() {
                let t = r[i]
                if let c = canCounts[t], c > 0, let rc = refCounts[t], rc > 0 {
                    hits += 1
                    canCounts[t] = c - 1
                    refCounts[t] = rc - 1
                }
            }
        }
        return Score(precision: Double(hits) / Double(n), recall: Double(hits) / Double(m))
    }
}

/// Scores predictions against references, keeping token ids across calls.
public struct RougeScorer {
    public let tokenizer: Rouge.Tokenizer
    public let stemmer: Bool
    private var interner = TokenInterner()

    public init(tokenizer: Rouge.Tokenizer = .rougeScore, stemmer: Bool = false) {
        self.tokenizer = tokenizer
        self.stemmer = stemmer
    }

    mutating func ids(_ scalars: [UInt32]) -> [UInt32] {
        Rouge.tokens(scalars, tokenizer: tokenizer, stemmer: stemmer).map { interner.id($0[...]) }
    }

    /// Sentences for ROUGE-Lsum: split on "\n" only, empty lines dropped.
    mutating func sentenceIDs(_ scalars: [UInt32]) -> [[UInt32]] {
        scalars.split(separator: 0x0A, omittingEmptySubsequences: true).map { ids(Array($0)) }
    }

    public mutating func score(_ prediction: String, references: [String],
                               kinds: [Rouge.Kind] = Rouge.Kind.allCases) -> [Rouge.Kind: Rouge.Score] {
        let p = PythonText.scalars(prediction)
        let predIDs = ids(p)
        let predSents = kinds.contains(.rougeLsum) ? sentenceIDs(p) : []
        var best: [Rouge.Kind: Rouge.Score] = [:]
        for reference in references {
            let r = PythonText.scalars(reference)
            let refIDs = ids(r)
            for kind in kinds {
                let s: Rouge.Score
                switch kind {
                case .rouge1: s = Rouge.ngramScore(refIDs, predIDs, n: 1)
                case .rouge2: s = Rouge.ngramScore(refIDs, predIDs, n: 2)
                case .rougeL: s = Rouge.lcsScore(refIDs, predIDs)
                case .rougeLsum: s = Rouge.lsumScore(sentenceIDs(r), predSents)
                }
                if let b = best[kind], b.fmeasure >= s.fmeasure { continue }
                best[kind] = s
            }
        }
        return best
    }
}
