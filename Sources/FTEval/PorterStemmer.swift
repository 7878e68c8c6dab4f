/// The Porter stemmer (M. F. Porter, "An algorithm for suffix stripping", 1980) with the
/// departures NLTK's default mode makes, because rouge-score stems with NLTK's
/// `PorterStemmer()`:
/// - a few irregular forms map directly (`skies` → `sky`, `dying` → `die`, `news` stays);
/// - words of one or two letters are left alone;
/// - step 1a: four-letter `-ies` words become `-ie` (`dies` → `die`);
/// - step 1b: `-ied` becomes `-ie` in four-letter words and `-i` otherwise;
/// - step 1c: `y` → `i` only after a consonant that is not the whole stem (`happy` → `happi`,
///   `enjoy` and `by` stay);
/// - step 2: `-alli` is reduced first and the result re-enters step 2; `-bli` → `-ble`
///   (Porter's later revision), `-fulli` → `-ful`, and `-logi` → `-log` when the stem with its
///   `l` has a positive measure;
/// - the *o condition also holds for a two-letter vowel-consonant stem.
/// Each rule list stops at the first suffix that matches, whether or not its condition holds.
/// Works on lowercase ASCII words (rouge-score's tokens are `[a-z0-9]+`).
public enum PorterStemmer {
    public static func stem(_ word: String) -> String {
        String(decoding: stem(Array(word.utf8)), as: UTF8.self)
    }

    static let irregular: [String: String] = [
        "skies": "sky", "sky": "sky", "dying": "die", "lying": "lie", "tying": "tie", "news": "news",
        "innings": "inning", "inning": "inning", "outings": "outing", "outing": "outing",
        "cannings": "canning", "canning": "canning", "howe": "howe", "proceed": "proceed",
        "exceed": "exceed", "succeed": "succeed",
    ]

    public static func stem(_ word: [UInt8]) -> [UInt8] {
        if let form = irregular[String(decoding: word, as: UTF8.self)] { return Array(form.utf8) }
        if word.count <= 2 { return word }
        var w = word
        w = step1a(w)
        w = step1b(w)
        w = step1c(w)
        w = step2(w)
        w = step3(w)
        w = step4(w)
        w = step5a(w)
        w = step5b(w)
        return w
    }

    // MARK: conditions

    @inline(__always) static func isVowelLetter(_ c: UInt8) -> Bool {
        c == 0x61 || c == 0x65 || c == 0x69 || c == 0x6F || c == 0x75
    }

    /// A consonant is any letter but a e i o u, and `y` only when the letter before it is a
    /// vowel (or it starts the word). Computed left to right so a run of `y`s stays linear.
    static func consonants(_ w: ArraySlice<UInt8>) -> [Bool] {
        var flags: [Bool] = []
        flags.reserveCapacity(w.count)
        for (k, c) in w.enumerated() {
            if isVowelLetter(c) { flags.append(false) }
            else if c == 0x79 { flags.append(k == 0 ? true : !flags[k - 1]) }
            else { flags.append(true) }
        }
        return flags
    }

    static func isConsonant(_ w: ArraySlice<UInt8>, _ i: Int) -> Bool { consonants(w[w.startIndex...(w.startIndex + i)])[i] }

    /// m in [C](VC)^m[V]: the number of vowel-to-consonant transitions.
    static func measure(_ w: ArraySlice<UInt8>) -> Int {
        let f = consonants(w)
        var m = 0
        if f.count >= 2 { for k in 1..<f.count where !f[k - 1] && f[k] { m += 1 } }
        return m
    }

    static func containsVowel(_ w: ArraySlice<UInt8>) -> Bool { consonants(w).contains(false) }

    /// *d: ends with a double consonant.
    static func endsDoubleConsonant(_ w: ArraySlice<UInt8>) -> Bool {
        w.count >= 2 && w[w.endIndex - 1] == w[w.endIndex - 2] && consonants(w).last == true
    }

