import FTCore
/// chrF and chrF++ as sacrebleu 2.x computes them with its defaults: character n-grams up to
/// 6 over the text with all whitespace removed, β = 2, effective-order averaging (no epsilon
/// smoothing); chrF++ adds word unigrams and bigrams.
public enum CHRF {
    public static let charOrder = 6
    public static let beta = 2

    public struct Score: Sendable, Hashable {
        public var score: Double
        /// Per order `[hypothesis n-grams, reference n-grams, matches]`, char orders first.
        public var statistics: [Int]
        public var wordOrder: Int

        public func toValue() -> Value {
            .record(["score": .number(score), "char_order": .int(CHRF.charOrder), "word_order": .int(wordOrder),
                     "beta": .int(CHRF.beta)])
        }
    }

    /// sentence_chrf(hypothesis, references, word_order: 0 or 2).
    public static func sentence(_ hypothesis: String, references: [String], wordOrder: Int = 0) -> Score {
        var scorer = CHRFScorer(wordOrder: wordOrder)
        let stats = scorer.statistics(hypothesis, references: references)
        return Score(score: fScore(stats), statistics: stats, wordOrder: wordOrder)
    }

    /// corpus_chrf(hypotheses, references, word_order: 0 or 2): statistics summed over segments.
    public static func corpus(_ hypotheses: [String], references: [[String]], wordOrder: Int = 0) -> Score {
        var scorer = CHRFScorer(wordOrder: wordOrder)
        var total = [Int](repeating: 0, count: 3 * (charOrder + wordOrder))
        for (h, r) in zip(hypotheses, references) {
            for (i, v) in scorer.statistics(h, references: r).enumerated() { total[i] += v }
        }
        return Score(score: fScore(total), statistics: total, wordOrder: wordOrder)
    }

    /// sacrebleu's `_compute_f_score` without epsilon smoothing, in its order of operations:
    /// precision and recall are averaged over the orders where both sides have n-grams.
    public static func fScore(_ stats: [Int]) -> Double {
        let factor = Double(beta * beta)
        var avgPrec = 0.0, avgRec = 0.0
        var effective = 0
        for i in 0..<(stats.count / 3) {
            let hyp = stats[3 * i], ref = stats[3 * i + 1], match = stats[3 * i + 2]
            if hyp > 0 && ref > 0 {
                avgPrec += Double(match) / Double(hyp)
                avgRec += Double(match) / Double(ref)
                effective += 1
            }
        }
        if effective == 0 { return 0 }
        avgPrec /= Double(effective)
        avgRec /= Double(effective)
        guard avgPrec + avgRec != 0 else { return 0 }
        var score = (1 + factor) * avgPrec * avgRec
        score /= (factor * avgPrec) + avgRec
        return 100 * score
    }

    public static func fScore(flat: [Double]) -> Double { fScore(flat.map { Int($0) }) }
}

/// Up to six code points (21 bits each) packed into two words; each order has its own table,
/// so keys of one table all have the same length.
struct CharGramKey: Hashable {
    var a: UInt64
    var b: UInt64
}

public struct CHRFScorer {
    public let wordOrder: Int
    private var interner = TokenInterner()
    // Reused from pair to pair, so scoring a corpus allocates almost nothing.
    private var codes = CodePointIDs()
    private var grams = GramCounter()
    private var hypIDs: [UInt32] = []
    private var refIDs: [[UInt32]] = []
    private var rolled: [UInt64] = []
    private var wordIDs: [ArraySlice<UInt32>: UInt64] = [:]

    public init(wordOrder: Int = 0) { self.wordOrder = wordOrder }

    /// `[hyp, ref, match]` per order against the reference giving the best F (the first on a
    /// tie). A hypothesis n-gram count is recorded as 0 when the reference has none of that order.
    public mutating func statistics(_ hypothesis: String, references: [String]) -> [Int] {
        packedStatistics(hypothesis, references: references) ?? generalStatistics(hypothesis, references: references)
    }

