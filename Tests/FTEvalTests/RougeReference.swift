import Foundation
@testable import FTEval

/// ROUGE written the plain way, step for step as rouge-score does it: per text, Python's
/// `lower()` on the code points, `[a-z0-9]+` runs (or ftsh's Unicode runs after a full NFC),
/// the Porter stemmer on every occurrence, n-grams counted in dictionaries of code-point
/// arrays, full LCS tables, ROUGE-Lsum on the text split at "\n" first. The fast scorer
/// (UTF-8 bytes, interned ids, cached stems, reused buffers) must agree with it exactly.
enum RougeReference {
    typealias Token = [UInt32]

    static func tokens(_ text: String, tokenizer: Rouge.Tokenizer, stemmer: Bool) -> [Token] {
        let source = tokenizer == .unicode ? text.precomposedStringWithCanonicalMapping : text
        var out: [Token] = [], current: Token = []
        func flush() {
            guard !current.isEmpty else { return }
            let letters = current.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
            if stemmer && current.count > 3 && (tokenizer == .rougeScore || letters) {
                out.append(PorterStemmer.stem(current.map { UInt8($0) }).map { UInt32($0) })
            } else {
                out.append(current)
            }
            current = []
        }
        for v in PythonText.lower(PythonText.scalars(source)) {
            let inToken = tokenizer == .unicode ? Rouge.isUnicodeTokenScalar(v)
                : (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39)
            if inToken { current.append(v) } else { flush() }
        }
        flush()
        return out
    }

    static func ngramScore(_ ref: [Token], _ pred: [Token], n: Int) -> Rouge.Score {
        func grams(_ t: [Token]) -> [[Token]: Int] {
            var c: [[Token]: Int] = [:]
            if t.count >= n { for i in 0...(t.count - n) { c[Array(t[i..<(i + n)]), default: 0] += 1 } }
            return c
        }
        let r = grams(ref), p = grams(pred)
        var overlap = 0
        for (g, c) in r { if let pc = p[g] { overlap += min(c, pc) } }
        let refCount = r.values.reduce(0, +), predCount = p.values.reduce(0, +)
        return Rouge.Score(precision: Double(overlap) / Double(max(predCount, 1)),
                           recall: Double(overlap) / Double(max(refCount, 1)))
    }

    static func lcsTable(_ ref: [Token], _ can: [Token]) -> [[Int]] {
        var t = [[Int]](repeating: [Int](repeating: 0, count: can.count + 1), count: ref.count + 1)
        for i in stride(from: 1, through: ref.count, by: 1) {
            for j in stride(from: 1, through: can.count, by: 1) {
                t[i][j] = ref[i - 1] == can[j - 1] ? t[i - 1][j - 1] + 1 : max(t[i - 1][j], t[i][j - 1])
            }
        }
        return t
    }

    static func lcsScore(_ ref: [Token], _ pred: [Token]) -> Rouge.Score {
        if ref.isEmpty || pred.isEmpty { return .zero }
        let l = Double(lcsTable(ref, pred)[ref.count][pred.count])
        return Rouge.Score(precision: l / Double(pred.count), recall: l / Double(ref.count))
    }

    static func lcsIndices(_ ref: [Token], _ can: [Token]) -> Set<Int> {
        let t = lcsTable(ref, can)
        var i = ref.count, j = can.count, out = Set<Int>()
        while i > 0 && j > 0 {
            if ref[i - 1] == can[j - 1] { out.insert(i - 1); i -= 1; j -= 1 }
            else if t[i][j - 1] > t[i - 1][j] { j -= 1 }
            else { i -= 1 }
        }
        return out
    }

    static func lsumScore(_ refSents: [[Token]], _ canSents: [[Token]]) -> Rouge.Score {
        if refSents.isEmpty || canSents.isEmpty { return .zero }
        let m = refSents.reduce(0) { $0 + $1.count }, n = canSents.reduce(0) { $0 + $1.count }
        if m == 0 || n == 0 { return .zero }
        var refCounts: [Token: Int] = [:], canCounts: [Token: Int] = [:]
        for s in refSents { for t in s { refCounts[t, default: 0] += 1 } }
        for s in canSents { for t in s { canCounts[t, default: 0] += 1 } }
        var hits = 0
        for r in refSents {
            var union = Set<Int>()
            for c in canSents { union.formUnion(lcsIndices(r, c)) }
            for i in union.sorted() {
                let t = r[i]
                if canCounts[t, default: 0] > 0 && refCounts[t, default: 0] > 0 {
                    hits += 1
                    canCounts[t]! -= 1
                    refCounts[t]! -= 1
                }
            }
        }
        return Rouge.Score(precision: Double(hits) / Double(n), recall: Double(hits) / Double(m))
    }

    static func score(_ prediction: String, references: [String], tokenizer: Rouge.Tokenizer,
                      stemmer: Bool) -> [Rouge.Kind: Rouge.Score] {
        func sentences(_ text: String) -> [[Token]] {
            text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: true)
                .map { tokens(String(String.UnicodeScalarView($0)), tokenizer: tokenizer, stemmer: stemmer) }
        }
        let pred = tokens(prediction, tokenizer: tokenizer, stemmer: stemmer), predSents = sentences(prediction)
        var best: [Rouge.Kind: Rouge.Score] = [:]
        for reference in references {
            let ref = tokens(reference, tokenizer: tokenizer, stemmer: stemmer)
            for kind in Rouge.Kind.allCases {
                let s: Rouge.Score
                switch kind {
                case .rouge1: s = ngramScore(ref, pred, n: 1)
                case .rouge2: s = ngramScore(ref, pred, n: 2)
                case .rougeL: s = lcsScore(ref, pred)
                case .rougeLsum: s = lsumScore(sentences(reference), predSents)
                }
                if let b = best[kind], b.fmeasure >= s.fmeasure { continue }
                best[kind] = s
            }
        }
        return best
    }
}
