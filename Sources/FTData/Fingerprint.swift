/// 64-bit fingerprints for finding duplicate examples without keeping them in memory. With a
/// million examples the chance of any false match is about 3 in 10^8. Bytes are mixed eight at
/// a time (multiply by an odd constant, fold the high bits down), which keeps hashing a
/// gigabyte file well under a second.
struct Fingerprint {
    private var h: UInt64 = 0x243F_6A88_85A3_08D3
    private var word: UInt64 = 0
    private var filled: UInt64 = 0
    private var length: UInt64 = 0

    @inline(__always)
    private mutating func mix(_ w: UInt64) {
        h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
    }

    @inline(__always)
    mutating func add(_ b: UInt8) {
        word |= UInt64(b) << (filled &* 8)
        filled &+= 1
        length &+= 1
        if filled == 8 {
            mix(word)
            word = 0
            filled = 0
        }
    }

    mutating func add(_ p: UnsafeBufferPointer<UInt8>) {
        var i = 0
        if filled == 0, let base = p.baseAddress {
            while i + 8 <= p.count {
                mix(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                i += 8
            }
            length &+= UInt64(i)
        }
        while i < p.count { add(p[i]); i += 1 }
    }

    mutating func finish() -> UInt64 {
        mix(word ^ (length << 3) ^ 0xA5)
        var x = h
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        return x
    }

    static func exact(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var f = Fingerprint()
        f.add(p)
        return f.finish()
    }

    static func exact(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBufferPointer { exact($0) } }

    static func exact(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { exact($0) }
    }

    /// The fingerprint of a line's bytes, ignoring a trailing CR and trailing spaces.
    static func line(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var end = p.count
        while end > 0, p[end - 1] == 0x0D || p[end - 1] == 0x20 || p[end - 1] == 0x09 { end -= 1 }
        return exact(UnsafeBufferPointer(rebasing: p[0..<end]))
    }

    /// Byte → its normalised form: ASCII letters lower-cased, whitespace → 0 (collapsed).
    private static let fold: [UInt8] = (0...255).map { b -> UInt8 in
        if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D { return 0 }
        if b >= 0x41 && b <= 0x5A { return UInt8(b + 32) }
        return UInt8(b)
    }

    /// Folds the texts of an example into a fingerprint that ignores ASCII case and runs of
    /// whitespace, so "Hello  world" and "hello world" match (`data dedupe --normalized`).
    mutating func addNormalized(_ node: JSONNode) {
        switch node.kind {
        case .string(var s):
            // Fold into a small buffer and hash it in bulk; per-byte mixing is the slow part.
            s.withUTF8 { p in
                Self.fold.withUnsafeBufferPointer { fold in
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { tmp in
                        var n = 0
                        var lastSpace = true
                        for b in p {
                            // Branch-free: a space is written only after a non-space.
                            let c = fold[Int(b)]
                            let space = c == 0
                            tmp[n] = space ? 0x20 : c
                            n &+= (space && lastSpace) ? 0 : 1
                            lastSpace = space
                            if n == 256 {
                                mix(Self.exact(UnsafeBufferPointer(tmp)))
                                n = 0
                            }
                        }
                        mix(Self.exact(UnsafeBufferPointer(rebasing: tmp[0..<n])))
                    }
                }
            }
            add(0x1F)
        case .array(let items):
            for x in items { addNormalized(x) }
            add(0x1D)
        case .object(let ms):
            for m in ms where m.key != "weight" {
                var k = m.key
                k.withUTF8 { add($0) }
                add(0x1E)
                addNormalized(m.value)
            }
        case .number(let n, _):
            var bits = n.bitPattern
            withUnsafeBytes(of: &bits) { add($0.bindMemory(to: UInt8.self)) }
        case .bool(let b):
            add(b ? 1 : 2)
        case .null:
            add(3)
        }
    }

    static func normalized(_ node: JSONNode) -> UInt64 {
        var f = Fingerprint()
        f.addNormalized(node)
        return f.finish()
    }
}