    /// The common case: a pair with at most 1,023 distinct characters. Each character becomes
    /// a dense id of `bits` bits, so an n-gram of up to six is one 60-bit number, built by
    /// shifting in one id per order; the order goes in the top four bits. Words (chrF++) get
    /// dense ids too, and the tags 7 and 8. Nil when the ids do not fit.
    mutating func packedStatistics(_ hypothesis: String, references: [String]) -> [Int]? {
        guard wordOrder <= 2 else { return nil }
        var bound = hypothesis.utf8.count
        for r in references { bound += r.utf8.count }
        codes.reset(capacity: bound)
        codes.ids(of: hypothesis, into: &hypIDs)
        while refIDs.count < references.count { refIDs.append([]) }
        for (k, r) in references.enumerated() { codes.ids(of: r, into: &refIDs[k]) }
        let bits = UInt64(Swift.max(1, 32 - codes.count.leadingZeroBitCount))
        guard bits * UInt64(CHRF.charOrder) <= 60 else { return nil }

        var hypWords: [UInt64] = [], refWords: [[UInt64]] = []
        if wordOrder > 0 {
            wordIDs.removeAll(keepingCapacity: true)
            hypWords = wordIDList(hypothesis)
            refWords = references.map { wordIDList($0) }
        }
        let orders = CHRF.charOrder + wordOrder
        // Taken out of self while the closures below fill them; put back at the end.
        var grams = self.grams, rolled = self.rolled
        self.grams = GramCounter()
        self.rolled = []
        defer { self.grams = grams; self.rolled = rolled }
        var best = [Int](repeating: 0, count: 3 * orders)
        var bestF = -1.0
        for k in references.indices {
            var stats = [Int](repeating: 0, count: 3 * orders)
            grams.reset(capacity: CHRF.charOrder * hypIDs.count + 2 * hypWords.count)
            Self.forEachCharGram(hypIDs, bits: bits, rolled: &rolled) { key, _ in grams.add(key) }
            Self.forEachCharGram(refIDs[k], bits: bits, rolled: &rolled) { key, n in if grams.take(key) { stats[3 * (n - 1) + 2] += 1 } }
            for n in 1...CHRF.charOrder {
                let hyp = Swift.max(0, hypIDs.count - n + 1), ref = Swift.max(0, refIDs[k].count - n + 1)
                stats[3 * (n - 1)] = ref == 0 ? 0 : hyp
                stats[3 * (n - 1) + 1] = ref
            }
            if wordOrder > 0 {
                Self.forEachWordGram(hypWords, order: wordOrder) { key, _ in grams.add(key) }
                Self.forEachWordGram(refWords[k], order: wordOrder) { key, n in if grams.take(key) { stats[3 * (CHRF.charOrder + n - 1) + 2] += 1 } }
                for n in 1...wordOrder {
                    let hyp = Swift.max(0, hypWords.count - n + 1), ref = Swift.max(0, refWords[k].count - n + 1)
                    stats[3 * (CHRF.charOrder + n - 1)] = ref == 0 ? 0 : hyp
                    stats[3 * (CHRF.charOrder + n - 1) + 1] = ref
                }
            }
            let f = CHRF.fScore(stats)
            if f > bestF { bestF = f; best = stats }
        }
        return best
    }

    /// Every character n-gram of orders 1…6 as a tagged packed key, with its order.
    @inline(__always)
    static func forEachCharGram(_ ids: [UInt32], bits: UInt64, rolled: inout [UInt64], _ body: (UInt64, Int) -> Void) {
        rolled.removeAll(keepingCapacity: true)
        for id in ids { rolled.append(UInt64(id)) }
        let count = ids.count
        for n in 1...CHRF.charOrder where count >= n {
            let tag = UInt64(n) << 60
            if n > 1 {
                // rolled[i] held the n-1 ids from i; shift in the id n-1 places on.
                for i in 0...(count - n) { rolled[i] = rolled[i] << bits | UInt64(ids[i + n - 1]) }
            }
            for i in 0...(count - n) { body(rolled[i] | tag, n) }
        }
    }

