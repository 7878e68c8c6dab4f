import Foundation
@testable import FTEval

/// Just enough of a PNG reader to check the encoder: chunk CRCs, zlib's Adler-32, stored and
/// fixed-Huffman DEFLATE blocks, and the Sub/None row filters.
struct DecodedImage {
    var width: Int, height: Int, rgb: [UInt8]
    func pixel(_ x: Int, _ y: Int) -> [UInt8] { let i = (y * width + x) * 3; return Array(rgb[i..<(i + 3)]) }
    func count(of c: [UInt8]) -> Int { stride(from: 0, to: rgb.count, by: 3).filter { rgb[$0] == c[0] && rgb[$0 + 1] == c[1] && rgb[$0 + 2] == c[2] }.count }
}

struct PNGError: Error, CustomStringConvertible { var description: String }

func decodePNG(_ b: [UInt8]) throws -> DecodedImage {
    guard b.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw PNGError(description: "signature") }
    func be(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
    var i = 8, width = 0, height = 0, idat: [UInt8] = []
    while i < b.count {
        let len = be(i), type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
        let body = Array(b[(i + 4)..<(i + 8 + len)])
        guard PNGEncoder.crc32(body) == UInt32(be(i + 8 + len)) else { throw PNGError(description: "crc of \(type)") }
        if type == "IHDR" { width = be(i + 8); height = be(i + 12) }
        if type == "IDAT" { idat += b[(i + 8)..<(i + 8 + len)] }
        i += 12 + len
    }
    let raw = try inflate(Array(idat[2..<(idat.count - 4)]))
    let n = idat.count
    let adler = UInt32(idat[n - 4]) << 24 | UInt32(idat[n - 3]) << 16 | UInt32(idat[n - 2]) << 8 | UInt32(idat[n - 1])
    guard PNGEncoder.adler32(raw) == adler else { throw PNGError(description: "adler32") }
    let stride = width * 3
    guard raw.count == (stride + 1) * height else { throw PNGError(description: "size \(raw.count)") }
    var rgb = [UInt8](repeating: 0, count: stride * height)
    for y in 0..<height {
        let f = raw[y * (stride + 1)]
        for x in 0..<stride {
            let v = raw[y * (stride + 1) + 1 + x]
            switch f {
            case 0: rgb[y * stride + x] = v
            case 1: rgb[y * stride + x] = v &+ (x >= 3 ? rgb[y * stride + x - 3] : 0)
            default: throw PNGError(description: "filter \(f)")
            }
        }
    }
    return DecodedImage(width: width, height: height, rgb: rgb)
}

func inflate(_ d: [UInt8]) throws -> [UInt8] {
    var pos = 0
    func bit() -> Int { let v = Int(d[pos >> 3] >> UInt8(pos & 7)) & 1; pos += 1; return v }
    func bits(_ n: Int) -> Int { var v = 0; for k in 0..<n { v |= bit() << k }; return v }
    func huff(_ n: Int) -> Int { var v = 0; for _ in 0..<n { v = v << 1 | bit() }; return v }
    func fixedSymbol() -> Int {
        var v = huff(7)
        if v <= 0x17 { return 256 + v }
        v = v << 1 | bit()
        if v >= 0x30 && v <= 0xBF { return v - 0x30 }
        if v >= 0xC0 && v <= 0xC7 { return 280 + v - 0xC0 }
        v = v << 1 | bit()
        return 144 + v - 0x190
    }
    typealias W = PNGEncoder.BitWriter
    var out: [UInt8] = []
    var final = 0
    repeat {
        final = bit()
        let type = bits(2)
        if type == 0 {
            pos = (pos + 7) & ~7
            let len = bits(16); _ = bits(16)
            for _ in 0..<len { out.append(UInt8(bits(8))) }
        } else if type == 1 {
            while true {
                let s = fixedSymbol()
                if s < 256 { out.append(UInt8(s)); continue }
                if s == 256 { break }
                let k = s - 257
                let len = W.lengthBase[k] + bits(W.lengthExtra[k])
                let dk = huff(5)
                let dist = W.distBase[dk] + bits(W.distExtra[dk])
                for _ in 0..<len { out.append(out[out.count - dist]) }
            }
        } else { throw PNGError(description: "block type \(type)") }
    } while final == 0
    return out
}
