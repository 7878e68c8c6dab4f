import Foundation

/// The expected results written under a command in a `.ftsh` file:
///
///     data stats qa
///     #=> examples  120        (standard output)
///     #!> warning: …           (standard error)
///     #? 65                    (exit status, when not 0)
///
/// A `#=> ...` line matches any number of lines; a line ending in ` (re)` is a regular
/// expression for the whole line.
public struct Expectations: Sendable, Equatable {
    public var out: [String] = []
    public var err: [String] = []
    public var status: Int32 = 0

    public init(out: [String] = [], err: [String] = [], status: Int32 = 0) {
        self.out = out
        self.err = err
        self.status = status
    }

    public static func isExpectationLine(_ line: Substring) -> Bool {
        line.hasPrefix("#=>") || line.hasPrefix("#!>") || line.hasPrefix("#?")
    }

    public mutating func add(_ line: Substring) {
        func payload(_ l: Substring) -> String {
            var rest = l.dropFirst(3)
            if rest.hasPrefix(" ") { rest = rest.dropFirst() }
            return String(rest)
        }
        if line.hasPrefix("#=>") { out.append(payload(line)) }
        else if line.hasPrefix("#!>") { err.append(payload(line)) }
        else if line.hasPrefix("#?") { status = Int32(line.dropFirst(2).trimmingCharacters(in: .whitespaces)) ?? -1 }
    }

    /// What actually happened, as the same kind of record.
    public static func actual(out: String, err: String, status: Int32) -> Expectations {
        Expectations(out: splitLines(out), err: splitLines(err), status: status)
    }

    static func splitLines(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The lines to write into a transcript.
    public var rendered: [String] {
        out.map { $0.isEmpty ? "#=>" : "#=> " + $0 } + err.map { $0.isEmpty ? "#!>" : "#!> " + $0 }
            + (status != 0 ? ["#? \(status)"] : [])
    }

    /// Whether `actual` satisfies these expectations (patterns allowed).
    public func matches(_ actual: Expectations) -> Bool {
        status == actual.status && Self.match(out[...], actual.out[...]) && Self.match(err[...], actual.err[...])
    }

    static func match(_ pattern: ArraySlice<String>, _ lines: ArraySlice<String>) -> Bool {
        guard let p = pattern.first else { return lines.isEmpty }
        if p == "..." {
            let rest = pattern.dropFirst()
            var k = lines.startIndex
            while true {
                if match(rest, lines[k...]) { return true }
                if k == lines.endIndex { return false }
                k += 1
            }
        }
        guard let l = lines.first, lineMatches(p, l) else { return false }
        return match(pattern.dropFirst(), lines.dropFirst())
    }

    static func lineMatches(_ pattern: String, _ line: String) -> Bool {
        if pattern == line { return true }
        guard pattern.hasSuffix(" (re)") else { return false }
        let re = "^(?:" + pattern.dropLast(5) + ")$"
        return line.range(of: re, options: .regularExpression) != nil
    }
}
