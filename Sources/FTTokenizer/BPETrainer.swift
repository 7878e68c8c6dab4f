import FTCore

/// Learns a byte-level BPE vocabulary from text: start from the 256 bytes, then repeatedly join
/// the most frequent adjacent pair of tokens inside pre-tokenizer pieces. Ties go to the pair
/// with the smaller (left id, right id), so training is deterministic.
///
/// The result is a list of tokens in rank order, which `.tiktoken` rank files store directly;
/// encoding with it uses tiktoken's rule (lowest-rank joined bytes first), so one format and one
/// encoder serve OpenAI's vocabularies and ftsh's own.
public struct BPETrainer: Sendable {
    /// Total tokens including the 256 single bytes.
    public var vocabularySize: Int
    /// Pairs seen fewer times than this are never merged.
    public var minimumFrequency: Int
    public var pattern: PreTokenizer

    public init(vocabularySize: Int, minimumFrequency: Int = 2, pattern: PreTokenizer = .r50k) {
        self.vocabularySize = vocabularySize
        self.minimumFrequency = minimumFrequency
        self.pattern = pattern
    }

    public func train<S: Sequence>(_ texts: S) throws(Diagnostic) -> TrainedBPE where S.Element == String {
        guard vocabularySize >= 256 else {
            throw .error("vocabulary size \(vocabularySize) is below 256, the number of single bytes",
                         id: "tokenizer.bad-vocabulary-size")
        }
        guard vocabularySize <= 1_000_000 else {
            throw .error("vocabulary size \(vocabularySize) is too large (at most 1000000)", id: "tokenizer.bad-vocabulary-size")
        }
        var state = TrainingState(minimumFrequency: max(1, minimumFrequency))
        for text in texts { state.addText(text, pattern: pattern) }
        try state.run(until: vocabularySize)
        return TrainedBPE(tokens: state.tokens, merges: state.merges, pattern: pattern)
    }
}

/// A trained vocabulary: tokens in rank order (the first 256 are the bytes 0…255) and, for each
/// learned token, the pair of ranks it was made from.
public struct TrainedBPE: Sendable, Equatable {
    public let tokens: [[UInt8]]
    public let merges: [Merge]
    public let pattern: PreTokenizer

    public struct Merge: Sendable, Equatable {
        public let left: Int, right: Int, result: Int
    }

    /// The rank-file text (`base64 rank` per line).
    public var rankFileText: String { RankFile.render(tokens) }

    /// Writes the vocabulary as a `.tiktoken` rank file (atomically).
    public func write(to path: String, overwrite: Bool) throws(Diagnostic) {
        try AtomicFile.write(rankFileText, to: path, overwrite: overwrite)
    }

    /// An encoder for the vocabulary. By default `<|endoftext|>` gets the id after the last rank.
    public func encoding(name: String, specialTokens: [String: Int]? = nil) throws(Diagnostic) -> Encoding {
        try Encoding(name: name, tokensInRankOrder: tokens, pattern: pattern,
                     specialTokens: specialTokens ?? [EncodingCatalog.endOfText: tokens.count])
    }
}

private struct TrainingState {
    let minimumFrequency: Int
    var wordIndex: [[UInt8]: Int] = [:]
    var words: [[Int32]] = []
    var counts: [Int] = []
    var tokens: [[UInt8]] = (0..<256).map { [UInt8($0)] }
    var tokenIndex: [[UInt8]: Int32] = [:]
    var merges: [TrainedBPE.Merge] = []
    var pairCounts: [UInt64: Int] = [:]
    var pairWords: [UInt64: [Int32]] = [:]

    init(minimumFrequency: Int) {
        self.minimumFrequency = minimumFrequency
        for (i, t) in tokens.enumerated() { tokenIndex[t] = Int32(i) }
    }

    mutating func addText(_ text: String, pattern: PreTokenizer) {
        var text = text
        text.withUTF8 { buf in
            guard let base = buf.baseAddress, buf.count > 0 else { return }
            let scanner = PieceScanner(base, buf.count)
            var i = 0
            while i < buf.count {
                let e = scanner.pieceEnd(pattern, i)
                let piece = Array(UnsafeBufferPointer(start: base + i, count: e - i))
                if let w = wordIndex[piece] {
                    counts[w] += 1
                } else {
                    wordIndex[piece] = words.count
                    words.append(piece.map { Int32($0) })
                    counts.append(1)
                }
                i = e
            }
        }
    }

