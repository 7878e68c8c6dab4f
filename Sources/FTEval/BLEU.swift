import FTCore
import Foundation

/// BLEU as sacrebleu 2.x computes it with its defaults: 13a tokenisation, mixed case, n-grams
/// up to 4, `exp` smoothing; sentence scores use the effective order, corpus scores do not.
/// Signature of the equivalent sacrebleu call: `nrefs:N|case:mixed|eff:no|tok:13a|smooth:exp`.
public enum BLEU {
    public static let maxOrder = 4

    /// Sufficient statistics of one segment (or, summed, of a corpus).
    public struct Statistics: Sendable, Hashable {
        public var hypothesisLength = 0
        public var referenceLength = 0
        public var matches = [Int](repeating: 0, count: BLEU.maxOrder)
        public var totals = [Int](repeating: 0, count: BLEU.maxOrder)
        public init() {}

        public static func + (a: Statistics, b: Statistics) -> Statistics {
            var s = a
            s.hypothesisLength += b.hypothesisLength
            s.referenceLength += b.referenceLength
            for n in 0..<BLEU.maxOrder { s.matches[n] += b.matches[n]; s.totals[n] += b.totals[n] }
            return s
        }

        /// Flattened as sacrebleu lays them out: lengths, matches, totals.
        public var flat: [Double] {
            [Double(hypothesisLength), Double(referenceLength)] + matches.map(Double.init) + totals.map(Double.init)
        }

        public init(flat f: [Double]) {
            hypothesisLength = Int(f[0])
            referenceLength = Int(f[1])
            matches = (0..<BLEU.maxOrder).map { Int(f[2 + $0]) }
            totals = (0..<BLEU.maxOrder).map { Int(f[2 + BLEU.maxOrder + $0]) }
        }
    }

    public struct Score: Sendable, Hashable {
        public var score: Double
        public var precisions: [Double]
        public var brevityPenalty: Double
        public var statistics: Statistics

        public func toValue() -> Value {
            .record([
                "score": .number(score),
                "precisions": .list(precisions.map { .number($0) }),
                "bp": .number(brevityPenalty),
                "hyp_len": .int(statistics.hypothesisLength),
                "ref_len": .int(statistics.referenceLength),
                "counts": .list(statistics.matches.map { .int($0) }),
                "totals": .list(statistics.totals.map { .int($0) }),
            ])
        }
    }

    /// sentence_bleu(hypothesis, references).
    public static func sentence(_ hypothesis: String, references: [String]) -> Score {
        var scorer = BLEUScorer()
        return score(scorer.statistics(hypothesis, references: references), effectiveOrder: true)
    }

    /// corpus_bleu(hypotheses, references): `references[i]` holds the references of segment i.
    public static func corpus(_ hypotheses: [String], references: [[String]]) -> Score {
        var scorer = BLEUScorer()
        var total = Statistics()
        for (h, r) in zip(hypotheses, references) { total = total + scorer.statistics(h, references: r) }
        return score(total, effectiveOrder: false)
    }

    /// sacrebleu's `compute_bleu` with `exp` smoothing, in its order of operations.
    public static func score(_ s: Statistics, effectiveOrder: Bool) -> Score {
        let sys = s.hypothesisLength, ref = s.referenceLength
        var bp = 1.0
        if sys < ref { bp = sys > 0 ? exp(1 - Double(ref) / Double(sys)) : 0.0 }
        var precisions = [Double](repeating: 0, count: maxOrder)
        if !s.matches.contains(where: { $0 != 0 }) {
            return Score(score: 0, precisions: precisions, brevityPenalty: bp, statistics: s)
        }
        var smooth = 1.0
        var order = maxOrder
        for n in 1...maxOrder {
            let total = s.totals[n - 1], correct = s.matches[n - 1]
            if total == 0 { break }
            if effectiveOrder { order = n }
            if correct == 0 {
                smooth *= 2
                precisions[n - 1] = 100.0 / (smooth * Double(total))
            } else {
                precisions[n - 1] = 100.0 * Double(correct) / Double(total)
            }
        }
        var sum = 0.0
        for p in precisions[0..<order] { sum += p == 0 ? -9_999_999_999 : log(p) }
        return Score(score: bp * exp(sum / Double(order)), precisions: precisions, brevityPenalty: bp, statistics: s)
    }