    /// *o: ends consonant-vowel-consonant with the last not w, x or y (or is a two-letter
    /// vowel-consonant word).
    static func endsCVC(_ w: ArraySlice<UInt8>) -> Bool {
        let f = consonants(w)
        let n = f.count
        if n >= 3 && f[n - 3] && !f[n - 2] && f[n - 1] {
            let last = w[w.endIndex - 1]
            if last != 0x77 && last != 0x78 && last != 0x79 { return true }
        }
        return n == 2 && !f[0] && f[1]
    }

    // MARK: rules

    enum Condition: Sendable { case none, measureAbove0, measureAbove1, custom(@Sendable (ArraySlice<UInt8>) -> Bool) }

    struct Rule: Sendable {
        var suffix: [UInt8]
        var replacement: [UInt8]
        var condition: Condition
        init(_ s: String, _ r: String, _ c: Condition) { suffix = Array(s.utf8); replacement = Array(r.utf8); condition = c }
    }

    static func holds(_ c: Condition, _ stem: ArraySlice<UInt8>) -> Bool {
        switch c {
        case .none: true
        case .measureAbove0: measure(stem) > 0
        case .measureAbove1: measure(stem) > 1
        case .custom(let f): f(stem)
        }
    }

    static func endsWith(_ w: [UInt8], _ s: [UInt8]) -> Bool { w.count >= s.count && w[(w.count - s.count)...].elementsEqual(s) }

    /// The first rule whose suffix matches decides: replaced if its condition holds, else the
    /// word is returned unchanged.
    static func apply(_ w: [UInt8], _ rules: [Rule]) -> [UInt8] {
        for rule in rules where endsWith(w, rule.suffix) {
            let stem = w[0..<(w.count - rule.suffix.count)]
            return holds(rule.condition, stem) ? Array(stem) + rule.replacement : w
        }
        return w
    }

    static func step1a(_ w: [UInt8]) -> [UInt8] {
        if w.count == 4 && endsWith(w, Array("ies".utf8)) { return Array(w[0..<1]) + Array("ie".utf8) }
        return apply(w, [Rule("sses", "ss", .none), Rule("ies", "i", .none), Rule("ss", "ss", .none), Rule("s", "", .none)])
    }

    static func step1b(_ w: [UInt8]) -> [UInt8] {
        if endsWith(w, Array("ied".utf8)) {
            return Array(w[0..<(w.count - 3)]) + Array((w.count == 4 ? "ie" : "i").utf8)
        }
        if endsWith(w, Array("eed".utf8)) {
            let stem = w[0..<(w.count - 3)]
            return measure(stem) > 0 ? Array(stem) + Array("ee".utf8) : w
        }
        var stem: [UInt8]? = nil
        for suffix in ["ed", "ing"] where endsWith(w, Array(suffix.utf8)) {
            let s = w[0..<(w.count - suffix.utf8.count)]
            if containsVowel(s) { stem = Array(s); break }
        }
        guard let s = stem else { return w }
        for (suffix, long) in [("at", "ate"), ("bl", "ble"), ("iz", "ize")] where endsWith(s, Array(suffix.utf8)) {
            return Array(s[0..<(s.count - 2)]) + Array(long.utf8)
        }
        let slice = s[...]
        if endsDoubleConsonant(slice) {
            let last = s[s.count - 1]
            // l, s and z keep their double letter (fall, hiss, fizz); nothing else applies then.
            return last == 0x6C || last == 0x73 || last == 0x7A ? s : Array(s[0..<(s.count - 1)])
        }
        if measure(slice) == 1 && endsCVC(slice) { return s + [0x65] }
        return s
    }

    static func step1c(_ w: [UInt8]) -> [UInt8] {
        apply(w, [Rule("y", "i", .custom { stem in stem.count > 1 && consonants(stem).last == true })])
    }