    /// Word unigrams (tag 7) and bigrams (tag 8) of dense word ids.
    @inline(__always)
    static func forEachWordGram(_ ids: [UInt64], order: Int, _ body: (UInt64, Int) -> Void) {
        for id in ids { body(7 << 60 | id, 1) }
        if order > 1 && ids.count > 1 {
            for i in 0..<(ids.count - 1) { body(8 << 60 | ids[i] << 28 | ids[i + 1], 2) }
        }
    }

    /// A text's chrF++ words as ids shared by the hypothesis and its references.
    mutating func wordIDList(_ text: String) -> [UInt64] {
        Self.words(PythonText.scalars(text)).map { w in
            if let id = wordIDs[w] { return id }
            // Fewer than 2^28 words per pair, so a bigram of two ids fits below the tag.
            let id = UInt64(wordIDs.count + 1)
            wordIDs[w] = id
            return id
        }
    }

    /// One table per order: char orders 1…6, then word orders 1…wordOrder.
    typealias Counts = [[CharGramKey: Int]]

    /// Any pair: up to six code points (21 bits each) packed into two words, one hash table per
    /// order. Used when a pair has too many distinct characters for `packedStatistics`.
    mutating func generalCounts(_ text: String) -> Counts {
        let scalars = PythonText.scalars(text)
        let chars = scalars.filter { !PythonText.isSpace($0) }
        var tables: Counts = []
        tables.reserveCapacity(CHRF.charOrder + wordOrder)
        for n in 1...CHRF.charOrder {
            var t: [CharGramKey: Int] = [:]
            if chars.count >= n {
                t.reserveCapacity(chars.count - n + 1)
                for i in 0...(chars.count - n) {
                    var a: UInt64 = 0, b: UInt64 = 0
                    for k in 0..<n {
                        let v = UInt64(chars[i + k])
                        if k < 3 { a |= v << (21 * UInt64(k)) } else { b |= v << (21 * UInt64(k - 3)) }
                    }
                    t[CharGramKey(a: a, b: b), default: 0] += 1
                }
            }
            tables.append(t)
        }
        if wordOrder > 0 {
            let words = Self.words(scalars).map { interner.id($0) }
            for n in 1...wordOrder {
                var t: [CharGramKey: Int] = [:]
                if words.count >= n {
                    for i in 0...(words.count - n) {
                        let k = NGramKey(words[i..<(i + n)])
                        t[CharGramKey(a: k.a, b: k.b), default: 0] += 1
                    }
                }
                tables.append(t)
            }
        }
        return tables
    }

    /// chrF++'s word split: whitespace, then one ASCII punctuation character split off the end
    /// of a word, or else off its start (so `(hi)` becomes `(hi` and `)`).
    static func words(_ scalars: [UInt32]) -> [ArraySlice<UInt32>] {
        var out: [ArraySlice<UInt32>] = []
        for w in PythonText.split(scalars) {
            if w.count == 1 { out.append(w); continue }
            let first = w.startIndex, last = w.endIndex - 1
            if PythonText.isASCIIPunctuation(w[last]) {
                out.append(w[first..<last]); out.append(w[last...])
            } else if PythonText.isASCIIPunctuation(w[first]) {
                out.append(w[first...first]); out.append(w[(first + 1)...])
            } else {
                out.append(w)
            }
        }
        return out
    }

    /// `statistics` through `generalCounts`.
    mutating func generalStatistics(_ hypothesis: String, references: [String]) -> [Int] {
        let hyp = generalCounts(hypothesis)
        var best: [Int] = [Int](repeating: 0, count: 3 * (CHRF.charOrder + wordOrder))
        var bestF = -1.0
        for reference in references {
            let ref = generalCounts(reference)
            var stats: [Int] = []
            stats.reserveCapacity(3 * hyp.count)
            for (h, r) in zip(hyp, ref) {
                var hypCount = 0, match = 0, refCount = 0
                for (g, c) in h {
                    hypCount += c
                    if let rc = r[g] { match += min(c, rc) }
                }
                for c in r.values { refCount += c }
                stats.append(r.isEmpty ? 0 : hypCount)
                stats.append(refCount)
                stats.append(match)
            }
            let f = CHRF.fScore(stats)
            if f > bestF { bestF = f; best = stats }
        }
        return best
    }
}
