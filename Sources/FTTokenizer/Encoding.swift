import FTCore

/// What the engine, the data tools and the shell need from any tokenizer.
public protocol Tokenizer: Sendable {
    var name: String { get }
    func encode(_ text: String) -> [Int]
    func count(_ text: String) -> Int
    func decode(_ ids: [Int]) -> String
    func decodeBytes(_ ids: [Int]) -> [UInt8]
    func tokenBytes(_ id: Int) -> [UInt8]?
    var vocabularySize: Int { get }
}

/// A tiktoken-compatible byte-level BPE encoding (o200k_base, cl100k_base, or a vocabulary
/// trained by `BPETrainer`). Immutable after loading and safe to share between threads.
///
/// `encode` gives exactly tiktoken's `encode_ordinary`: special-token text such as
/// `<|endoftext|>` is encoded as ordinary text.
public final class Encoding: Tokenizer, Sendable {
    public let name: String
    public let pattern: PreTokenizer
    /// Special-token text → id (not produced by `encode`; see `encode(_:allowedSpecial:)`).
    public let specialTokens: [String: Int]
    let table: RankTable
    private let specialsByID: [Int: [UInt8]]

    /// Loads a rank file. Known names (o200k_base, cl100k_base) get their special tokens and a
    /// size check; other vocabularies get `specialTokens`.
    public convenience init(name: String, ranksFile path: String, pattern: PreTokenizer) throws(Diagnostic) {
        try self.init(name: name, ranksFile: path, pattern: pattern,
                      specialTokens: EncodingCatalog.known[name]?.specialTokens ?? [:])
    }

    public convenience init(name: String, ranksFile path: String, pattern: PreTokenizer,
                            specialTokens: [String: Int]) throws(Diagnostic) {
        let data = try RankFile.readBytes(path)
        let (tokens, ranks) = try RankFile.parse(data, file: path)
        try self.init(name: name, tokens: tokens, ranks: ranks, pattern: pattern,
                      specialTokens: specialTokens, source: path)
    }

    /// An encoding from tokens in rank order (token i has rank and id i), e.g. a trained vocabulary.
    public convenience init(name: String, tokensInRankOrder: [[UInt8]], pattern: PreTokenizer,
                            specialTokens: [String: Int] = [:]) throws(Diagnostic) {
        try self.init(name: name, tokens: tokensInRankOrder, ranks: Array(tokensInRankOrder.indices),
                      pattern: pattern, specialTokens: specialTokens, source: name)
    }

    init(name: String, tokens: [[UInt8]], ranks: [Int], pattern: PreTokenizer,
         specialTokens: [String: Int], source: String) throws(Diagnostic) {
        self.name = name
        self.pattern = pattern
        table = try RankTable(tokens: tokens, ranks: ranks, source: source)
        for b in 0..<256 where table.byteRanks[b] == RankTable.none {
            throw .error("\(source): byte \(b) has no token of its own, so some text could not be encoded",
                         id: "tokenizer.bad-rank-file")
        }
        if let expected = EncodingCatalog.known[name]?.rankCount, expected != table.count {
            throw .error("\(source): \(name) should have \(expected) ranks but the file has \(table.count)",
                         id: "tokenizer.bad-rank-file",
                         notes: ["the file may be truncated or belong to another encoding; run scripts/fetch-encodings"])
        }
        var byID: [Int: [UInt8]] = [:]
        for (text, id) in specialTokens {
            if id < table.rankLimit && table.tokenLength(id) > 0 {
                throw .error("\(source): special token \(text) reuses rank \(id)", id: "tokenizer.bad-rank-file")
            }
            byID[id] = Array(text.utf8)
        }
        self.specialTokens = specialTokens
        specialsByID = byID
    }

    /// Ranks plus special tokens: the size an embedding table needs (tiktoken's `n_vocab`).
    public var vocabularySize: Int { max(table.rankLimit, (specialTokens.values.max() ?? -1) + 1) }

    /// The number of ordinary (non-special) tokens.
    public var rankCount: Int { table.count }

    // MARK: Encoding

    public func encode(_ text: String) -> [Int] {
        var out: [Int] = []
        var text = text
        text.withUTF8 { buf in
            guard let base = buf.baseAddress, buf.count > 0 else { return }
            out.reserveCapacity(buf.count / 4 + 4)
            encodeOrdinary(base, buf.count) { out.append(Int($0)) }
        }
        return out
    }

