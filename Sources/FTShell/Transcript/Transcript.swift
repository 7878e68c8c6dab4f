import Foundation
import FTCore

/// Replaying a `.ftsh` transcript and comparing what happens with the expectations written
/// under each command; `--update` rewrites them.
public struct TranscriptResult: Sendable {
    public var file: String
    public var commands: Int
    public var mismatches: [Mismatch]
    /// The transcript with fresh expectations (for `--update`).
    public var updatedText: String

    public struct Mismatch: Sendable {
        public var line: Int
        public var command: String
        public var expected: Expectations
        public var actual: Expectations
    }

    public var passed: Bool { mismatches.isEmpty }
    /// The transcript could not be parsed: nothing ran, and `--update` must not claim success.
    public var unparsable = false

    /// A unified diff per mismatching command, headed by FILE:LINE.
    public func report() -> String {
        var out: [String] = []
        for m in mismatches {
            out.append("--- \(file):\(m.line): expected")
            out.append("+++ \(file):\(m.line): actual")
            let first = m.command.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            out.append("@@ \(first) @@")
            out += Diff.unified(m.expected.rendered, m.actual.rendered)
        }
        return out.joined(separator: "\n")
    }
}

public enum Transcript {
    /// Runs every top-level statement of `text` in `session`, capturing its output.
    public static func check(_ text: String, file: String, session: Session) async -> TranscriptResult {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let parsed: [(statement: Statement, first: Int, last: Int)]
        do {
            parsed = try Parser.parseWithLines(text, file: file)
        } catch {
            let d = error.diagnostic
            let actual = Expectations(err: [DiagnosticPrinter.plain.format(d)], status: d.exitStatus.rawValue)
            var result = TranscriptResult(file: file, commands: 0,
                                          mismatches: [.init(line: d.location?.line ?? 1, command: "(parse)", expected: Expectations(), actual: actual)],
                                          updatedText: text)
            result.unparsable = true
            return result
        }
        // Statements sharing a line (`a; b`) are one unit: their output is written once, below.
        var units: [(statements: [Statement], first: Int, last: Int)] = []
        for item in parsed {
            if let u = units.last, item.first <= u.last {
                units[units.count - 1].statements.append(item.statement)
                units[units.count - 1].last = max(u.last, item.last)
            } else {
                units.append(([item.statement], item.first, item.last))
            }
        }
        var mismatches: [TranscriptResult.Mismatch] = []
        var updated: [String] = []
        var cursor = 0 // next original line (0-based) to copy
        for (k, item) in units.enumerated() {
            let nextStart = k + 1 < units.count ? units[k + 1].first - 1 : lines.count
            // Copy everything up to and including the statement, dropping stale expectations.
            while cursor < item.last && cursor < lines.count {
                if cursor < item.first - 1, Expectations.isExpectationLine(lines[cursor]) { cursor += 1; continue }
                updated.append(String(lines[cursor]))
                cursor += 1
            }
            var expected = Expectations()
            var tail: [String] = []
            var j = item.last
            while j < nextStart && j < lines.count {
                if Expectations.isExpectationLine(lines[j]) { expected.add(lines[j]) } else { tail.append(String(lines[j])) }
                j += 1
            }
            let (status, out, err) = await session.output.capture {
                var status = ExitStatus.ok
                for statement in item.statements {
                    status = await session.runTopLevel(statement)
                    if status != .ok || session.exitRequest != nil { break }
                }
                return status
            }
            let actual = Expectations.actual(out: out, err: err, status: status.rawValue)
            let commandText = lines[(item.first - 1)..<min(item.last, lines.count)].joined(separator: "\n")
            if expected.matches(actual) {
                updated += expected.rendered
            } else {
                mismatches.append(.init(line: item.first, command: commandText, expected: expected, actual: actual))
                updated += actual.rendered
            }
            updated += tail
            cursor = max(cursor, j)
            if session.exitRequest != nil { break }
        }
        while cursor < lines.count { updated.append(String(lines[cursor])); cursor += 1 }
        return TranscriptResult(file: file, commands: units.count, mismatches: mismatches,
                                updatedText: updated.joined(separator: "\n"))
    }
}

/// A small line diff (longest common subsequence), printed the unified way.
enum Diff {
    static func unified(_ a: [String], _ b: [String]) -> [String] {
        let n = a.count, m = b.count
        var lcs = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] { out.append(" " + a[i]); i += 1; j += 1 }
            else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] { out.append("-" + a[i]); i += 1 }
            else { out.append("+" + b[j]); j += 1 }
        }
        return out
    }
}
