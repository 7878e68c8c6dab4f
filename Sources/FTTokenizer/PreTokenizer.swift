/// The pre-tokenization patterns ftsh implements, each as a hand-written scanner over UTF-8
/// bytes that gives exactly the pieces tiktoken's regex `find_iter` gives (the first matching
/// alternative wins, with the regex's backtracking and possessive rules).
public enum PreTokenizer: String, Sendable, CaseIterable {
    /// cl100k_base:
    /// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
    case cl100k
    /// o200k_base: case-aware words with attached contractions, 1-3 digit numbers, punctuation
    /// runs that keep trailing newlines and `/`, then the whitespace rules.
    case o200k
    /// GPT-2 / r50k_base:
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case r50k

    /// The pieces of `text`, as strings (for display and tests; encoding never builds them).
    public func pieces(_ text: String) -> [String] {
        var text = text
        return text.withUTF8 { buf -> [String] in
            guard let base = buf.baseAddress, buf.count > 0 else { return [] }
            let scanner = PieceScanner(base, buf.count)
            var out: [String] = []
            var i = 0
            while i < buf.count {
                let e = scanner.pieceEnd(self, i)
                out.append(String(decoding: UnsafeBufferPointer(start: base + i, count: e - i), as: UTF8.self))
                i = e
            }
            return out
        }
    }
}

/// Walks valid UTF-8 (Swift strings always are) and finds where the piece starting at a byte
/// offset ends.
struct PieceScanner {
    let p: UnsafePointer<UInt8>
    let n: Int
    let ascii: UnsafePointer<UInt8>
    let table: ScalarClassTable

