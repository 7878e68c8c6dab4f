import FTCore


/// The generic way values are shown to people. Commands that know better declare a custom
/// `Display`; `--json` bypasses all of this.
public enum Render {
    public static func value(_ v: Value, options: RenderOptions) -> String {
        switch v {
        case .null:
            return ""
        case .bool, .number, .string:
            return v.text
        case .list(let items):
            if items.isEmpty { return "(empty list)" }
            if items.allSatisfy({ if case .record = $0 { true } else { false } }) {
                return table(items.compactMap(\.recordValue))
            }
            if items.allSatisfy({ if case .object = $0 { true } else { false } }) {
                return table(items.compactMap { $0.objectValue.map(objectRow) })
            }
            return items.map { cell($0) }.joined(separator: "\n")
        case .record(let r):
            return record(r)
        case .object(let ref):
            var lines = ["\(ref.kind) \(ref.name)"]
            if !ref.summary.isEmpty { lines.append(record(ref.summary, indent: "  ")) }
            return lines.joined(separator: "\n")
        }
    }

    static func objectRow(_ ref: ObjectRef) -> Record {
        var r = Record()
        r["name"] = .string(ref.name)
        r["kind"] = .string(ref.kind)
        for (k, v) in ref.summary where k != "name" && k != "kind" { r[k] = v }
        return r
    }

    /// `key  value` lines with the keys aligned.
    public static func record(_ r: Record, indent: String = "") -> String {
        let width = r.keys.map { TextWidth.width(of: $0) }.max() ?? 0
        return r.map { indent + TextWidth.pad($0.key, to: width) + "  " + cell($0.value) }.joined(separator: "\n")
    }

    /// Records as a table whose columns are the union of their keys, in first-seen order.
    public static func table(_ rows: [Record]) -> String {
        var columns: [String] = []
        for r in rows { for k in r.keys where !columns.contains(k) { columns.append(k) } }
        let numeric = Set(columns.indices.filter { c in
            rows.allSatisfy { r in r[columns[c]].map { if case .number = $0 { true } else { $0 == .null } } ?? true }
        })
        let cells = rows.map { r in columns.map { r[$0].map(cell) ?? "" } }
        return Table(headers: columns, rows: cells, rightAligned: numeric).render()
    }

    /// One value inside a table cell or after a key: scalars as text, numbers rounded for
    /// reading, collections as compact JSON.
    public static func cell(_ v: Value) -> String {
        switch v {
        case .number(let n): return number(n)
        case .null: return "-"
        case .object(let ref): return ref.name
        default: return v.text
        }
    }

    /// Integers as they are; other numbers with up to 4 significant decimals.
    public static func number(_ n: Double) -> String {
        if !n.isFinite || (n.rounded() == n && abs(n) < 1e15) { return Value.format(n) }
        let magnitude = abs(n)
        if magnitude >= 1e6 || magnitude < 1e-4 { return String(format: "%.4g", n) }
        var s = String(format: "%.4f", n)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}

#if canImport(Foundation)
import Foundation
#endif