    /// tiktoken's `encode_ordinary` on raw UTF-8 bytes (which must be valid UTF-8).
    public func encode(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return [] }
        var out: [Int] = []
        out.reserveCapacity(bytes.count / 4 + 4)
        encodeOrdinary(base, bytes.count) { out.append(Int($0)) }
        return out
    }

    public func count(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { buf in
            guard let base = buf.baseAddress, buf.count > 0 else { return 0 }
            return countOrdinary(base, buf.count)
        }
    }

    /// Token count of valid UTF-8 bytes, without building the token array.
    public func count(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return countOrdinary(base, bytes.count)
    }

    /// Like tiktoken's `encode(text, allowed_special=...)`: text of an allowed special token
    /// becomes its id; everything else is encoded ordinarily.
    public func encode(_ text: String, allowedSpecial: Set<String>) -> [Int] {
        let specials = allowedSpecial.compactMap { s in specialTokens[s].map { (Array(s.utf8), $0) } }
        if specials.isEmpty { return encode(text) }
        var out: [Int] = []
        var text = text
        text.withUTF8 { buf in
            guard let base = buf.baseAddress, buf.count > 0 else { return }
            let n = buf.count
            var from = 0
            var i = 0
            while i < n {
                var hit: (length: Int, id: Int)? = nil
                if base[i] == 0x3C {  // every special token starts with "<"
                    for (bytes, id) in specials where bytes.count <= n - i && bytes.count > (hit?.length ?? 0) {
                        if bytes.withUnsafeBufferPointer({ memcmpEqual($0.baseAddress!, base + i, $0.count) }) {
                            hit = (bytes.count, id)
                        }
                    }
                }
                if let h = hit {
                    if i > from { encodeOrdinary(base + from, i - from) { out.append(Int($0)) } }
                    out.append(h.id)
                    i += h.length
                    from = i
                } else {
                    i += 1
                }
            }
            if n > from { encodeOrdinary(base + from, n - from) { out.append(Int($0)) } }
        }
        return out
    }

    @inline(__always)
    private func encodeOrdinary(_ p: UnsafePointer<UInt8>, _ n: Int, _ emit: (UInt32) -> Void) {
        let scanner = PieceScanner(p, n)
        switch pattern {
        case .o200k: forEachPiece(scanner, n, { scanner.o200kEnd($0) }, emit)
        case .cl100k: forEachPiece(scanner, n, { scanner.cl100kEnd($0) }, emit)
        case .r50k: forEachPiece(scanner, n, { scanner.r50kEnd($0) }, emit)
        }
    }

    @inline(__always)
    private func forEachPiece(_ scanner: PieceScanner, _ n: Int, _ pieceEnd: (Int) -> Int,
                              _ emit: (UInt32) -> Void) {
        let p = scanner.p
        var i = 0
        while i < n {
            let e = pieceEnd(i)
            let r = table.lookup(p + i, e - i)
            if r != RankTable.none {
                emit(r)
            } else {
                table.mergePiece(p + i, e - i, emit)
            }
            i = e
        }
    }

    private func countOrdinary(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let scanner = PieceScanner(p, n)
        switch pattern {
        case .o200k: return countPieces(scanner, n) { scanner.o200kEnd($0) }
        case .cl100k: return countPieces(scanner, n) { scanner.cl100kEnd($0) }
        case .r50k: return countPieces(scanner, n) { scanner.r50kEnd($0) }
        }
    }

    @inline(__always)
    private func countPieces(_ scanner: PieceScanner, _ n: Int, _ pieceEnd: (Int) -> Int) -> Int {
        let p = scanner.p
        var total = 0
        var i = 0
        while i < n {
            let e = pieceEnd(i)
            if table.lookup(p + i, e - i) != RankTable.none {
                total += 1
            } else {
                total += table.mergeCount(p + i, e - i)
            }
            i = e
        }
        return total
    }

    // MARK: Decoding

    public func tokenBytes(_ id: Int) -> [UInt8]? {
        if let t = table.token(id) { return t }
        return specialsByID[id]
    }

    /// The bytes of the tokens, back to back; ids that are no token contribute nothing.
    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 4)
        for id in ids {
            if id >= 0 && id < table.rankLimit {
                let s = Int(table.offsets[id]), e = Int(table.offsets[id + 1])
                out.append(contentsOf: UnsafeBufferPointer(start: table.bytes + s, count: e - s))
            } else if let sp = specialsByID[id] {
                out.append(contentsOf: sp)
            }
        }
        return out
    }

    /// The text of the tokens; byte sequences that are not valid UTF-8 become U+FFFD.
    public func decode(_ ids: [Int]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }

    /// The id of a token given by its bytes, if the vocabulary has it.
    public func rank(of bytes: [UInt8]) -> Int? {
        guard !bytes.isEmpty else { return nil }
        let r = bytes.withUnsafeBufferPointer { table.lookup($0.baseAddress!, $0.count) }
        return r == RankTable.none ? nil : Int(r)
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    for i in 0..<n where a[i] != b[i] { return false }
    return true
}
