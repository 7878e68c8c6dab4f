/// A small PNG writer (8-bit RGB, no interlace) with its own DEFLATE: LZ77 matching over a
/// hash of three-byte sequences and the fixed Huffman code (RFC 1951 §3.2.6). Charts are mostly
/// flat colour, so this compresses them well without a dynamic-Huffman encoder or zlib.
enum PNGEncoder {
    static func encode(rgb: [UInt8], width: Int, height: Int) -> [UInt8] {
        // Each row: filter type 1 (Sub: each byte minus the byte one pixel to the left), which
        // turns flat runs into zeros.
        let stride = width * 3
        var raw = [UInt8]()
        raw.reserveCapacity((stride + 1) * height)
        for y in 0..<height {
            raw.append(1)
            let row = y * stride
            for i in 0..<stride { raw.append(i < 3 ? rgb[row + i] : rgb[row + i] &- rgb[row + i - 3]) }
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr = [UInt8]()
        ihdr += be32(UInt32(width)) + be32(UInt32(height))
        ihdr += [8, 2, 0, 0, 0] // depth 8, colour type RGB, deflate, adaptive filters, no interlace
        chunk("IHDR", ihdr, into: &out)
        chunk("IDAT", zlib(raw), into: &out)
        chunk("IEND", [], into: &out)
        return out
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func chunk(_ type: String, _ data: [UInt8], into out: inout [UInt8]) {
        out += be32(UInt32(data.count))
        let body = Array(type.utf8) + data
        out += body
        out += be32(crc32(body))
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for chunkStart in stride(from: 0, to: bytes.count, by: 5552) {
            for v in bytes[chunkStart..<min(chunkStart + 5552, bytes.count)] { a += UInt32(v); b += a }
            a %= 65521; b %= 65521
        }
        return (b << 16) | a
    }

    /// zlib stream: header (deflate, 32 KiB window), one fixed-Huffman block, Adler-32.
    static func zlib(_ data: [UInt8]) -> [UInt8] {
        var w = BitWriter()
        w.bytes = [0x78, 0x01]
        w.write(1, 1) // final block
        w.write(1, 2) // fixed Huffman
        let n = data.count
        let hashSize = 1 << 15
        var head = [Int](repeating: -1, count: hashSize)
        var prev = [Int](repeating: -1, count: n)
        func hash(_ i: Int) -> Int { (Int(data[i]) << 10 ^ Int(data[i + 1]) << 5 ^ Int(data[i + 2])) & (hashSize - 1) }
        func insert(_ i: Int) {
            guard i + 2 < n else { return }
            let h = hash(i)
            prev[i] = head[h]
            head[h] = i
        }
        var i = 0
        while i < n {
            var bestLen = 0, bestDist = 0
            if i + 2 < n {
                var cand = head[hash(i)]
                var tries = 32
                while cand >= 0 && i - cand <= 32768 && tries > 0 {
                    var l = 0
                    let limit = min(258, n - i)
                    while l < limit && data[cand + l] == data[i + l] { l += 1 }
                    if l > bestLen { bestLen = l; bestDist = i - cand; if l == limit { break } }
                    cand = prev[cand]
                    tries -= 1
                }
            }
            if bestLen >= 3 {
                w.length(bestLen)
                w.distance(bestDist)
                for k in 0..<bestLen { insert(i + k) }
                i += bestLen
            } else {
                w.literal(Int(data[i]))
                insert(i)
                i += 1
            }
        }
        w.literal(256)
        w.flush()
        return w.bytes + be32(adler32(data))
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        var acc: UInt64 = 0
        var count = 0

        /// `bits` low bits of `value`, least significant first (extra bits and headers).
        mutating func write(_ value: Int, _ bits: Int) {
            acc |= UInt64(value) << UInt64(count)
            count += bits
            while count >= 8 { bytes.append(UInt8(acc & 0xFF)); acc >>= 8; count -= 8 }
        }

        /// A Huffman code, which DEFLATE stores most significant bit first.
        mutating func code(_ value: Int, _ bits: Int) {
            var r = 0
            for k in 0..<bits where value & (1 << k) != 0 { r |= 1 << (bits - 1 - k) }
            write(r, bits)
        }

        mutating func literal(_ v: Int) {
            switch v {
            case 0...143: code(0x30 + v, 8)
            case 144...255: code(0x190 + v - 144, 9)
            case 256...279: code(v - 256, 7)
            default: code(0xC0 + v - 280, 8)
            }
        }

        static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                                 131, 163, 195, 227, 258]
        static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                               2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
        static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

        mutating func length(_ len: Int) {
            var k = Self.lengthBase.count - 1
            while Self.lengthBase[k] > len { k -= 1 }
            literal(257 + k)
            if Self.lengthExtra[k] > 0 { write(len - Self.lengthBase[k], Self.lengthExtra[k]) }
        }

        mutating func distance(_ d: Int) {
            var k = Self.distBase.count - 1
            while Self.distBase[k] > d { k -= 1 }
            code(k, 5)
            if Self.distExtra[k] > 0 { write(d - Self.distBase[k], Self.distExtra[k]) }
        }

        mutating func flush() {
            if count > 0 { bytes.append(UInt8(acc & 0xFF)); acc = 0; count = 0 }
        }
    }
}
