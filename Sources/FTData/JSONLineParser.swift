/// A strict RFC 8259 parser for one JSONL line, specialised for `data check`: it works on the
/// line's bytes in place, keeps each value's byte offset (so findings can point at a column),
/// and assumes the line was already checked to be valid UTF-8 (`UTF8Check`), which lets string
/// contents be copied without a second validation pass.
struct JSONLineParser {
    struct SyntaxError: Error {
        var offset: Int
        var message: String
    }

    private let p: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0
    static let maxDepth = 256

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { p = bytes }

    /// Parses the whole line as one JSON value (trailing spaces, tabs and CR are allowed).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> JSONNode {
        var parser = JSONLineParser(bytes)
        parser.skipSpace()
        guard parser.i < bytes.count else { throw SyntaxError(offset: 0, message: "expected a JSON value, found an empty line") }
        let v = try parser.value()
        parser.skipSpace()
        if parser.i < bytes.count {
            throw SyntaxError(offset: parser.i, message: "expected end of line after the JSON value, found \(parser.describe(parser.i))")
        }
        return v
    }

    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONNode {
        let r: Result<JSONNode, SyntaxError> = bytes.withUnsafeBufferPointer { buf in
            do throws(SyntaxError) { return .success(try parse(buf)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    private func fail(_ message: String, at offset: Int? = nil) -> SyntaxError {
        SyntaxError(offset: offset ?? i, message: message)
    }

    private func describe(_ k: Int) -> String {
        guard k < p.count else { return "end of line" }
        let b = p[k]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        if b == 0x20 { return "a space" }
        if b >= 0x80 {
            // Show the whole character, not its first byte.
            var e = k + 1
            while e < p.count && p[e] & 0xC0 == 0x80 { e += 1 }
            return "'" + String(decoding: UnsafeBufferPointer(rebasing: p[k..<e]), as: UTF8.self) + "'"
        }
        return "byte 0x" + String(b, radix: 16)
    }

    @inline(__always)
    private mutating func skipSpace() {
        while i < p.count {
            let b = p[i]
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A { i += 1 } else { return }
        }
    }

    private mutating func value() throws(SyntaxError) -> JSONNode {
        skipSpace()
        guard i < p.count else { throw fail("expected a JSON value, found end of line") }
        let start = i
        switch p[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""):
            let s = try string()
            return JSONNode(.string(s), offset: start, end: i)
        case UInt8(ascii: "t"): try literal("true"); return JSONNode(.bool(true), offset: start, end: i)
        case UInt8(ascii: "f"): try literal("false"); return JSONNode(.bool(false), offset: start, end: i)
        case UInt8(ascii: "n"): try literal("null"); return JSONNode(.null, offset: start, end: i)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        case UInt8(ascii: "'"): throw fail("single quotes are not JSON; use double quotes")
        default: throw fail("expected a JSON value, found \(describe(i))")
        }
    }

    private mutating func literal(_ word: String) throws(SyntaxError) {
        let start = i
        for b in word.utf8 {
            guard i < p.count, p[i] == b else { throw fail("invalid literal; expected \(word)", at: start) }
            i += 1
        }
    }

    private mutating func enter() throws(SyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw fail("JSON nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func object() throws(SyntaxError) -> JSONNode {
        try enter(); defer { depth -= 1 }
        let start = i
        i += 1
        var members: [JSONNode.Member] = []
        skipSpace()
        if i < p.count, p[i] == UInt8(ascii: "}") { i += 1; return JSONNode(.object(members), offset: start, end: i) }
        while true {
            skipSpace()
            guard i < p.count, p[i] == UInt8(ascii: "\"") else {
                if i < p.count, p[i] == UInt8(ascii: "}") { throw fail("trailing comma before '}' is not allowed in JSON") }
                throw fail("expected a string key in object, found \(describe(i))")
            }
            let keyOffset = i
            let key = try string()
            skipSpace()
            guard i < p.count, p[i] == UInt8(ascii: ":") else { throw fail("expected ':' after object key, found \(describe(i))") }
            i += 1
            let v = try value()
            for m in members where m.key == key {
                throw fail("duplicate key \"\(key)\"; the object already has one", at: keyOffset)
            }
            members.append(JSONNode.Member(key: key, keyOffset: keyOffset, value: v))
            skipSpace()
            guard i < p.count else { throw fail("unterminated object; expected ',' or '}'") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "}") { i += 1; return JSONNode(.object(members), offset: start, end: i) }
            throw fail("expected ',' or '}' in object, found \(describe(i))")
        }
    }

    private mutating func array() throws(SyntaxError) -> JSONNode {
        try enter(); defer { depth -= 1 }
        let start = i
        i += 1
        var items: [JSONNode] = []
        skipSpace()
        if i < p.count, p[i] == UInt8(ascii: "]") { i += 1; return JSONNode(.array(items), offset: start, end: i) }
        while true {
            skipSpace()
            if i < p.count, p[i] == UInt8(ascii: "]") { throw fail("trailing comma before ']' is not allowed in JSON") }
            items.append(try value())
            skipSpace()
            guard i < p.count else { throw fail("unterminated array; expected ',' or ']'") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "]") { i += 1; return JSONNode(.array(items), offset: start, end: i) }
            throw fail("expected ',' or ']' in array, found \(describe(i))")
        }
    }

    private mutating func number() throws(SyntaxError) -> JSONNode {
        let start = i
        var negative = false
        if p[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var intPart: UInt64 = 0
        var intDigits = 0
        guard i < p.count, p[i] >= 0x30, p[i] <= 0x39 else { throw fail("expected digits in number") }
        if p[i] == 0x30 {
            i += 1
            intDigits = 1
            if i < p.count, p[i] >= 0x30, p[i] <= 0x39 { throw fail("leading zeros are not allowed in JSON numbers", at: start) }
        } else {
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39 {
                if intDigits < 18 { intPart = intPart * 10 + UInt64(p[i] - 0x30) }
                intDigits += 1
                i += 1
            }
        }
        var isInteger = true
        if i < p.count, p[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < p.count, p[i] >= 0x30, p[i] <= 0x39 else { throw fail("expected digits after the decimal point") }
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
        }
        if i < p.count, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < p.count, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            guard i < p.count, p[i] >= 0x30, p[i] <= 0x39 else { throw fail("expected digits in the exponent") }
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
        }
        if isInteger && intDigits < 18 {
            let n = Double(intPart)
            return JSONNode(.number(negative ? -n : n, isInteger: true), offset: start, end: i)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
        guard let n = Double(text) else { throw fail("invalid number \(text)", at: start) }
        return JSONNode(.number(n, isInteger: isInteger && abs(n) < 9e15), offset: start, end: i)
    }

    /// Reads a string starting at its opening quote. Runs without escapes are copied in one go.
    private mutating func string() throws(SyntaxError) -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < p.count {
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("control character \(describe(i)) in a string must be escaped") }
            i += 1
        }
        guard i < p.count else { throw fail("unterminated string", at: start - 1) }
        var out = [UInt8](UnsafeBufferPointer(rebasing: p[start..<i]))
        while true {
            guard i < p.count else { throw fail("unterminated string", at: start - 1) }
            let b = p[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw fail("control character \(describe(i)) in a string must be escaped") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            let escapeAt = i
            i += 1
            guard i < p.count else { throw fail("unterminated escape in string", at: escapeAt) }
            let e = p[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4(escapeAt)
                if code >= 0xD800 && code < 0xDC00 {
                    guard i + 1 < p.count, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else {
                        throw fail("lone surrogate in \\u escape", at: escapeAt)
                    }
                    i += 2
                    let low = try hex4(escapeAt)
                    guard low >= 0xDC00 && low < 0xE000 else { throw fail("invalid low surrogate in \\u escape", at: escapeAt) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if code >= 0xDC00 && code < 0xE000 {
                    throw fail("lone surrogate in \\u escape", at: escapeAt)
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(code)!).utf8))
            default:
                throw fail("invalid escape \\\(Character(Unicode.Scalar(e))) in string", at: escapeAt)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4(_ escapeAt: Int) throws(SyntaxError) -> UInt32 {
        guard i + 4 <= p.count else { throw fail("expected 4 hex digits in \\u escape", at: escapeAt) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = p[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw fail("expected 4 hex digits in \\u escape", at: escapeAt)
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
