/// A multiset of n-gram keys for one hypothesis, matched against one reference: `add` counts
/// a hypothesis n-gram, `take` consumes one if any is left, so the number of successful takes
/// is Σ min(hypothesis count, reference count), the clipped matches chrF needs. Open
/// addressing with linear probing over packed `UInt64` keys (0 marks an empty slot, so keys
/// must never be 0); only the slots used are cleared between pairs, so the storage is reused
/// for a whole corpus without being swept.
struct GramCounter {
    private var keys: [UInt64] = []
    private var counts: [Int32] = []
    private var used: [Int32] = []
    private var mask = 0

    /// Makes room for `n` distinct keys at a load of at most one half, and empties the table.
    mutating func reset(capacity n: Int) {
        for slot in used { keys[Int(slot)] = 0 }
        used.removeAll(keepingCapacity: true)
        var size = 16
        while size < 2 * n { size <<= 1 }
        if size > keys.count {
            keys = [UInt64](repeating: 0, count: size)
            counts = [Int32](repeating: 0, count: size)
        }
        mask = keys.count - 1
    }

    @inline(__always)
    static func slot(_ key: UInt64, _ mask: Int) -> Int {
        // Fibonacci hashing: the high bits of the product mix every bit of the key.
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    @inline(__always)
    mutating func add(_ key: UInt64) {
        var i = Self.slot(key, mask)
        while true {
            let k = keys[i]
            if k == key { counts[i] += 1; return }
            if k == 0 {
                keys[i] = key
                counts[i] = 1
                used.append(Int32(i))
                return
            }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    mutating func take(_ key: UInt64) -> Bool {
        var i = Self.slot(key, mask)
        while true {
            let k = keys[i]
            if k == key {
                guard counts[i] > 0 else { return false }
                counts[i] -= 1
                return true
            }
            if k == 0 { return false }
            i = (i + 1) & mask
        }
    }
}

/// Small dense ids for the code points of one hypothesis and its references (1, 2, 3, … in
/// order of first appearance), so that six of them pack into one word. Open addressing keyed
/// by code point + 1; cleared slot by slot like `GramCounter`.
struct CodePointIDs {
    private var keys: [UInt32] = []
    private var ids: [UInt32] = []
    private var used: [Int32] = []
    private var mask = 0
    private(set) var count: UInt32 = 0

    /// Empties the map and makes room for `n` distinct code points.
    mutating func reset(capacity n: Int) {
        for slot in used { keys[Int(slot)] = 0 }
        used.removeAll(keepingCapacity: true)
        count = 0
        var size = 64
        while size < 2 * n { size <<= 1 }
        if size > keys.count {
            keys = [UInt32](repeating: 0, count: size)
            ids = [UInt32](repeating: 0, count: size)
        }
        mask = keys.count - 1
    }

    @inline(__always)
    mutating func id(_ codePoint: UInt32) -> UInt32 {
        let key = codePoint &+ 1
        var i = Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        while true {
            let k = keys[i]
            if k == key { return ids[i] }
            if k == 0 {
                count += 1
                keys[i] = key
                ids[i] = count
                used.append(Int32(i))
                return count
            }
            i = (i + 1) & mask
        }
    }

    /// The ids of a text's code points, whitespace (as Python's `str.split` sees it) left out;
    /// appended to `out`, which is emptied first.
    mutating func ids(of text: String, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        for u in text.unicodeScalars where !PythonText.isSpace(u.value) { out.append(id(u.value)) }
    }
}
