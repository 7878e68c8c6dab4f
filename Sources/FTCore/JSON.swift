/// JSON for `Value`: a compact or indented writer whose output is stable (record key order is
/// kept, numbers print the same everywhere), and a strict parser that reports line:column.
public enum JSON {
    public static func encode(_ value: Value, indent: Int? = nil) -> String {
        var out = ""
        write(value, into: &out, indent: indent, level: 0)
        return out
    }

    static func write(_ value: Value, into out: inout String, indent: Int?, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.isFinite ? Value.format(n) : "null"
        case .string(let s): quote(s, into: &out)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent, level + 1)
                write(item, into: &out, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "]"
        case .record(let r):
            writeRecord(r, into: &out, indent: indent, level: level)
        case .object(let ref):
            var r = Record()
            r["kind"] = .string(ref.kind)
            r["name"] = .string(ref.name)
            for (k, v) in ref.summary where k != "kind" && k != "name" { r[k] = v }
            writeRecord(r, into: &out, indent: indent, level: level)
        }
    }

    static func writeRecord(_ r: Record, into out: inout String, indent: Int?, level: Int) {
        if r.isEmpty { out += "{}"; return }
        out += "{"
        for (i, (k, v)) in r.enumerated() {
            if i > 0 { out += "," }
            newline(&out, indent, level + 1)
            quote(k, into: &out)
            out += indent == nil ? ":" : ": "
            write(v, into: &out, indent: indent, level: level + 1)
        }
        newline(&out, indent, level)
        out += "}"
    }

    static func newline(_ out: inout String, _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out += "\n" + String(repeating: " ", count: indent * level)
    }

    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (scalar.value >= 0x2028 && scalar.value <= 0x2029) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    public static func quote(_ s: String) -> String { var o = ""; quote(s, into: &o); return o }

    /// Parses one JSON document. Errors carry the 1-based line and column in `file`.
    public static func decode(_ text: String, file: String = "<json>") throws(Diagnostic) -> Value {
        var p = JSONParser(bytes: Array(text.utf8), file: file)
        return try p.parseDocument()
    }

    public static func decode(bytes: [UInt8], file: String = "<json>", line: Int = 1) throws(Diagnostic) -> Value {
        var p = JSONParser(bytes: bytes, file: file, firstLine: line)
        return try p.parseDocument()
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes with precise positions. Nesting is limited so a
/// hostile file cannot exhaust the stack.
struct JSONParser {
    let bytes: [UInt8]
    let file: String
    var i = 0
    var line: Int
    var lineStart = 0
    var depth = 0
    static let maxDepth = 512

    init(bytes: [UInt8], file: String, firstLine: Int = 1) {
        self.bytes = bytes
        self.file = file
        self.line = firstLine
    }

    var location: SourceLocation {
        // Columns count scalars: skip UTF-8 continuation bytes between the line start and i.
        var col = 1
        var k = lineStart
        while k < min(i, bytes.count) { if bytes[k] & 0xC0 != 0x80 { col += 1 }; k += 1 }
        return SourceLocation(file: file, line: line, column: col)
    }

    func fail(_ message: String) -> Diagnostic {
        .error(message, id: "data.invalid-json", at: location)
    }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A: i += 1; line += 1; lineStart = i
            default: return
            }
        }
    }

    mutating func parseDocument() throws(Diagnostic) -> Value {
        skipSpace()
        if i >= bytes.count { throw fail("expected a JSON value, found end of input") }
        let v = try parseValue()
        skipSpace()
        if i < bytes.count { throw fail("expected end of input after the JSON value") }
        return v
    }

    mutating func parseValue() throws(Diagnostic) -> Value {
        skipSpace()
        guard i < bytes.count else { throw fail("expected a JSON value, found end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            throw fail("unexpected character \(describe(bytes[i])); expected a JSON value")
        }
    }

    func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16)
    }

    mutating func literal(_ word: String) throws(Diagnostic) {
        let start = i
        for b in word.utf8 {
            guard i < bytes.count, bytes[i] == b else { i = start; throw fail("invalid literal; expected \(word)") }
            i += 1
        }
    }

    mutating func enter() throws(Diagnostic) {
        depth += 1
        if depth > Self.maxDepth { throw fail("JSON nested deeper than \(Self.maxDepth) levels") }
    }

    mutating func parseObject() throws(Diagnostic) -> Value {
        try enter(); defer { depth -= 1 }
        i += 1
        var r = Record()
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .record(r) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key in object") }
            let key = try parseString()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after object key") }
            i += 1
            let v = try parseValue()
            if r[key] != nil { throw fail("duplicate key \"\(key)\" in object") }
            r[key] = v
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated object; expected ',' or '}'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .record(r) }
            throw fail("expected ',' or '}' in object, found \(describe(bytes[i]))")
        }
    }

    mutating func parseArray() throws(Diagnostic) -> Value {
        try enter(); defer { depth -= 1 }
        i += 1
        var items: [Value] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
        while true {
            items.append(try parseValue())
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated array; expected ',' or ']'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
            throw fail("expected ',' or ']' in array, found \(describe(bytes[i]))")
        }
    }

    mutating func parseNumber() throws(Diagnostic) -> Value {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits(_ p: inout JSONParser) -> Int {
            var n = 0
            while p.i < p.bytes.count, p.bytes[p.i] >= 0x30, p.bytes[p.i] <= 0x39 { p.i += 1; n += 1 }
            return n
        }
        guard i < bytes.count else { throw fail("expected digits in number") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else if digits(&self) == 0 { throw fail("expected digits in number") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            if digits(&self) == 0 { throw fail("expected digits after decimal point") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if digits(&self) == 0 { throw fail("expected digits in exponent") }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard let n = Double(text) else { throw fail("invalid number \(text)") }
        return .number(n)
    }

    mutating func parseString() throws(Diagnostic) -> String {
        i += 1
        var out = [UInt8]()
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw fail("control character \(describe(b)) in string must be escaped") }
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { throw fail("unterminated escape in string") }
                let e = bytes[i]
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
                    var code = try hex4()
                    if code >= 0xD800 && code < 0xDC00 {
                        // A high surrogate must be followed by an escaped low surrogate.
                        if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            let low = try hex4()
                            guard low >= 0xDC00 && low < 0xE000 else { throw fail("invalid low surrogate in \\u escape") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            throw fail("lone surrogate in \\u escape")
                        }
                    } else if code >= 0xDC00 && code < 0xE000 {
                        throw fail("lone surrogate in \\u escape")
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(code)!).utf8))
                default:
                    i -= 1
                    throw fail("invalid escape \\\(Character(Unicode.Scalar(e)))")
                }
                continue
            }
            if b < 0x80 { out.append(b); i += 1; continue }
            // Validate one UTF-8 sequence.
            let n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0
            guard n > 0, b < 0xF5, i + n <= bytes.count else { throw fail("invalid UTF-8 in string") }
            for k in 1..<n where bytes[i + k] & 0xC0 != 0x80 { throw fail("invalid UTF-8 in string") }
            if n == 3 {
                let c = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6)
                if c < 0x800 || (c >= 0xD800 && c < 0xE000) { throw fail("invalid UTF-8 in string") }
            } else if n == 4 {
                let c = (UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12)
                if c < 0x10000 || c > 0x10FFFF { throw fail("invalid UTF-8 in string") }
            }
            out.append(contentsOf: bytes[i..<(i + n)])
            i += n
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func hex4() throws(Diagnostic) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("expected 4 hex digits in \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw fail("expected 4 hex digits in \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
