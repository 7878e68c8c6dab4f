/// Exact match and token F1 as the official SQuAD v1.1 evaluation script defines them.
///
/// Normalisation is four steps in a fixed order: Python `str.lower()`; drop the 32 ASCII
/// punctuation characters (so `’`, `。`, `«` stay); replace the words `a`, `an`, `the` (between
/// Unicode word boundaries) with a space; collapse whitespace. v1.1 gives F1 = 0 when both sides
/// normalise to nothing (EM is 1 there); later versions of the script changed that, we do not.
public enum SQuAD {
    public static func normalize(_ text: String) -> String {
        PythonText.string(normalizedScalars(PythonText.scalars(text)))
    }

    static func normalizedScalars(_ text: [UInt32]) -> [UInt32] {
        let lowered = PythonText.lower(text)
        let noPunct = lowered.filter { !PythonText.isASCIIPunctuation($0) }
        let noArticles = removeArticles(noPunct)
        var out: [UInt32] = []
        out.reserveCapacity(noArticles.count)
        for (i, word) in PythonText.split(noArticles).enumerated() {
            if i > 0 { out.append(0x20) }
            out.append(contentsOf: word)
        }
        return out
    }

    /// `re.sub(r'\b(a|an|the)\b', ' ', text)`: boundaries are judged on the input text, and
    /// the alternatives are tried in order (`a` before `an`).
    static func removeArticles(_ t: [UInt32]) -> [UInt32] {
        let a: UInt32 = 0x61, n: UInt32 = 0x6E, th: UInt32 = 0x74, h: UInt32 = 0x68, e: UInt32 = 0x65
        func boundaryAfter(_ j: Int) -> Bool { j == t.count || !PythonText.isWord(t[j]) }
        var out: [UInt32] = []
        out.reserveCapacity(t.count)
        var i = 0
        while i < t.count {
            let atStart = i == 0 || !PythonText.isWord(t[i - 1])
            if atStart {
                var length = 0
                if t[i] == a {
                    if boundaryAfter(i + 1) { length = 1 }
                    else if i + 1 < t.count && t[i + 1] == n && boundaryAfter(i + 2) { length = 2 }
                } else if t[i] == th, i + 2 < t.count, t[i + 1] == h, t[i + 2] == e, boundaryAfter(i + 3) {
                    length = 3
                }
                if length > 0 {
                    out.append(0x20)
                    i += length
                    continue
                }
            }
            out.append(t[i])
            i += 1
        }
        return out
    }

    /// Normalised strings equal, code point by code point.
    public static func exactMatch(_ prediction: String, _ reference: String) -> Bool {
        normalizedScalars(PythonText.scalars(prediction)) == normalizedScalars(PythonText.scalars(reference))
    }

    /// Token F1 over whitespace-split normalised strings, with multiset overlap.
    public static func f1(_ prediction: String, _ reference: String) -> Double {
        let p = normalizedScalars(PythonText.scalars(prediction))
        let r = normalizedScalars(PythonText.scalars(reference))
        let predTokens = PythonText.split(p).map { Array($0) }
        let refTokens = PythonText.split(r).map { Array($0) }
        var refCounts: [[UInt32]: Int] = [:]
        for t in refTokens { refCounts[t, default: 0] += 1 }
        var same = 0
        for t in predTokens {
            if let c = refCounts[t], c > 0 {
                same += 1
                refCounts[t] = c - 1
            }
        }
        if same == 0 { return 0 }
        let precision = 1.0 * Double(same) / Double(predTokens.count)
        let recall = 1.0 * Double(same) / Double(refTokens.count)
        return (2 * precision * recall) / (precision + recall)
    }

    /// The script's `metric_max_over_ground_truths`.
    public static func exactMatch(_ prediction: String, references: [String]) -> Bool {
        references.contains { exactMatch(prediction, $0) }
    }

    public static func f1(_ prediction: String, references: [String]) -> Double {
        references.map { f1(prediction, $0) }.max() ?? 0
    }
}

/// Exact match without normalisation: the strings are the same code points.
public enum ExactMatch {
    public static func matches(_ prediction: String, references: [String]) -> Bool {
        references.contains { $0.unicodeScalars.elementsEqual(prediction.unicodeScalars) }
    }
}
