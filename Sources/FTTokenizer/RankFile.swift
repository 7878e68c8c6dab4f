import FTCore
import Foundation

/// The `.tiktoken` rank format: one token per line, `base64(token bytes) SP rank LF`.
/// The rank is both the token id and its merge priority. ftsh reads OpenAI's published files in
/// this format and writes its own trained vocabularies in it too.
public enum RankFile {
    /// Parses rank-file text. Errors carry the file, line and column of the first bad byte.
    public static func parse(_ data: [UInt8], file: String) throws(Diagnostic) -> (tokens: [[UInt8]], ranks: [Int]) {
        var tokens: [[UInt8]] = []
        var ranks: [Int] = []
        tokens.reserveCapacity(data.count / 12)
        ranks.reserveCapacity(data.count / 12)
        var line = 1
        var i = 0
        let n = data.count
        func fail(_ message: String, _ at: Int, _ lineStart: Int) -> Diagnostic {
            .error(message, id: "tokenizer.bad-rank-file",
                   at: SourceLocation(file: file, line: line, column: at - lineStart + 1))
        }
        while i < n {
            let lineStart = i
            var j = i
            while j < n && data[j] != 0x20 && data[j] != 0x0A { j += 1 }
            if j == i && j < n && data[j] == 0x0A { i += 1; line += 1; continue }  // blank line
            guard j < n, data[j] == 0x20 else {
                throw fail("expected a space between the base64 token and its rank", j, lineStart)
            }
            guard let token = Base64.decode(data, i, j) else {
                throw fail("invalid base64 token", i, lineStart)
            }
            if token.isEmpty { throw fail("empty token", i, lineStart) }
            var k = j + 1
            var rank = 0
            let digitsStart = k
            while k < n && data[k] >= 0x30 && data[k] <= 0x39 && k - digitsStart < 10 {
                rank = rank * 10 + Int(data[k] - 0x30)
                k += 1
            }
            if k == digitsStart { throw fail("expected a rank number", k, lineStart) }
            if k < n && data[k] == 0x0D { k += 1 }
            if k < n && data[k] != 0x0A { throw fail("unexpected text after the rank", k, lineStart) }
            if rank > 16_000_000 { throw fail("rank \(rank) is implausibly large", digitsStart, lineStart) }
            tokens.append(token)
            ranks.append(rank)
            i = k + 1
            line += 1
        }
        if tokens.isEmpty {
            throw .error("\(file): no tokens in rank file", id: "tokenizer.bad-rank-file")
        }
        return (tokens, ranks)
    }

    /// Rank-file text for tokens given in rank order (token i has rank i).
    public static func render(_ tokensInRankOrder: [[UInt8]]) -> String {
        var out = ""
        out.reserveCapacity(tokensInRankOrder.count * 12)
        for (rank, t) in tokensInRankOrder.enumerated() {
            out += Base64.encode(t)
            out += " "
            out += String(rank)
            out += "\n"
        }
        return out
    }

    /// Reads a whole file as bytes, with ftsh's I/O diagnostics.
    static func readBytes(_ path: String) throws(Diagnostic) -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw .error("cannot read \(path)", id: "tokenizer.missing-file")
        }
        return [UInt8](d)
    }
}

/// Standard base64 (RFC 4648) with padding, as rank files use.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    static func decode(_ s: [UInt8], _ start: Int, _ end: Int) -> [UInt8]? {
        let len = end - start
        if len % 4 != 0 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(len / 4 * 3)
        var i = start
        while i < end {
            let c0 = values[Int(s[i])], c1 = values[Int(s[i + 1])]
            if c0 == 0xFF || c1 == 0xFF { return nil }
            out.append(c0 << 2 | c1 >> 4)
            let last = i + 4 == end
            if s[i + 2] == 0x3D {  // "=="
                guard last, s[i + 3] == 0x3D else { return nil }
                break
            }
            let c2 = values[Int(s[i + 2])]
            if c2 == 0xFF { return nil }
            out.append((c1 & 0x0F) << 4 | c2 >> 2)
            if s[i + 3] == 0x3D {
                guard last else { return nil }
                break
            }
            let c3 = values[Int(s[i + 3])]
            if c3 == 0xFF { return nil }
            out.append((c2 & 0x03) << 6 | c3)
            i += 4
        }
        return out
    }

    static func encode(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((b.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= b.count {
            let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = b.count - i
        if rest == 1 {
            let v = UInt32(b[i]) << 16
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], 0x3D, 0x3D]
        } else if rest == 2 {
            let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], 0x3D]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
