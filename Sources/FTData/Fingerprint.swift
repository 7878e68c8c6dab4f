/// 64-bit FNV-1a fingerprints for finding duplicate examples without keeping them in memory.
/// With a million examples the chance of any false match is about 3 in 10^8.
enum Fingerprint {
    static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let prime: UInt64 = 0x100_0000_01B3

    static func exact<S: Sequence>(_ bytes: S, into h: UInt64 = offsetBasis) -> UInt64 where S.Element == UInt8 {
        var h = h
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
        return h
    }

    /// The fingerprint of a line's bytes, ignoring a trailing CR and trailing spaces.
    static func line(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var end = p.count
        while end > 0, p[end - 1] == 0x0D || p[end - 1] == 0x20 || p[end - 1] == 0x09 { end -= 1 }
        var h = offsetBasis
        for k in 0..<end { h = (h ^ UInt64(p[k])) &* prime }
        return h
    }

    /// Folds the texts of an example into a fingerprint that ignores ASCII case and runs of
    /// whitespace, so "Hello  world" and "hello world" match (`data dedupe --normalized`).
    static func normalized(_ node: JSONNode, into h: inout UInt64) {
        switch node.kind {
        case .string(let s):
            var lastSpace = true
            for b in s.utf8 {
                if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D {
                    if !lastSpace { h = (h ^ 0x20) &* prime }
                    lastSpace = true
                    continue
                }
                lastSpace = false
                let c = b >= 0x41 && b <= 0x5A ? b + 32 : b
                h = (h ^ UInt64(c)) &* prime
            }
            h = (h ^ 0x1F) &* prime
        case .array(let items):
            for x in items { normalized(x, into: &h) }
            h = (h ^ 0x1D) &* prime
        case .object(let ms):
            for m in ms where m.key != "weight" {
                for b in m.key.utf8 { h = (h ^ UInt64(b)) &* prime }
                h = (h ^ 0x1E) &* prime
                normalized(m.value, into: &h)
            }
        case .number(let n, _):
            h = (h ^ n.bitPattern) &* prime
        case .bool(let b):
            h = (h ^ (b ? 1 : 2)) &* prime
        case .null:
            h = (h ^ 3) &* prime
        }
    }

    static func normalized(_ node: JSONNode) -> UInt64 {
        var h = offsetBasis
        normalized(node, into: &h)
        return h
    }
}
