/// What every command returns and every variable holds.
///
/// Numbers are doubles (integers print without a fraction); records keep their keys in the
/// order they were made; `object` is a handle to something in the session workspace (a dataset,
/// a model, a run, a job, a file) whose bulk lives outside the value.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([Value])
    case record(Record)
    case object(ObjectRef)

    public static func int(_ n: Int) -> Value { .number(Double(n)) }

    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .list: "list"
        case .record: "record"
        case .object(let ref): ref.kind
        }
    }

    /// `false`, `null`, `0`, `""` and empty collections are false; everything else true.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .number(let n): n != 0 && !n.isNaN
        case .string(let s): !s.isEmpty
        case .list(let l): !l.isEmpty
        case .record(let r): !r.isEmpty
        case .object: true
        }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var numberValue: Double? { if case .number(let n) = self { n } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var listValue: [Value]? { if case .list(let l) = self { l } else { nil } }
    public var recordValue: Record? { if case .record(let r) = self { r } else { nil } }
    public var objectValue: ObjectRef? { if case .object(let o) = self { o } else { nil } }

    /// An exact integer, if this is a number without a fraction.
    public var intValue: Int? {
        guard case .number(let n) = self, n.rounded() == n, abs(n) < 9.0e15 else { return nil }
        return Int(n)
    }

    /// How the value reads when interpolated into a string or printed by `echo`.
    public var text: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): Value.format(n)
        case .string(let s): s
        case .object(let ref): ref.name
        case .list, .record: JSON.encode(self)
        }
    }

    public static func format(_ n: Double) -> String {
        if n.isNaN { return "nan" }
        if n.isInfinite { return n < 0 ? "-inf" : "inf" }
        // Every integer up to 2^53 is exact in a Double (run seeds use 52 bits), so it prints
        // as the integer it is.
        if n.rounded() == n && abs(n) <= 9_007_199_254_740_992 { return String(Int64(n)) }
        return "\(n)"
    }

    /// Member access: `$x.field` on records (and on objects, through their summary record).
    public subscript(field: String) -> Value? {
        switch self {
        case .record(let r): r[field]
        case .object(let ref): ref.summary[field]
        default: nil
        }
    }
}

/// A record: string keys in insertion order.
public struct Record: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    public init() {}
    public init(_ pairs: [(String, Value)]) { for (k, v) in pairs { self[k] = v } }
    public init(dictionaryLiteral elements: (String, Value)...) { self.init(elements) }

    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    public var pairs: [(key: String, value: Value)] { keys.map { ($0, storage[$0]!) } }
    public func makeIterator() -> IndexingIterator<[(key: String, value: Value)]> { pairs.makeIterator() }

    public static func == (a: Record, b: Record) -> Bool { a.keys == b.keys && a.storage == b.storage }
    public func hash(into h: inout Hasher) { h.combine(keys); for k in keys { h.combine(storage[k]) } }
}

/// A handle to a workspace object. The value carries a summary record (what `show` and
/// `$x.field` read); the object itself stays in the workspace under `name`.
public struct ObjectRef: Sendable, Hashable {
    /// `dataset`, `model`, `run`, `job`, `file`, …
    public var kind: String
    public var name: String
    public var summary: Record

    public init(kind: String, name: String, summary: Record = Record()) {
        self.kind = kind
        self.name = name
        self.summary = summary
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
                 ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral s: String) { self = .string(s) }
    public init(integerLiteral n: Int) { self = .number(Double(n)) }
    public init(floatLiteral n: Double) { self = .number(n) }
    public init(booleanLiteral b: Bool) { self = .bool(b) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(nilLiteral: ()) { self = .null }
}
