import FTCore
import Foundation

/// Checks JSON values against the response schemas of the shared OpenAPI subset
/// (Golden/openapi-responses.json, extracted by tools/reference/serve_schemas.py): types,
/// required keys, enums, nested objects and arrays, $ref, anyOf/oneOf/allOf, nullable and
/// numeric and length bounds — the JSON Schema the subset uses.
struct SchemaChecker {
    let operations: [String: String]
    let schemas: Record

    static let shared: SchemaChecker = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Golden/openapi-responses.json"
        let text = try! String(contentsOfFile: path, encoding: .utf8)
        let doc = try! JSON.decode(text, file: path)
        var ops: [String: String] = [:]
        for (k, v) in doc["operations"]?.recordValue ?? [:] { ops[k] = v.stringValue }
        return SchemaChecker(operations: ops, schemas: doc["schemas"]?.recordValue ?? [:])
    }()

    /// Problems of `value` as the 200 response of `operation` ("GET /files/{file_id}").
    func check(_ value: Value, operation: String) -> [String] {
        guard let ref = operations[operation] else { return ["no operation \(operation) in the spec"] }
        return check(value, schema: ["$ref": .string(ref)], path: "$")
    }

    func check(_ value: Value, component: String) -> [String] {
        check(value, schema: ["$ref": .string("#/components/schemas/" + component)], path: "$")
    }

    func check(_ v: Value, schema: Value, path: String) -> [String] {
        guard let s = schema.recordValue else { return [] }
        if let ref = s["$ref"]?.stringValue {
            let name = String(ref.split(separator: "/").last ?? "")
            guard let target = schemas[name] else { return ["\(path): unknown schema \(ref)"] }
            return check(v, schema: target, path: path)
        }
        if v == .null, s["nullable"]?.boolValue == true { return [] }
        var problems: [String] = []
        if let all = s["allOf"]?.listValue { for sub in all { problems += check(v, schema: sub, path: path) } }
        if let any = s["anyOf"]?.listValue, !any.contains(where: { check(v, schema: $0, path: path).isEmpty }) {
            problems.append("\(path): \(JSON.encode(v).prefix(80)) matches none of anyOf")
        }
        if let one = s["oneOf"]?.listValue {
            let n = one.filter { check(v, schema: $0, path: path).isEmpty }.count
            if n != 1 { problems.append("\(path): \(JSON.encode(v).prefix(80)) matches \(n) of oneOf") }
        }
        if let t = s["type"] {
            let types = t.listValue?.compactMap(\.stringValue) ?? [t.stringValue ?? ""]
            if !types.contains(where: { Self.hasType(v, $0) }) {
                problems.append("\(path): \(JSON.encode(v).prefix(80)) is not of type \(types.joined(separator: "|"))")
                return problems
            }
        }
        if let e = s["enum"]?.listValue, !e.contains(v) { problems.append("\(path): \(JSON.encode(v)) is not one of \(JSON.encode(.list(e)))") }
        if let c = s["const"], c != v { problems.append("\(path): \(JSON.encode(v)) is not \(JSON.encode(c))") }
        switch v {
        case .record(let r):
            for k in (s["required"]?.listValue ?? []).compactMap(\.stringValue) where r[k] == nil {
                problems.append("\(path): missing required '\(k)'")
            }
            let props = s["properties"]?.recordValue ?? [:]
            for (k, sub) in r {
                if let p = props[k] { problems += check(sub, schema: p, path: path + "." + k) }
                else if s["additionalProperties"] == .bool(false) { problems.append("\(path): unexpected key '\(k)'") }
                else if let extra = s["additionalProperties"], extra.recordValue != nil { problems += check(sub, schema: extra, path: path + "." + k) }
            }
            if let m = s["maxProperties"]?.intValue, r.count > m { problems.append("\(path): more than \(m) keys") }
        case .list(let items):
            if let itemSchema = s["items"] { for (i, item) in items.enumerated() { problems += check(item, schema: itemSchema, path: "\(path)[\(i)]") } }
            if let m = s["minItems"]?.intValue, items.count < m { problems.append("\(path): fewer than \(m) items") }
            if let m = s["maxItems"]?.intValue, items.count > m { problems.append("\(path): more than \(m) items") }
        case .number(let n):
            if let m = s["minimum"]?.numberValue, n < m { problems.append("\(path): \(n) < minimum \(m)") }
            if let m = s["maximum"]?.numberValue, n > m { problems.append("\(path): \(n) > maximum \(m)") }
            if let m = s["exclusiveMinimum"]?.numberValue, n <= m { problems.append("\(path): \(n) <= exclusiveMinimum \(m)") }
        case .string(let str):
            if let m = s["maxLength"]?.intValue, str.count > m { problems.append("\(path): longer than \(m)") }
            if let m = s["minLength"]?.intValue, str.count < m { problems.append("\(path): shorter than \(m)") }
        default: break
        }
        return problems
    }

    static func hasType(_ v: Value, _ t: String) -> Bool {
        switch (t, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .list), ("object", .record): return true
        case ("number", .number): return true
        case ("integer", .number(let n)): return n.rounded() == n
        default: return false
        }
    }
}
