/// Byte-pair merging of one piece, with tiktoken's rule: repeatedly join the adjacent pair whose
/// joined bytes have the lowest rank (the leftmost pair on a tie) until no joined pair is a token.
///
/// Short pieces use a flat array and a linear scan for the minimum (fast for the usual handful of
/// parts); long pieces use a binary heap over a linked list, O(n log n), so a megabyte-long word
/// costs about as much per byte as ordinary text.
extension RankTable {
    /// Pieces at least this long take the heap path. Both paths give identical tokens.
    static let heapThreshold = 96

    /// Calls `emit` with each token of the piece `p[0..<n]` in order.
    @inline(__always)
    func mergePiece(_ p: UnsafePointer<UInt8>, _ n: Int, _ emit: (UInt32) -> Void) {
        if n < RankTable.heapThreshold {
            mergeShort(p, n) { toks, m in
                for k in 0..<m { emit(toks[k]) }
            }
        } else {
            mergeLong(p, n, emit)
        }
    }

    /// The tokens of a piece by the chosen strategy (tests check the two agree).
    func mergeTokens(_ piece: [UInt8], heap: Bool) -> [Int] {
        var out: [Int] = []
        piece.withUnsafeBufferPointer { b in
            if heap {
                mergeLong(b.baseAddress!, b.count) { out.append(Int($0)) }
            } else {
                mergeShort(b.baseAddress!, b.count) { toks, m in
                    for k in 0..<m { out.append(Int(toks[k])) }
                }
            }
        }
        return out
    }

    /// The number of tokens of the piece `p[0..<n]`.
    @inline(__always)
    func mergeCount(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        if n < RankTable.heapThreshold {
            return mergeShort(p, n) { _, m in m }
        }
        var c = 0
        mergeLong(p, n) { _ in c += 1 }
        return c
    }

    @inline(__always)
    func mergeShort<R>(_ p: UnsafePointer<UInt8>, _ n: Int,
                               _ body: (UnsafeMutablePointer<UInt32>, Int) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 3 * (n + 1)) { buffer in
            let start = buffer.baseAddress!
            let rank = start + (n + 1)
            let tok = rank + (n + 1)
            let none = RankTable.none
            for i in 0..<n {
                start[i] = UInt32(i)
                tok[i] = byteRanks[Int(p[i])]
                rank[i] = i + 1 < n ? pairRanks[Int(p[i]) << 8 | Int(p[i + 1])] : none
            }
            start[n] = UInt32(n)
            rank[n] = none
            // Parts are 0..<m; start[m] closes the last one. rank[i] joins parts i and i+1.
            var m = n
            while m > 1 {
                var best = none
                var at = 0
                for i in 0..<(m - 1) where rank[i] < best {
                    best = rank[i]
                    at = i
                }
                if best == none { break }
                tok[at] = best
                let s = Int(start[at])
                rank[at] = at + 2 < m ? lookup(p + s, Int(start[at + 3]) - s) : none
                if at > 0 {
                    let q = Int(start[at - 1])
                    rank[at - 1] = lookup(p + q, Int(start[at + 2]) - q)
                }
                let move = m - at - 1  // entries at+2 ... m (start has m+1 entries)
                (start + at + 1).update(from: start + at + 2, count: move)
                (rank + at + 1).update(from: rank + at + 2, count: move)
                (tok + at + 1).update(from: tok + at + 2, count: move)
                m -= 1
            }
            return body(tok, m)
        }
    }

    func mergeLong(_ p: UnsafePointer<UInt8>, _ n: Int, _ emit: (UInt32) -> Void) {
        let none = RankTable.none
        // Nodes are identified by their start offset; a node ends where the next one starts.
        let next = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        let prev = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        let rank = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
        let tok = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
        var heap = MinHeap(capacity: 2 * n)
        defer {
            next.deallocate(); prev.deallocate(); rank.deallocate(); tok.deallocate()
            heap.deallocate()
        }
        for i in 0..<n {
            next[i] = Int32(i + 1)
            prev[i] = Int32(i - 1)
            tok[i] = byteRanks[Int(p[i])]
            let r = i + 1 < n ? pairRanks[Int(p[i]) << 8 | Int(p[i + 1])] : none
            rank[i] = r
            if r != none { heap.push(UInt64(r) << 32 | UInt64(i)) }
        }
        @inline(__always) func end(_ node: Int) -> Int { Int(next[node]) }
        while let top = heap.pop() {
            let r = UInt32(truncatingIfNeeded: top >> 32)
            let i = Int(top & 0xFFFF_FFFF)
            if rank[i] != r { continue }  // stale: the node merged or changed since
            let j = end(i)
            let k = end(j)
            tok[i] = r
            next[i] = Int32(k)
            if k < n { prev[k] = Int32(i) }
            rank[j] = none
            if k < n {
                let nr = lookup(p + i, end(k) - i)
                rank[i] = nr
                if nr != none { heap.push(UInt64(nr) << 32 | UInt64(i)) }
            } else {
                rank[i] = none
            }
            if i > 0 {
                let q = Int(prev[i])
                let nr = lookup(p + q, k - q)
                rank[q] = nr
                if nr != none { heap.push(UInt64(nr) << 32 | UInt64(q)) }
            }
        }
        var i = 0
        while i < n {
            emit(tok[i])
            i = end(i)
        }
    }
}

/// A binary min-heap of packed (rank, position) keys.
struct MinHeap {
    private var a: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 4)
        a = .allocate(capacity: self.capacity)
    }

    func deallocate() { a.deallocate() }

    @inline(__always)
    mutating func push(_ v: UInt64) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: a, count: count)
            a.deallocate()
            a = bigger
            capacity *= 2
        }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if a[parent] <= v { break }
            a[i] = a[parent]
            i = parent
        }
        a[i] = v
    }

    @inline(__always)
    mutating func pop() -> UInt64? {
        if count == 0 { return nil }
        let top = a[0]
        count -= 1
        if count == 0 { return top }
        let v = a[count]
        var i = 0
        while true {
            var c = 2 * i + 1
            if c >= count { break }
            if c + 1 < count && a[c + 1] < a[c] { c += 1 }
            if v <= a[c] { break }
            a[i] = a[c]
            i = c
        }
        a[i] = v
        return top
    }
}
