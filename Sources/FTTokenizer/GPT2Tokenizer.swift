import FTCore
import Foundation

/// A Hugging Face byte-level BPE tokenizer, as GPT-2 model folders ship it: `vocab.json` plus
/// `merges.txt`, or one `tokenizer.json`. Pre-tokenization is the GPT-2 pattern; merges apply
/// by pair priority (the merges file order), exactly as HF `tokenizers` does, and ids come from
/// the vocabulary.
public final class GPT2Tokenizer: Tokenizer, Sendable {
    public let name: String
    /// Added tokens (`<|endoftext|>` …): `encode` recognises their text before pre-tokenizing,
    /// as HF does; `encodeOrdinary` does not.
    public let addedTokens: [String: Int]
    private let idBytes: [[UInt8]]
    private let byteIDs: [Int]
    /// (left id << 32 | right id) → (merge priority << 32 | merged id)
    private let merges: [UInt64: UInt64]
    private let addedByLength: [([UInt8], Int)]

    /// The id of `<|endoftext|>`, GPT-2's end-of-text and padding token, if present.
    public var endOfTextID: Int? { addedTokens[EncodingCatalog.endOfText] ?? vocabularyID(EncodingCatalog.endOfText) }

    public var vocabularySize: Int { idBytes.count }

    /// Loads a folder: `tokenizer.json` when present, else `vocab.json` and `merges.txt`.
    public static func load(folder: String) throws(Diagnostic) -> GPT2Tokenizer {
        let fm = FileManager.default
        let json = folder + "/tokenizer.json"
        if fm.fileExists(atPath: json) { return try GPT2Tokenizer(tokenizerJSON: json) }
        return try GPT2Tokenizer(vocabFile: folder + "/vocab.json", mergesFile: folder + "/merges.txt")
    }

