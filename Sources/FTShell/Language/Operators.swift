import Foundation
import FTCore

struct OperatorError: Error { var text: String }

/// The meaning of the language's operators on values.
enum Operators {
    /// Numbers, and text that spells a number (command words arrive as text).
    static func number(_ v: Value) -> Double? {
        switch v {
        case .number(let n): return n
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces))
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func apply(_ op: String, _ l: Value, _ r: Value) throws(OperatorError) -> Value {
        switch op {
        case "==": return .bool(equal(l, r))
        case "!=": return .bool(!equal(l, r))
        case "<", "<=", ">", ">=":
            let c = try compare(l, r, op)
            switch op {
            case "<": return .bool(c < 0)
            case "<=": return .bool(c <= 0)
            case ">": return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case "contains":
            switch l {
            case .string(let s): return .bool(s.contains(r.text))
            case .list(let items): return .bool(items.contains { equal($0, r) })
            case .record(let rec): return .bool(rec[r.text] != nil)
            default: throw OperatorError(text: "'contains' needs text, a list or a record on the left, got \(l.typeName)")
            }
        case "matches":
            guard case .string(let s) = l else { throw OperatorError(text: "'matches' needs text on the left, got \(l.typeName)") }
            guard let re = try? NSRegularExpression(pattern: r.text) else {
                throw OperatorError(text: "invalid regular expression '\(r.text)'")
            }
            return .bool(re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil)
        case "+":
            switch (l, r) {
            case (.number(let a), .number(let b)): return .number(a + b)
            case (.list(let a), .list(let b)): return .list(a + b)
            case (.list(let a), _): return .list(a + [r])
            case (.string, _), (_, .string): return .string(l.text + r.text)
            case (.record(var a), .record(let b)):
                for (k, v) in b { a[k] = v }
                return .record(a)
            default: break
            }
            throw OperatorError(text: "cannot add \(l.typeName) and \(r.typeName)")
        case "-", "*", "/", "%":
            guard let a = number(l), let b = number(r) else {
                throw OperatorError(text: "'\(op)' needs numbers, got \(l.typeName) and \(r.typeName)")
            }
            switch op {
            case "-": return .number(a - b)
            case "*": return .number(a * b)
            case "/":
                if b == 0 { throw OperatorError(text: "division by zero") }
                return .number(a / b)
            default:
                if b == 0 { throw OperatorError(text: "division by zero") }
                return .number(a.truncatingRemainder(dividingBy: b))
            }
        default:
            throw OperatorError(text: "unknown operator \(op)")
        }
    }

    static func equal(_ l: Value, _ r: Value) -> Bool {
        if l == r { return true }
        switch (l, r) {
        case (.number, .string), (.string, .number):
            if let a = number(l), let b = number(r) { return a == b }
            return false
        case (.object(let a), .string(let b)), (.string(let b), .object(let a)):
            return a.name == b
        default:
            return false
        }
    }

    static func compare(_ l: Value, _ r: Value, _ op: String) throws(OperatorError) -> Int {
        if case .string(let a) = l, case .string(let b) = r, Double(a) == nil || Double(b) == nil {
            return a < b ? -1 : a == b ? 0 : 1
        }
        guard let a = number(l), let b = number(r) else {
            throw OperatorError(text: "cannot compare \(l.typeName) and \(r.typeName) with '\(op)'")
        }
        return a < b ? -1 : a == b ? 0 : 1
    }
}
