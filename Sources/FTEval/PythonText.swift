/// Text primitives with the exact semantics of the Python calls the reference metrics are
/// defined by (`str.split()`, `str.rstrip()`, `str.lower()`, `re`'s Unicode `\w`).
///
/// Everything works on Unicode scalars, never on Swift `Character`s or `String` equality:
/// Python compares and indexes strings by code point, while Swift's `==` and hashing use
/// canonical equivalence (`"é" == "e\u{301}"` in Swift, not in Python), and grapheme clusters
/// would change n-gram boundaries.
public enum PythonText {
    /// `str.isspace()`: the characters `str.split()` and `str.strip()` treat as whitespace
    /// (category Zs or bidirectional class WS, B or S). Includes the ASCII separators
    /// U+001C–U+001F and U+0085; excludes U+200B.
    @inline(__always)
    public static func isSpace(_ v: UInt32) -> Bool {
        if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) || (v >= 0x1C && v <= 0x1F) }
        switch v {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// The code points of a string.
    @inline(__always)
    public static func scalars(_ s: String) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars { out.append(u.value) }
        return out
    }

    public static func string(_ scalars: some Sequence<UInt32>) -> String {
        var s = String.UnicodeScalarView()
        for v in scalars { if let u = Unicode.Scalar(v) { s.append(u) } }
        return String(s)
    }

    /// `str.split()` with no arguments: runs of whitespace separate, no empty pieces.
    public static func split(_ text: [UInt32]) -> [ArraySlice<UInt32>] {
        var pieces: [ArraySlice<UInt32>] = []
        var start = -1
        for i in text.indices {
            if isSpace(text[i]) {
                if start >= 0 { pieces.append(text[start..<i]); start = -1 }
            } else if start < 0 {
                start = i
            }
        }
        if start >= 0 { pieces.append(text[start..<text.count]) }
        return pieces
    }

    /// `str.rstrip()`.
    public static func rstrip(_ text: [UInt32]) -> ArraySlice<UInt32> {
        var end = text.count
        while end > 0 && isSpace(text[end - 1]) { end -= 1 }
        return text[0..<end]
    }

    /// `str.lower()`: the full lowercase mapping (one code point may become several, e.g.
    /// U+0130 → "i̇") with the Final_Sigma rule for U+03A3, which Python applies and Swift's
    /// `lowercased()` does not.
    public static func lower(_ text: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(text.count)
        for (i, v) in text.enumerated() {
            if v < 0x80 {
                out.append(v >= 0x41 && v <= 0x5A ? v + 32 : v)
                continue
            }
            if v == 0x3A3 {
                out.append(isFinalSigma(text, at: i) ? 0x3C2 : 0x3C3)
                continue
            }
            guard let u = Unicode.Scalar(v), u.properties.changesWhenLowercased else {
                out.append(v)
                continue
            }
            for m in u.properties.lowercaseMapping.unicodeScalars { out.append(m.value) }
        }
        return out
    }

    /// Σ is final when a cased letter precedes it and none follows, skipping case-ignorable
    /// characters on both sides (Unicode §3.13, as CPython implements it).
    static func isFinalSigma(_ text: [UInt32], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0, let u = Unicode.Scalar(text[j]), u.properties.isCaseIgnorable { j -= 1 }
        guard j >= 0, let before = Unicode.Scalar(text[j]), before.properties.isCased else { return false }
        var k = i + 1
        while k < text.count, let u = Unicode.Scalar(text[k]), u.properties.isCaseIgnorable { k += 1 }
        if k == text.count { return true }
        guard let after = Unicode.Scalar(text[k]) else { return true }
        return !after.properties.isCased
    }

    /// `re`'s Unicode `\w`: `str.isalnum()` (letters Lu/Ll/Lt/Lm/Lo or any numeric character)
    /// or `_`. Combining marks are not word characters.
    @inline(__always)
    public static func isWord(_ v: UInt32) -> Bool {
        if v < 0x80 {
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        guard let u = Unicode.Scalar(v) else { return false }
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return u.properties.numericType != nil
        }
    }

    /// `string.punctuation`: the 32 ASCII punctuation characters.
    @inline(__always)
    public static func isASCIIPunctuation(_ v: UInt32) -> Bool {
        (v >= 0x21 && v <= 0x2F) || (v >= 0x3A && v <= 0x40) || (v >= 0x5B && v <= 0x60) || (v >= 0x7B && v <= 0x7E)
    }

    /// `str.replace(old, new)`: non-overlapping, left to right.
    public static func replace(_ text: [UInt32], _ old: [UInt32], _ new: [UInt32]) -> [UInt32] {
        guard !old.isEmpty, text.count >= old.count else { return text }
        var out: [UInt32] = []
        out.reserveCapacity(text.count)
        var i = 0
        let first = old[0]
        while i < text.count {
            if text[i] == first && i + old.count <= text.count && text[i..<(i + old.count)].elementsEqual(old) {
                out.append(contentsOf: new)
                i += old.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    public static func contains(_ text: [UInt32], _ needle: [UInt32]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard text.count >= needle.count else { return false }
        for i in 0...(text.count - needle.count) where text[i] == needle[0] {
            if text[i..<(i + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}

/// Gives each distinct token (a code-point sequence) a small integer, so n-grams become
/// fixed-size integer keys that hash quickly and compare exactly by code point.
struct TokenInterner {
    private var ids: [[UInt32]: UInt32] = [:]
    private(set) var count: UInt32 = 0

    mutating func id(_ token: ArraySlice<UInt32>) -> UInt32 {
        let key = Array(token)
        if let id = ids[key] { return id }
        count += 1
        ids[key] = count
        return count
    }
}

/// An n-gram of up to four token ids (ids start at 1, so 0 marks an unused slot and n-grams
/// of different orders never collide).
struct NGramKey: Hashable {
    var a: UInt64
    var b: UInt64

    @inline(__always)
    init(_ ids: ArraySlice<UInt32>) {
        var a: UInt64 = 0, b: UInt64 = 0
        var k = 0
        for id in ids {
            switch k {
            case 0: a |= UInt64(id) << 32
            case 1: a |= UInt64(id)
            case 2: b |= UInt64(id) << 32
            default: b |= UInt64(id)
            }
            k += 1
        }
        self.a = a
        self.b = b
    }
}