    public convenience init(vocabFile: String, mergesFile: String) throws(Diagnostic) {
        let vocabValue = try JSON.decode(bytes: try RankFile.readBytes(vocabFile), file: vocabFile)
        guard let record = vocabValue.recordValue else {
            throw .error("\(vocabFile): expected a JSON object of token → id", id: "tokenizer.bad-vocab")
        }
        var vocab: [(String, Int)] = []
        for (k, v) in record {
            guard let id = v.intValue, id >= 0 else {
                throw .error("\(vocabFile): token \(k.debugDescription) has no integer id", id: "tokenizer.bad-vocab")
            }
            vocab.append((k, id))
        }
        let text = String(decoding: try RankFile.readBytes(mergesFile), as: UTF8.self)
        var pairs: [(String, String)] = []
        var line = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            line += 1
            let l = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if l.isEmpty || (line == 1 && l.hasPrefix("#version")) { continue }
            let parts = l.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .error("expected two tokens separated by one space", id: "tokenizer.bad-merges",
                             at: SourceLocation(file: mergesFile, line: line, column: 1))
            }
            pairs.append((String(parts[0]), String(parts[1])))
        }
        // Without tokenizer.json, GPT-2 folders declare no added tokens; <|endoftext|> is their
        // end-of-text token by convention and HF treats it as special.
        let added = vocab.filter { $0.0 == EncodingCatalog.endOfText }
        try self.init(name: "gpt2", vocab: vocab, merges: pairs, added: added, source: vocabFile)
    }

    public convenience init(tokenizerJSON path: String) throws(Diagnostic) {
        let root = try JSON.decode(bytes: try RankFile.readBytes(path), file: path)
        func unsupported(_ what: String) -> Diagnostic {
            .error("\(path): \(what); only byte-level BPE (GPT-2 style) tokenizers are supported",
                   id: "tokenizer.unsupported")
        }
        guard let model = root["model"], model["type"]?.stringValue == "BPE" else { throw unsupported("model.type is not BPE") }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model[key], v != .null, v.stringValue != "" { throw unsupported("model.\(key) is set") }
        }
        guard Self.isByteLevel(root["pre_tokenizer"]) else { throw unsupported("the pre-tokenizer is not ByteLevel") }
        guard let vocabRecord = model["vocab"]?.recordValue else { throw unsupported("model.vocab is missing") }
        var vocab: [(String, Int)] = []
        for (k, v) in vocabRecord {
            guard let id = v.intValue, id >= 0 else { throw .error("\(path): bad id for \(k)", id: "tokenizer.bad-vocab") }
            vocab.append((k, id))
        }
        var pairs: [(String, String)] = []
        for (i, m) in (model["merges"]?.listValue ?? []).enumerated() {
            if let s = m.stringValue {
                let parts = s.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw .error("\(path): merge \(i) is not \"a b\"", id: "tokenizer.bad-merges") }
                pairs.append((String(parts[0]), String(parts[1])))
            } else if let l = m.listValue, l.count == 2, let a = l[0].stringValue, let b = l[1].stringValue {
                pairs.append((a, b))
            } else {
                throw .error("\(path): merge \(i) is neither \"a b\" nor [a, b]", id: "tokenizer.bad-merges")
            }
        }
        var added: [(String, Int)] = []
        for t in root["added_tokens"]?.listValue ?? [] {
            if let c = t["content"]?.stringValue, let id = t["id"]?.intValue { added.append((c, id)) }
        }
        try self.init(name: "gpt2", vocab: vocab, merges: pairs, added: added, source: path)
    }

    private static func isByteLevel(_ v: Value?) -> Bool {
        guard let v else { return false }
        if v["type"]?.stringValue == "ByteLevel" { return v["use_regex"]?.boolValue ?? true }
        if v["type"]?.stringValue == "Sequence" {
            return (v["pretokenizers"]?.listValue ?? []).contains { isByteLevel($0) }
        }
        return false
    }

    init(name: String, vocab: [(String, Int)], merges pairs: [(String, String)], added: [(String, Int)],
         source: String) throws(Diagnostic) {
        self.name = name
        let decodeMap = ByteLevel.unicodeToByte
        let size = max(vocab.map { $0.1 }.max() ?? -1, added.map { $0.1 }.max() ?? -1) + 1
        guard size <= 10_000_000 else { throw .error("\(source): ids up to \(size) are implausible", id: "tokenizer.bad-vocab") }
        var bytes = [[UInt8]](repeating: [], count: size)
        var ids: [String: Int] = [:]
        for (token, id) in vocab {
            var b: [UInt8] = []
            for s in token.unicodeScalars {
                guard let byte = decodeMap[s] else {
                    throw .error("\(source): token \(token.debugDescription) is not byte-level encoded",
                                 id: "tokenizer.unsupported")
                }
                b.append(byte)
            }
            bytes[id] = b
            ids[token] = id
        }
        var single = [Int](repeating: -1, count: 256)
        for b in 0..<256 {
            guard let id = ids[String(ByteLevel.byteToUnicode[b])] else {
                throw .error("\(source): byte \(b) has no token of its own", id: "tokenizer.bad-vocab")
            }
            single[b] = id
        }
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(pairs.count)
        for (rank, (a, b)) in pairs.enumerated() {
            guard let l = ids[a], let r = ids[b] else {
                throw .error("\(source): merge \(rank + 1) uses a token missing from the vocabulary",
                             id: "tokenizer.bad-merges")
            }
            guard let m = ids[a + b] else {
                throw .error("\(source): merge \(rank + 1) makes \((a + b).debugDescription), which the vocabulary lacks",
                             id: "tokenizer.bad-merges")
            }
            let key = UInt64(l) << 32 | UInt64(r)
            if table[key] == nil { table[key] = UInt64(rank) << 32 | UInt64(m) }
        }
        var addedMap: [String: Int] = [:]
        for (text, id) in added {
            addedMap[text] = id
            if bytes[id].isEmpty { bytes[id] = Array(text.utf8) }
        }
        idBytes = bytes
        byteIDs = single
        merges = table
        addedTokens = addedMap
        addedByLength = addedMap.map { (Array($0.key.utf8), $0.value) }.sorted { $0.0.count > $1.0.count }
    }

    private func vocabularyID(_ text: String) -> Int? {
        let b = Array(text.utf8)
        return idBytes.firstIndex(of: b)
    }

    // MARK: Encoding

    public func encode(_ text: String) -> [Int] {
        if addedByLength.isEmpty { return encodeOrdinary(text) }
        let b = Array(text.utf8)
        var out: [Int] = []
        var from = 0
        var i = 0
        while i < b.count {
            var matched = false
            for (t, id) in addedByLength where t.count <= b.count - i && t.first == b[i] {
                if b[i..<(i + t.count)].elementsEqual(t) {
                    if i > from { encodeOrdinary(bytes: Array(b[from..<i]), into: &out) }
                    out.append(id)
                    i += t.count
                    from = i
                    matched = true
                    break
                }
            }
            if !matched { i += 1 }
        }
        if from < b.count { encodeOrdinary(bytes: Array(b[from...]), into: &out) }
        return out
    }

    /// Encodes without recognising added tokens.
    public func encodeOrdinary(_ text: String) -> [Int] {
        var out: [Int] = []
        encodeOrdinary(bytes: Array(text.utf8), into: &out)
        return out
    }

    public func count(_ text: String) -> Int { encode(text).count }

    private func encodeOrdinary(bytes: [UInt8], into out: inout [Int]) {
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress, buf.count > 0 else { return }
            let scanner = PieceScanner(base, buf.count)
            var i = 0
            while i < buf.count {
                let e = scanner.r50kEnd(i)
                mergePiece(base + i, e - i, into: &out)
                i = e
            }
        }
    }

    /// HF's merge rule: join the adjacent pair with the lowest merge priority (leftmost on a
    /// tie), over a linked list with a heap, until no adjacent pair has a merge.
    private func mergePiece(_ p: UnsafePointer<UInt8>, _ n: Int, into out: inout [Int]) {
        if n == 1 { out.append(byteIDs[Int(p[0])]); return }
        var tok = (0..<n).map { byteIDs[Int(p[$0])] }
        var next = Array(1...n)
        var prev = Array(-1..<(n - 1))
        var alive = [Bool](repeating: true, count: n)
        var heap = MinHeap(capacity: 2 * n)
        defer { heap.deallocate() }
        func push(_ i: Int) {
            let j = next[i]
            guard j < n, let m = merges[UInt64(tok[i]) << 32 | UInt64(tok[j])] else { return }
            heap.push((m >> 32) << 32 | UInt64(i))
        }
        for i in 0..<(n - 1) { push(i) }
        while let top = heap.pop() {
            let i = Int(top & 0xFFFF_FFFF)
            let rank = top >> 32
            guard alive[i], next[i] < n else { continue }
            let j = next[i]
            // Stale if the pair at i changed since the entry was pushed.
            guard let m = merges[UInt64(tok[i]) << 32 | UInt64(tok[j])], m >> 32 == rank else { continue }
            tok[i] = Int(m & 0xFFFF_FFFF)
            alive[j] = false
            next[i] = next[j]
            if next[j] < n { prev[next[j]] = i }
            push(i)
            if prev[i] >= 0 { push(prev[i]) }
        }
        var i = 0
        while i < n { out.append(tok[i]); i = next[i] }
    }

    // MARK: Decoding

    public func tokenBytes(_ id: Int) -> [UInt8]? {
        guard id >= 0 && id < idBytes.count, !idBytes[id].isEmpty else { return nil }
        return idBytes[id]
    }

    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        for id in ids where id >= 0 && id < idBytes.count { out += idBytes[id] }
        return out
    }

    public func decode(_ ids: [Int]) -> String { String(decoding: decodeBytes(ids), as: UTF8.self) }
}

/// GPT-2's reversible byte → printable character map, used to store byte tokens as JSON text.
enum ByteLevel {
    static let byteToUnicode: [Character] = {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var chars = printable
        var extra = 0
        for b in 0..<256 where !printable.contains(b) {
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
        }
        var map = [Character](repeating: " ", count: 256)
        for (b, c) in zip(printable, chars) { map[b] = Character(Unicode.Scalar(UInt32(c))!) }
        return map
    }()

    static let unicodeToByte: [Unicode.Scalar: UInt8] = {
        var m: [Unicode.Scalar: UInt8] = [:]
        for (b, c) in byteToUnicode.enumerated() { m[c.unicodeScalars.first!] = UInt8(b) }
        return m
    }()

    /// The byte-level text of a token (for writing vocab.json).
    static func encode(_ bytes: [UInt8]) -> String { String(bytes.map { byteToUnicode[Int($0)] }) }
}