    init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        self.p = p
        self.n = n
        table = ScalarClassTable.shared
        ascii = table.asciiFlags
    }

    @inline(__always)
    func pieceEnd(_ kind: PreTokenizer, _ i: Int) -> Int {
        switch kind {
        case .cl100k: return cl100kEnd(i)
        case .o200k: return o200kEnd(i)
        case .r50k: return r50kEnd(i)
        }
    }

    /// Class flags and byte length of the scalar at `i` (`i < n`).
    @inline(__always)
    func scalar(_ i: Int) -> (flags: UInt8, length: Int) {
        let b0 = p[i]
        if b0 < 0x80 { return (ascii[Int(b0)], 1) }
        var v: UInt32
        var len: Int
        if b0 < 0xE0 {
            v = UInt32(b0 & 0x1F); len = 2
        } else if b0 < 0xF0 {
            v = UInt32(b0 & 0x0F); len = 3
        } else {
            v = UInt32(b0 & 0x07); len = 4
        }
        if i + len > n { return (0, n - i) }  // cannot happen for a Swift String
        var k = 1
        while k < len { v = v << 6 | UInt32(p[i + k] & 0x3F); k += 1 }
        return (table.flags(v), len)
    }

    /// Length of a contraction (`'s 't 're 've 'm 'll 'd`, any case, including `ſ` for s as the
    /// regex's case folding allows) starting at `i` with the apostrophe, or 0.
    @inline(__always)
    func contraction(_ i: Int, caseInsensitive: Bool = true) -> Int {
        guard i + 1 < n, p[i] == 0x27 else { return 0 }
        let fold: UInt8 = caseInsensitive ? 0x20 : 0
        let c = p[i + 1] | fold
        switch c {
        case 0x73, 0x74, 0x6D, 0x64: return 2                   // s t m d
        case 0x6C, 0x76, 0x72:                                   // l(l) v(e) r(e)
            guard i + 2 < n else { return 0 }
            let d = p[i + 2] | fold
            if c == 0x6C { return d == 0x6C ? 3 : 0 }
            return d == 0x65 ? 3 : 0
        case 0xC5 | 0x20:                                        // ſ is C5 BF
            return caseInsensitive && p[i + 1] == 0xC5 && i + 2 < n && p[i + 2] == 0xBF ? 3 : 0
        default: return 0
        }
    }

    @inline(__always)
    func run(from i: Int, while mask: UInt8) -> Int {
        var j = i
        while j < n {
            let b = p[j]
            if b < 0x80 {
                if ascii[Int(b)] & mask == 0 { break }
                j += 1
            } else {
                let (f, l) = scalar(j)
                if f & mask == 0 { break }
                j += l
            }
        }
        return j
    }

    /// The whitespace run at `i`: its end, the end of its last CR/LF (or -1), and where its last
    /// scalar starts.
    @inline(__always)
    func spaceRun(_ i: Int) -> (end: Int, newlineEnd: Int, lastStart: Int) {
        var j = i
        var nl = -1
        var last = i
        while j < n {
            let (f, l) = scalar(j)
            if f & ScalarClass.space == 0 { break }
            if f & ScalarClass.newline != 0 { nl = j + 1 }
            last = j
            j += l
        }
        return (j, nl, last)
    }

    static let notPunct = ScalarClass.letter | ScalarClass.number | ScalarClass.space

    // MARK: cl100k

    func cl100kEnd(_ i: Int) -> Int {
        let (f0, l0) = scalar(i)
        if p[i] == 0x27 {
            let c = contraction(i)
            if c > 0 { return i + c }
        }
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        if f0 & ScalarClass.letter != 0 { return run(from: i + l0, while: ScalarClass.letter) }
        if f0 & (ScalarClass.newline | ScalarClass.number) == 0 && i + l0 < n {
            let (f1, l1) = scalar(i + l0)
            if f1 & ScalarClass.letter != 0 { return run(from: i + l0 + l1, while: ScalarClass.letter) }
        }
        // \p{N}{1,3}+
        if f0 & ScalarClass.number != 0 { return digits(i + l0, left: 2) }
        // ` ?[^\s\p{L}\p{N}]++[\r\n]*+`
        if let e = punctuation(i, f0, l0) {
            return run(from: e, while: ScalarClass.newline)
        }
        // \s++$ | \s*[\r\n] | \s+(?!\S) | \s
        let (end, nl, last) = spaceRun(i)
        if end == n { return n }
        if nl >= 0 { return nl }
        if last > i { return last }
        return i + l0
    }

    @inline(__always)
    func digits(_ i: Int, left: Int) -> Int {
        var j = i
        var k = left
        while k > 0 && j < n {
            let (f, l) = scalar(j)
            if f & ScalarClass.number == 0 { break }
            j += l
            k -= 1
        }
        return j
    }

    /// ` ?[^\s\p{L}\p{N}]+`: the end of the punctuation run, or nil.
    @inline(__always)
    func punctuation(_ i: Int, _ f0: UInt8, _ l0: Int) -> Int? {
        var start = i
        if p[i] == 0x20 {
            guard i + 1 < n else { return nil }
            let (f1, _) = scalar(i + 1)
            if f1 & PieceScanner.notPunct != 0 { return nil }
            start = i + 1
        } else if f0 & PieceScanner.notPunct != 0 {
            return nil
        }
        var j = start
        while j < n {
            let (f, l) = scalar(j)
            if f & PieceScanner.notPunct != 0 { break }
            j += l
        }
        return j
    }

    // MARK: o200k

    func o200kEnd(_ i: Int) -> Int {
        let (f0, l0) = scalar(i)
        let prefixable = f0 & (ScalarClass.letter | ScalarClass.number | ScalarClass.newline) == 0
        let hasNext = i + l0 < n
        // Alternative 1: [prefix]? UPPER* LOWER+ contraction?
        if prefixable && hasNext, let e = o200kLowerWord(i + l0) { return e }
        if let e = o200kLowerWord(i) { return e }
        // Alternative 2: [prefix]? UPPER+ LOWER* contraction?
        if prefixable && hasNext, let e = o200kUpperWord(i + l0) { return e }
        if let e = o200kUpperWord(i) { return e }
        // \p{N}{1,3}
        if f0 & ScalarClass.number != 0 { return digits(i + l0, left: 2) }
        // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
        if let e = punctuation(i, f0, l0) {
            var j = e
            while j < n && (p[j] == 0x0A || p[j] == 0x0D || p[j] == 0x2F) { j += 1 }
            return j
        }
        // \s*[\r\n]+ | \s+(?!\S) | \s+
        let (end, nl, last) = spaceRun(i)
        if nl >= 0 { return nl }
        if end == n { return n }
        if last > i { return last }
        return end
    }

    @inline(__always)
    func o200kLowerWord(_ start: Int) -> Int? {
        // UPPER* is greedy: take the whole run, then LOWER+ must start right after it, or the
        // regex backs off to the last scalar of the run that is also LOWER (Lm, Lo or a mark).
        var j = start
        var lastBothEnd = -1
        while j < n {
            let (f, l) = scalar(j)
            if f & ScalarClass.upperish == 0 {
                if f & ScalarClass.lowerish != 0 {
                    let e = run(from: j + l, while: ScalarClass.lowerish)
                    return e + contraction(e)
                }
                break
            }
            if f & ScalarClass.lowerish != 0 { lastBothEnd = j + l }
            j += l
        }
        if lastBothEnd < 0 { return nil }
        return lastBothEnd + contraction(lastBothEnd)
    }

    @inline(__always)
    func o200kUpperWord(_ start: Int) -> Int? {
        guard start < n else { return nil }
        let (f, l) = scalar(start)
        if f & ScalarClass.upperish == 0 { return nil }
        let u = run(from: start + l, while: ScalarClass.upperish)
        let e = run(from: u, while: ScalarClass.lowerish)
        return e + contraction(e)
    }

    // MARK: r50k (GPT-2)

    func r50kEnd(_ i: Int) -> Int {
        let (f0, l0) = scalar(i)
        if p[i] == 0x27 {
            let c = contraction(i, caseInsensitive: false)
            if c > 0 { return i + c }
        }
        var start = i
        var f = f0
        var l = l0
        if p[i] == 0x20 && i + 1 < n {
            let (f1, l1) = scalar(i + 1)
            if f1 & (ScalarClass.letter | ScalarClass.number) != 0 || f1 & PieceScanner.notPunct == 0 {
                start = i + 1; f = f1; l = l1
            }
        }
        if f & ScalarClass.letter != 0 { return run(from: start + l, while: ScalarClass.letter) }
        if f & ScalarClass.number != 0 { return run(from: start + l, while: ScalarClass.number) }
        if f & PieceScanner.notPunct == 0 {
            var j = start + l
            while j < n {
                let (g, m) = scalar(j)
                if g & PieceScanner.notPunct != 0 { break }
                j += m
            }
            return j
        }
        let (end, _, last) = spaceRun(i)
        if end == n { return n }
        if last > i { return last }
        return i + l0
    }
}
