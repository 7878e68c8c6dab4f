import Foundation

/// Distinct tokens stored once as UTF-8 bytes, each with a small id (1, 2, 3, … in order of
/// first appearance). Byte equality is code-point equality, so ids compare exactly as Python
/// compares the token strings. Open addressing with linear probing over the ids, grown at half
/// load; the tokens themselves live back to back in one byte array.
struct ByteInterner {
    private var bytes: [UInt8] = []
    /// `ends[id]` is where token `id` ends in `bytes`; it starts at `ends[id - 1]`.
    private var ends: [Int32] = [0]
    private var hashes: [UInt32] = [0]
    private var slots = [UInt32](repeating: 0, count: 64)

    var count: Int { ends.count - 1 }

    func token(_ id: UInt32) -> ArraySlice<UInt8> { bytes[Int(ends[Int(id) - 1])..<Int(ends[Int(id)])] }

    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return UInt32(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> 32)
    }

    mutating func id(_ p: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let h = Self.hash(p)
        let mask = slots.count - 1
        var i = Int(h) & mask
        while true {
            let id = slots[i]
            if id == 0 { break }
            if hashes[Int(id)] == h && equals(id, p) { return id }
            i = (i + 1) & mask
        }
        bytes.append(contentsOf: p)
        ends.append(Int32(bytes.count))
        hashes.append(h)
        let id = UInt32(count)
        slots[i] = id
        if 2 * count > slots.count { grow() }
        return id
    }

    mutating func id(_ token: [UInt8]) -> UInt32 { token.withUnsafeBufferPointer { id($0) } }

    @inline(__always)
    private func equals(_ id: UInt32, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(ends[Int(id) - 1]), end = Int(ends[Int(id)])
        guard end - start == p.count else { return false }
        return bytes.withUnsafeBufferPointer { b in
            p.isEmpty || memcmp(b.baseAddress! + start, p.baseAddress!, p.count) == 0
        }
    }

    private mutating func grow() {
        slots = [UInt32](repeating: 0, count: 2 * slots.count)
        let mask = slots.count - 1
        for id in 1...count {
            var i = Int(hashes[id]) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = UInt32(id)
        }
    }
}

/// The token ids of texts as one ROUGE tokenizer sees them, kept for a whole corpus: each
/// distinct token is interned once, and with the stemmer each distinct token is stemmed once
/// (a corpus repeats the same few thousand words, so stemming per occurrence was most of the
/// work). Ids of stemmed tokens are the ids of their stems, so equal stems compare equal.
struct RougeVocabulary {
    let tokenizer: Rouge.Tokenizer
    let stemmer: Bool
    private(set) var interner = ByteInterner()
    /// Raw token id → id of the token scored (its stem, or itself); 0 until first needed.
    private var scored: [UInt32] = [0]
    private var piece: [UInt8] = []

    init(tokenizer: Rouge.Tokenizer, stemmer: Bool) {
        self.tokenizer = tokenizer
        self.stemmer = stemmer
    }

    /// 0 for bytes that end a token, else the byte as it appears in a token: `[a-z0-9]`
    /// after ASCII lowercasing.
    static let asciiToken: [UInt8] = (0..<128).map { b in
        switch UInt8(b) {
        case 0x30...0x39, 0x61...0x7A: UInt8(b)
        case 0x41...0x5A: UInt8(b) + 32
        default: 0
        }
    }

    /// Appends the ids of `text`'s tokens to `ids` (emptied first) and, in `breaks`, the number
    /// of tokens before each "\n" (tokens never span one, so these split the text into the
    /// lines ROUGE-Lsum treats as sentences).
    mutating func tokenize(_ text: String, ids: inout [UInt32], breaks: inout [Int32]) {
        ids.removeAll(keepingCapacity: true)
        breaks.removeAll(keepingCapacity: true)
        var text = text
        let done = text.withUTF8 { buf -> Bool in
            if tokenizer == .unicode && !buf.allSatisfy({ $0 < 0x80 }) { return false }
            asciiTokens(buf, ids: &ids, breaks: &breaks)
            return true
        }
        if !done { unicodeTokens(text, ids: &ids, breaks: &breaks) }
        if stemmer { for k in ids.indices { ids[k] = scoredID(ids[k]) } }
    }