    /// The 13a tokeniser (mteval-v13a as sacrebleu implements it), applied after `rstrip()`.
    public static func tokenize(_ text: String) -> [String] {
        PythonText.split(tokenize13a(Array(PythonText.rstrip(PythonText.scalars(text))))).map { PythonText.string($0) }
    }

    static let skipped = PythonText.scalars("<skipped>")
    static let hyphenNewline: [UInt32] = [0x2D, 0x0A]
    static let entities: [([UInt32], [UInt32])] = [
        ("&quot;", "\""), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"),
    ].map { (PythonText.scalars($0.0), PythonText.scalars($0.1)) }

    /// 13a's symbol class `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: ASCII symbols except `'` `,` `-` `.`.
    @inline(__always)
    static func isSeparatedSymbol(_ v: UInt32) -> Bool {
        (v >= 0x7B && v <= 0x7E) || (v >= 0x5B && v <= 0x60) || (v >= 0x20 && v <= 0x26)
            || (v >= 0x28 && v <= 0x2B) || (v >= 0x3A && v <= 0x40) || v == 0x2F
    }

    /// Returns the tokenised line (tokens separated by whitespace, not yet split).
    static func tokenize13a(_ input: [UInt32]) -> [UInt32] {
        var line = input
        // The language-independent part is three plain replacements and an entity pass.
        if line.contains(0x3C) { line = PythonText.replace(line, skipped, []) }
        if line.contains(0x0A) {
            line = PythonText.replace(line, hyphenNewline, [])
            line = line.map { $0 == 0x0A ? 0x20 : $0 }
        }
        if line.contains(0x26) {
            for (entity, char) in entities { line = PythonText.replace(line, entity, char) }
        }
        let space: UInt32 = 0x20, dot: UInt32 = 0x2E, comma: UInt32 = 0x2C, dash: UInt32 = 0x2D
        @inline(__always) func isDigit(_ v: UInt32) -> Bool { v >= 0x30 && v <= 0x39 }

        // Rule 1 pads every symbol with spaces (the line itself is padded first).
        var r1: [UInt32] = [space]
        r1.reserveCapacity(line.count * 2 + 2)
        for v in line {
            if isSeparatedSymbol(v) { r1.append(space); r1.append(v); r1.append(space) } else { r1.append(v) }
        }
        r1.append(contentsOf: [space, space, space]) // the trailing pad space, itself a symbol

        // Rules 2-4 are regex substitutions whose matches are two characters long and do not
        // overlap: scan left to right, and after a match continue behind both characters.
        var r2: [UInt32] = []
        r2.reserveCapacity(r1.count + 16)
        var i = 0
        while i < r1.count {
            if i + 1 < r1.count, !isDigit(r1[i]), r1[i + 1] == dot || r1[i + 1] == comma {
                r2.append(r1[i]); r2.append(space); r2.append(r1[i + 1]); r2.append(space)
                i += 2
            } else { r2.append(r1[i]); i += 1 }
        }
        var r3: [UInt32] = []
        r3.reserveCapacity(r2.count + 16)
        i = 0
        while i < r2.count {
            if i + 1 < r2.count, r2[i] == dot || r2[i] == comma, !isDigit(r2[i + 1]) {
                r3.append(space); r3.append(r2[i]); r3.append(r2[i + 1])
                i += 2
            } else { r3.append(r2[i]); i += 1 }
        }
        var r4: [UInt32] = []
        r4.reserveCapacity(r3.count + 16)
        i = 0
        while i < r3.count {
            if i + 1 < r3.count, isDigit(r3[i]), r3[i + 1] == dash {
                r4.append(r3[i]); r4.append(space); r4.append(dash); r4.append(space)
                i += 2
            } else { r4.append(r3[i]); i += 1 }
        }
        return r4
    }
}

/// Computes BLEU segment statistics, keeping its token ids across calls so a corpus interns
/// each distinct word once.
public struct BLEUScorer {
    private var interner = TokenInterner()
    // Reused from segment to segment by the single-reference path.
    private var grams = GramCounter()
    private var local: [ArraySlice<UInt32>: UInt64] = [:]
    public init() {}

