/// UTF-8 validation that reports where the first bad byte is (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF).
public enum UTF8Check {
    /// The byte offset of the first invalid sequence, or nil when the bytes are valid UTF-8.
    public static func firstInvalid(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = p.count
        while i < n {
            // ASCII runs are the common case: test 8 bytes at once.
            if i + 8 <= n {
                let word = UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
            }
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            let len: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: len = 2
            case 0xE0: len = 3; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: len = 3
            case 0xED: len = 3; hi = 0x9F
            case 0xF0: len = 4; lo = 0x90
            case 0xF1...0xF3: len = 4
            case 0xF4: len = 4; hi = 0x8F
            default: return i
            }
            guard i + len <= n else { return i }
            let b1 = p[i + 1]
            guard b1 >= lo && b1 <= hi else { return i }
            for k in 2..<max(len, 2) where p[i + k] & 0xC0 != 0x80 { return i }
            i += len
        }
        return nil
    }
}