    @inline(__always) static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }

    mutating func run(until size: Int) throws(Diagnostic) {
        wordIndex = [:]
        for (w, symbols) in words.enumerated() where symbols.count > 1 {
            for k in 0..<(symbols.count - 1) {
                let key = Self.key(symbols[k], symbols[k + 1])
                pairCounts[key, default: 0] += counts[w]
                pairWords[key, default: []].append(Int32(w))
            }
        }
        var heap = PairHeap()
        for (key, c) in pairCounts { heap.push(c, key) }
        var stamp = [Int](repeating: -1, count: words.count)
        while tokens.count < size, let (c, key) = heap.pop() {
            let actual = pairCounts[key] ?? 0
            if actual != c {
                if actual > 0 { heap.push(actual, key) }
                continue
            }
            if c < minimumFrequency { break }
            if merges.count % 64 == 0 && Interrupt.isSet {
                throw .error("training interrupted", id: "shell.interrupted")
            }
            let a = Int32(truncatingIfNeeded: key >> 32), b = Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)
            let bytes = tokens[Int(a)] + tokens[Int(b)]
            let merged: Int32
            if let existing = tokenIndex[bytes] {
                merged = existing  // another pair already spelled these bytes
            } else {
                merged = Int32(tokens.count)
                tokens.append(bytes)
                tokenIndex[bytes] = merged
            }
            merges.append(TrainedBPE.Merge(left: Int(a), right: Int(b), result: Int(merged)))
            var touched = Set<UInt64>()
            let mergeNumber = merges.count
            for w32 in pairWords[key] ?? [] {
                let w = Int(w32)
                if stamp[w] == mergeNumber { continue }
                stamp[w] = mergeNumber
                rewrite(w, a, b, merged, &touched)
            }
            pairWords[key] = nil
            pairCounts[key] = nil
            for t in touched { if let n = pairCounts[t], n > 0 { heap.push(n, t) } }
        }
    }

    /// Replaces each (a, b) in word w with `merged`, left to right, keeping pair counts current.
    private mutating func rewrite(_ w: Int, _ a: Int32, _ b: Int32, _ merged: Int32, _ touched: inout Set<UInt64>) {
        let old = words[w]
        guard old.count > 1 else { return }
        var found = false
        for k in 0..<(old.count - 1) where old[k] == a && old[k + 1] == b { found = true; break }
        if !found { return }
        let n = counts[w]
        for k in 0..<(old.count - 1) {
            let key = Self.key(old[k], old[k + 1])
            pairCounts[key, default: 0] -= n
        }
        var new: [Int32] = []
        new.reserveCapacity(old.count)
        var k = 0
        while k < old.count {
            if k + 1 < old.count && old[k] == a && old[k + 1] == b {
                new.append(merged); k += 2
            } else {
                new.append(old[k]); k += 1
            }
        }
        words[w] = new
        guard new.count > 1 else { return }
        for k in 0..<(new.count - 1) {
            let key = Self.key(new[k], new[k + 1])
            let before = pairCounts[key] ?? 0
            pairCounts[key] = before + n
            if new[k] == merged || new[k + 1] == merged { pairWords[key, default: []].append(Int32(w)) }
            touched.insert(key)
        }
    }
}

/// A max-heap on (count, then the smaller pair key).
private struct PairHeap {
    private var a: [(Int, UInt64)] = []

    @inline(__always) private static func better(_ x: (Int, UInt64), _ y: (Int, UInt64)) -> Bool {
        x.0 > y.0 || (x.0 == y.0 && x.1 < y.1)
    }

    mutating func push(_ count: Int, _ key: UInt64) {
        a.append((count, key))
        var i = a.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !Self.better(a[i], a[p]) { break }
            a.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> (Int, UInt64)? {
        guard let top = a.first else { return nil }
        let last = a.removeLast()
        if a.isEmpty { return top }
        a[0] = last
        var i = 0
        while true {
            var c = 2 * i + 1
            if c >= a.count { break }
            if c + 1 < a.count && Self.better(a[c + 1], a[c]) { c += 1 }
            if !Self.better(a[c], a[i]) { break }
            a.swapAt(i, c)
            i = c
        }
        return top
    }
}