    static let step2Rules: [Rule] = [
        Rule("ational", "ate", .measureAbove0), Rule("tional", "tion", .measureAbove0),
        Rule("enci", "ence", .measureAbove0), Rule("anci", "ance", .measureAbove0),
        Rule("izer", "ize", .measureAbove0), Rule("bli", "ble", .measureAbove0),
        Rule("alli", "al", .measureAbove0), Rule("entli", "ent", .measureAbove0),
        Rule("eli", "e", .measureAbove0), Rule("ousli", "ous", .measureAbove0),
        Rule("ization", "ize", .measureAbove0), Rule("ation", "ate", .measureAbove0),
        Rule("ator", "ate", .measureAbove0), Rule("alism", "al", .measureAbove0),
        Rule("iveness", "ive", .measureAbove0), Rule("fulness", "ful", .measureAbove0),
        Rule("ousness", "ous", .measureAbove0), Rule("aliti", "al", .measureAbove0),
        Rule("iviti", "ive", .measureAbove0), Rule("biliti", "ble", .measureAbove0),
        Rule("fulli", "ful", .measureAbove0),
    ]

    static func step2(_ w: [UInt8]) -> [UInt8] {
        if endsWith(w, Array("alli".utf8)) && measure(w[0..<(w.count - 4)]) > 0 {
            return step2(Array(w[0..<(w.count - 4)]) + Array("al".utf8))
        }
        // `logi` → `log` judges the measure of the stem including the `l`.
        let logi = Rule("logi", "log", .custom { stem in measure(w[0..<(stem.count + 1)]) > 0 })
        return apply(w, step2Rules + [logi])
    }

    static let step3Rules: [Rule] = [
        Rule("icate", "ic", .measureAbove0), Rule("ative", "", .measureAbove0),
        Rule("alize", "al", .measureAbove0), Rule("iciti", "ic", .measureAbove0),
        Rule("ical", "ic", .measureAbove0), Rule("ful", "", .measureAbove0), Rule("ness", "", .measureAbove0),
    ]

    static func step3(_ w: [UInt8]) -> [UInt8] { apply(w, step3Rules) }

    static let step4Rules: [Rule] = [
        Rule("al", "", .measureAbove1), Rule("ance", "", .measureAbove1), Rule("ence", "", .measureAbove1),
        Rule("er", "", .measureAbove1), Rule("ic", "", .measureAbove1), Rule("able", "", .measureAbove1),
        Rule("ible", "", .measureAbove1), Rule("ant", "", .measureAbove1), Rule("ement", "", .measureAbove1),
        Rule("ment", "", .measureAbove1), Rule("ent", "", .measureAbove1),
        Rule("ion", "", .custom { stem in
            guard let last = stem.last, last == 0x73 || last == 0x74 else { return false }
            return measure(stem) > 1
        }),
        Rule("ou", "", .measureAbove1), Rule("ism", "", .measureAbove1), Rule("ate", "", .measureAbove1),
        Rule("iti", "", .measureAbove1), Rule("ous", "", .measureAbove1), Rule("ive", "", .measureAbove1),
        Rule("ize", "", .measureAbove1),
    ]

    static func step4(_ w: [UInt8]) -> [UInt8] { apply(w, step4Rules) }

    /// Both e-rules are tried: m > 1, or m = 1 without *o.
    static func step5a(_ w: [UInt8]) -> [UInt8] {
        guard w.last == 0x65 else { return w }
        let stem = w[0..<(w.count - 1)]
        let m = measure(stem)
        if m > 1 || (m == 1 && !endsCVC(stem)) { return Array(stem) }
        return w
    }

    static func step5b(_ w: [UInt8]) -> [UInt8] {
        if endsWith(w, Array("ll".utf8)) && measure(w[0..<(w.count - 1)]) > 1 { return Array(w[0..<(w.count - 1)]) }
        return w
    }
}
