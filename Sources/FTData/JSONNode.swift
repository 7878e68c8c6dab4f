import FTCore

/// A parsed JSON value that remembers where it came from: the byte offset of its first byte in
/// the line. Findings use it to point at the offending key or value (FILE:LINE:COL), which
/// FTCore's `Value` cannot do once parsed. Objects keep their members in file order, so a
/// dataset written back out reads like the one that came in.
public struct JSONNode: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case null
        case bool(Bool)
        /// `isInteger` is true when the source had no fraction or exponent (`1`, not `1.0`).
        case number(Double, isInteger: Bool)
        case string(String)
        case array([JSONNode])
        case object([Member])
    }

    public struct Member: Sendable, Hashable {
        public var key: String
        /// Byte offset of the key's opening quote.
        public var keyOffset: Int
        public var value: JSONNode
        public init(key: String, keyOffset: Int = 0, value: JSONNode) {
            self.key = key
            self.keyOffset = keyOffset
            self.value = value
        }
    }

    public var kind: Kind
    /// Byte offset of the value's first byte within its line (0 for values built in memory).
    public var offset: Int
    /// Byte offset just past the value.
    public var end: Int

    public init(_ kind: Kind, offset: Int = 0, end: Int = 0) {
        self.kind = kind
        self.offset = offset
        self.end = end
    }

    public static func string(_ s: String) -> JSONNode { JSONNode(.string(s)) }
    public static func object(_ pairs: [(String, JSONNode)]) -> JSONNode {
        JSONNode(.object(pairs.map { Member(key: $0.0, value: $0.1) }))
    }

    public var stringValue: String? { if case .string(let s) = kind { s } else { nil } }
    public var arrayValue: [JSONNode]? { if case .array(let a) = kind { a } else { nil } }
    public var members: [Member]? { if case .object(let m) = kind { m } else { nil } }
    public var isNull: Bool { if case .null = kind { true } else { false } }

    /// The member named `key` (the first, if a file repeats a key).
    public func member(_ key: String) -> Member? {
        guard case .object(let ms) = kind else { return nil }
        for m in ms where m.key == key { return m }
        return nil
    }

    public subscript(key: String) -> JSONNode? { member(key)?.value }

    /// Replaces or appends the member `key` (objects only).
    public mutating func set(_ key: String, _ value: JSONNode?) {
        guard case .object(var ms) = kind else { return }
        if let i = ms.firstIndex(where: { $0.key == key }) {
            if let value { ms[i].value = value } else { ms.remove(at: i) }
        } else if let value {
            ms.append(Member(key: key, value: value))
        }
        kind = .object(ms)
    }

    /// What a person calls this type in a message: "a string", "an object", …
    public var typeDescription: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public func toValue() -> Value {
        switch kind {
        case .null: return Value.null
        case .bool(let b): return Value.bool(b)
        case .number(let n, _): return Value.number(n)
        case .string(let s): return Value.string(s)
        case .array(let a): return Value.list(a.map { $0.toValue() })
        case .object(let ms):
            var r = Record()
            for m in ms where r[m.key] == nil { r[m.key] = m.value.toValue() }
            return .record(r)
        }
    }

    public init(value: Value) {
        switch value {
        case .null: self.init(.null)
        case .bool(let b): self.init(.bool(b))
        case .number(let n): self.init(.number(n, isInteger: n.rounded() == n && abs(n) < 9e15))
        case .string(let s): self.init(.string(s))
        case .list(let l): self.init(.array(l.map { JSONNode(value: $0) }))
        case .record(let r): self.init(.object(r.pairs.map { Member(key: $0.key, value: JSONNode(value: $0.value)) }))
        case .object(let ref): self.init(.string(ref.name))
        }
    }

    /// Compact JSON with keys in their original order, the form `data save` writes (one line).
    public func encoded() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch kind {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n, _): out += n.isFinite ? Value.format(n) : "null"
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let a):
            out += "["
            for (i, x) in a.enumerated() {
                if i > 0 { out += "," }
                x.write(into: &out)
            }
            out += "]"
        case .object(let ms):
            out += "{"
            for (i, m) in ms.enumerated() {
                if i > 0 { out += "," }
                JSON.quote(m.key, into: &out)
                out += ":"
                m.value.write(into: &out)
            }
            out += "}"
        }
    }

    /// Equality of content, ignoring where the values sat in the file.
    public func sameContent(as other: JSONNode) -> Bool {
        switch (kind, other.kind) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a, _), .number(let b, _)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.sameContent(as: $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value.sameContent(as: $1.value) }
        default: return false
        }
    }
}