    mutating func ids(_ text: String) -> [UInt32] {
        let tokens = BLEU.tokenize13a(Array(PythonText.rstrip(PythonText.scalars(text))))
        return PythonText.split(tokens).map { interner.id($0) }
    }

    static func ngrams(_ ids: [UInt32]) -> [NGramKey: Int] {
        var counts: [NGramKey: Int] = [:]
        counts.reserveCapacity(ids.count * BLEU.maxOrder)
        for n in 1...BLEU.maxOrder where ids.count >= n {
            for i in 0...(ids.count - n) { counts[NGramKey(ids[i..<(i + n)]), default: 0] += 1 }
        }
        return counts
    }

    /// One segment against its references: n-gram counts clipped by the maximum count over
    /// the references, and the closest reference length (the shorter one on a tie).
    public mutating func statistics(_ hypothesis: String, references: [String]) -> BLEU.Statistics {
        if references.count == 1, let s = singleReference(hypothesis, references[0]) { return s }
        return multipleReferences(hypothesis, references: references)
    }

    /// One reference, where clipping is Σ min(hypothesis count, reference count): tokens get
    /// dense ids for this segment only, four of them pack into one key below a tag for the
    /// order, and one open-addressing table counts them. Nil when the ids would not fit
    /// (over 32,767 distinct tokens in one segment).
    mutating func singleReference(_ hypothesis: String, _ reference: String) -> BLEU.Statistics? {
        local.removeAll(keepingCapacity: true)
        func ids(_ text: String) -> [UInt64] {
            let tokens = BLEU.tokenize13a(Array(PythonText.rstrip(PythonText.scalars(text))))
            return PythonText.split(tokens).map { t in
                if let id = local[t] { return id }
                let id = UInt64(local.count + 1)
                local[t] = id
                return id
            }
        }
        let ref = ids(reference), hyp = ids(hypothesis)
        let bits = UInt64(Swift.max(1, 64 - UInt64(local.count).leadingZeroBitCount))
        guard bits * UInt64(BLEU.maxOrder) <= 60 else { return nil }
        var grams = self.grams
        self.grams = GramCounter()
        defer { self.grams = grams }
        grams.reset(capacity: BLEU.maxOrder * ref.count)
        func each(_ ids: [UInt64], _ body: (UInt64, Int) -> Void) {
            for n in 1...BLEU.maxOrder where ids.count >= n {
                for i in 0...(ids.count - n) {
                    var key = UInt64(n) << 60
                    for k in 0..<n { key |= ids[i + k] << (bits * UInt64(k)) }
                    body(key, n)
                }
            }
        }
        var s = BLEU.Statistics()
        s.hypothesisLength = hyp.count
        s.referenceLength = ref.count
        each(ref) { key, _ in grams.add(key) }
        each(hyp) { key, n in
            s.totals[n - 1] += 1
            if grams.take(key) { s.matches[n - 1] += 1 }
        }
        return s
    }

    /// Any number of references: n-gram counts clipped by the maximum over the references.
    mutating func multipleReferences(_ hypothesis: String, references: [String]) -> BLEU.Statistics {
        var refCounts: [NGramKey: Int] = [:]
        var refLengths: [Int] = []
        for (k, reference) in references.enumerated() {
            let ids = self.ids(reference)
            refLengths.append(ids.count)
            let counts = Self.ngrams(ids)
            if k == 0 { refCounts = counts } else {
                for (g, c) in counts where c > refCounts[g, default: 0] { refCounts[g] = c }
            }
        }
        let hyp = ids(hypothesis)
        var s = BLEU.Statistics()
        s.hypothesisLength = hyp.count
        var closestDiff = -1, closest = -1
        for r in refLengths {
            let diff = abs(hyp.count - r)
            if closestDiff == -1 || diff < closestDiff { closestDiff = diff; closest = r }
            else if diff == closestDiff && r < closest { closest = r }
        }
        s.referenceLength = max(closest, 0)
        for (g, c) in Self.ngrams(hyp) {
            let n = g.b != 0 ? ((g.b & 0xFFFF_FFFF) != 0 ? 4 : 3) : ((g.a & 0xFFFF_FFFF) != 0 ? 2 : 1)
            s.totals[n - 1] += c
            if let r = refCounts[g] { s.matches[n - 1] += min(c, r) }
        }
        return s
    }
}
