import FTCore

/// Token bytes ↔ rank, for BPE look-ups on byte spans without building a String or Array.
///
/// Open addressing with linear probing. Each 16-byte slot keeps the key's first eight bytes and
/// its length beside the rank, so a look-up of a key of up to eight bytes (most merge steps)
/// touches one cache line; longer keys compare the rest against the packed token bytes.
final class RankTable: @unchecked Sendable {
    static let none = UInt32.max

    /// All token bytes, back to back, indexed by `offsets[rank] ..< offsets[rank + 1]`.
    let bytes: UnsafeMutablePointer<UInt8>
    let offsets: UnsafeMutablePointer<UInt32>
    /// Number of rank values (highest rank + 1); absent ranks have an empty span.
    let rankLimit: Int
    /// How many tokens the table holds.
    let count: Int
    /// The rank of each single byte, or `none` when a byte has no token of its own.
    let byteRanks: UnsafeMutablePointer<UInt32>
    /// The longest token, in bytes: longer spans are never looked up.
    let maxTokenLength: Int

    /// Slot 2k holds a key's first eight bytes, slot 2k+1 its `length << 32 | (rank + 1)` (0 when
    /// empty): interleaved so one probe reads one cache line.
    private let slots: UnsafeMutablePointer<UInt64>
    private let mask: Int
    /// Ranks of all two-byte tokens, indexed by `first << 8 | second`: the first round of every
    /// merge looks these up without hashing.
    let pairRanks: UnsafeMutablePointer<UInt32>

    /// `tokens[i]` is the byte string of rank `ranks[i]`. Throws on duplicates.
    init(tokens: [[UInt8]], ranks: [Int], source: String) throws(Diagnostic) {
        precondition(tokens.count == ranks.count)
        count = tokens.count
        let limit = (ranks.max() ?? -1) + 1
        rankLimit = limit
        var total = 0
        var longest = 0
        for t in tokens { total += t.count; longest = max(longest, t.count) }
        maxTokenLength = longest
        guard total < Int(UInt32.max) else {
            throw .error("\(source): token bytes exceed 4 GiB", id: "tokenizer.bad-rank-file")
        }
        var byRank = [Int](repeating: -1, count: limit)
        for (i, r) in ranks.enumerated() {
            if byRank[r] >= 0 {
                throw .error("\(source): rank \(r) appears twice", id: "tokenizer.bad-rank-file")
            }
            byRank[r] = i
        }
        let store = UnsafeMutablePointer<UInt8>.allocate(capacity: max(total, 1))
        let starts = UnsafeMutablePointer<UInt32>.allocate(capacity: limit + 1)
        var at = 0
        for r in 0..<limit {
            starts[r] = UInt32(at)
            let i = byRank[r]
            if i < 0 { continue }
            let t = tokens[i]
            t.withUnsafeBufferPointer { (store + at).initialize(from: $0.baseAddress!, count: t.count) }
            at += t.count
        }
        starts[limit] = UInt32(at)
        bytes = store
        offsets = starts

        var capacity = 16
        while capacity < count * 2 { capacity <<= 1 }
        mask = capacity - 1
        slots = .allocate(capacity: 2 * capacity)
        slots.initialize(repeating: 0, count: 2 * capacity)
        byteRanks = .allocate(capacity: 256)
        byteRanks.initialize(repeating: RankTable.none, count: 256)
        pairRanks = .allocate(capacity: 65536)
        pairRanks.initialize(repeating: RankTable.none, count: 65536)

        for r in 0..<limit where offsets[r] != offsets[r + 1] {
            let p = bytes + Int(offsets[r])
            let n = Int(offsets[r + 1] - offsets[r])
            if lookup(p, n) != RankTable.none {
                throw .error("\(source): token \(Array(UnsafeBufferPointer(start: p, count: n))) has two ranks",
                             id: "tokenizer.bad-rank-file")
            }
            var slot = Int(truncatingIfNeeded: RankTable.hash(p, n)) & mask
            while slots[2 * slot + 1] != 0 { slot = (slot + 1) & mask }
            slots[2 * slot] = RankTable.prefix(p, n)
            slots[2 * slot + 1] = UInt64(n) << 32 | UInt64(r + 1)
            if n == 1 { byteRanks[Int(p[0])] = UInt32(r) }
            if n == 2 { pairRanks[Int(p[0]) << 8 | Int(p[1])] = UInt32(r) }
        }
    }

    deinit {
        bytes.deallocate(); offsets.deallocate(); slots.deallocate()
        byteRanks.deallocate(); pairRanks.deallocate()
    }

    /// The first eight bytes (fewer for short keys), zero-padded, read without passing `n`.
    @inline(__always)
    static func prefix(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        if n >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) }
        var v: UInt64 = 0
        var i = 0
        if n >= 4 {
            v = UInt64(UnsafeRawPointer(p).loadUnaligned(as: UInt32.self))
            i = 4
        }
        while i < n { v |= UInt64(p[i]) << UInt64(i * 8); i += 1 }
        return v
    }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h = UInt64(n) &* 0x9E3779B97F4A7C15
        var i = 0
        while i + 8 <= n {
            h = (h ^ UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) &* 0xBF58476D1CE4E5B9
            h ^= h >> 29
            i += 8
        }
        if i < n {
            h = (h ^ prefix(p + i, n - i)) &* 0x94D049BB133111EB
        }
        h ^= h >> 31
        h = h &* 0xD6E8FEB86659FD93
        return h ^ (h >> 32)
    }

    /// The rank of the byte span, or `none`.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt32 {
        if n > maxTokenLength { return RankTable.none }
        let key = RankTable.prefix(p, n)
        var slot = Int(truncatingIfNeeded: RankTable.hash(p, n)) & mask
        let len = UInt64(n)
        while true {
            let m = slots[2 * slot + 1]
            if m == 0 { return RankTable.none }
            if m >> 32 == len && slots[2 * slot] == key {
                let rank = Int(m & 0xFFFF_FFFF) - 1
                if n <= 8 || memcmp(bytes + Int(offsets[rank]) + 8, p + 8, n - 8) == 0 {
                    return UInt32(rank)
                }
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    func tokenLength(_ rank: Int) -> Int { Int(offsets[rank + 1] - offsets[rank]) }

    func token(_ rank: Int) -> [UInt8]? {
        guard rank >= 0 && rank < rankLimit else { return nil }
        let n = tokenLength(rank)
        if n == 0 { return nil }
        return Array(UnsafeBufferPointer(start: bytes + Int(offsets[rank]), count: n))
    }
}

@inline(__always)
private func memcmp(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Int {
    var i = 0
    while i + 8 <= n {
        if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self)
            != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) { return 1 }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return 1 }
        i += 1
    }
    return 0
}