    /// rouge-score's tokenizer straight from UTF-8: Python's `lower()` followed by `[a-z0-9]+`
    /// runs. Other code points never lowercase into those characters except U+0130 (→ "i" and
    /// a combining dot, which ends the token) and the Kelvin sign U+212A (→ "k"). The unicode
    /// tokenizer gives the same tokens for pure ASCII text.
    private mutating func asciiTokens(_ buf: UnsafeBufferPointer<UInt8>, ids: inout [UInt32], breaks: inout [Int32]) {
        var start = 0, length = 0
        var copied = false
        let n = buf.count
        Self.asciiToken.withUnsafeBufferPointer { table in
            // A token is taken from the text in place when it needs no change, else copied
            // into `piece` with the change applied.
            func flush() {
                if copied {
                    ids.append(interner.id(piece))
                    piece.removeAll(keepingCapacity: true)
                    copied = false
                } else if length > 0 {
                    ids.append(interner.id(UnsafeBufferPointer(rebasing: buf[start..<(start + length)])))
                }
                length = 0
            }
            func copyOut(_ extra: UInt8) {
                if !copied {
                    piece.append(contentsOf: buf[start..<(start + length)])
                    copied = true
                }
                piece.append(extra)
            }
            var i = 0
            while i < n {
                let b = buf[i]
                if b < 0x80 {
                    let c = table[Int(b)]
                    if c == 0 {
                        flush()
                        if b == 0x0A { breaks.append(Int32(ids.count)) }
                    } else if copied || c != b {
                        copyOut(c)
                    } else {
                        if length == 0 { start = i }
                        length += 1
                    }
                    i += 1
                } else if b == 0xC4 && i + 1 < n && buf[i + 1] == 0xB0 {
                    copyOut(0x69)
                    flush()
                    i += 2
                } else if b == 0xE2 && i + 2 < n && buf[i + 1] == 0x84 && buf[i + 2] == 0xAA {
                    copyOut(0x6B)
                    i += 3
                } else {
                    flush()
                    i += 1
                }
            }
            flush()
        }
    }

    /// ftsh's Unicode tokenizer for text with non-ASCII characters: NFC (skipped when every
    /// code point is one NFC leaves alone whatever surrounds it), Python's `lower()`, then runs
    /// of letters, marks and numbers.
    private mutating func unicodeTokens(_ text: String, ids: inout [UInt32], breaks: inout [Int32]) {
        var scalars = PythonText.scalars(text)
        if !scalars.allSatisfy(Rouge.isNFCInert) {
            scalars = PythonText.scalars(text.precomposedStringWithCanonicalMapping)
        }
        piece.removeAll(keepingCapacity: true)
        func flush() {
            guard !piece.isEmpty else { return }
            ids.append(interner.id(piece))
            piece.removeAll(keepingCapacity: true)
        }
        for v in PythonText.lower(scalars) {
            if Rouge.isUnicodeTokenScalar(v) {
                if v < 0x80 { piece.append(UInt8(v)) } else { UTF8.encode(Unicode.Scalar(v)!) { piece.append($0) } }
            } else {
                flush()
                if v == 0x0A { breaks.append(Int32(ids.count)) }
            }
        }
        flush()
    }

    /// The id scored for a raw token: rouge-score stems tokens of more than three characters;
    /// the unicode tokenizer only those that are also all ASCII letters.
    @inline(__always)
    private mutating func scoredID(_ raw: UInt32) -> UInt32 {
        if Int(raw) < scored.count, scored[Int(raw)] != 0 { return scored[Int(raw)] }
        if scored.count <= Int(raw) { scored.append(contentsOf: repeatElement(0, count: interner.count + 1 - scored.count)) }
        let word = Array(interner.token(raw))
        var id = raw
        if word.count > 3 && (tokenizer == .rougeScore || word.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A })) {
            id = interner.id(PorterStemmer.stem(word))
        }
        scored[Int(raw)] = id
        return id
    }

    func string(_ id: UInt32) -> String { String(decoding: interner.token(id), as: UTF8.self) }
}
