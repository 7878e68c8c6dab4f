/// Formats diagnostics the one way ftsh prints them:
///
///     error: data.jsonl:17:3: expected "messages" array [data.missing-messages]
///
/// With the source line at hand (the REPL, a script), a caret line follows under the offending word.
public struct DiagnosticPrinter: Sendable {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    public static let plain = DiagnosticPrinter(color: false)

    public func format(_ d: Diagnostic, sourceLine: String? = nil) -> String {
        var head = ""
        let label = d.severity.rawValue
        if color {
            let code = d.severity == .error ? "31" : d.severity == .warning ? "33" : "36"
            head += "\u{1B}[1;\(code)m\(label):\u{1B}[0m "
        } else {
            head += "\(label): "
        }
        if let loc = d.location { head += "\(loc): " }
        head += d.message
        if !d.id.isEmpty { head += " [\(d.id)]" }
        var lines = [head]
        if let sourceLine, let loc = d.location, loc.column >= 1 {
            lines.append("  " + sourceLine)
            lines.append("  " + caretLine(for: sourceLine, column: loc.column, length: d.length))
        }
        for note in d.notes { lines.append(note) }
        return lines.joined(separator: "\n")
    }

    /// Spaces up to the column (wide characters count twice, tabs are kept) then `^~~~`.
    func caretLine(for source: String, column: Int, length: Int) -> String {
        var pad = ""
        for (i, scalar) in source.unicodeScalars.enumerated() where i < column - 1 {
            if scalar == "\t" { pad += "\t" } else { pad += String(repeating: " ", count: TextWidth.width(of: scalar)) }
        }
        let covered = source.unicodeScalars.dropFirst(max(column - 1, 0)).prefix(max(length, 1))
        let width = max(covered.reduce(0) { $0 + TextWidth.width(of: $1) }, 1)
        let marks = "^" + String(repeating: "~", count: width - 1)
        return pad + (color ? "\u{1B}[32m\(marks)\u{1B}[0m" : marks)
    }
}
