/// The one diagnostic type of ftsh. Every error, warning and note that reaches a user —
/// from the lexer, a plugin, a data validator or the network — is one of these, printed by
/// `DiagnosticPrinter`, so messages look the same wherever they come from.
public struct Diagnostic: Sendable, Hashable, Codable, Error, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable, Comparable {
        case note, warning, error
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        private var rank: Int { switch self { case .note: 0; case .warning: 1; case .error: 2 } }
    }

    public var severity: Severity
    /// Where it happened; `nil` for errors about the whole run (a missing file, a network failure).
    public var location: SourceLocation?
    /// Lower-case, says what was expected: `expected "messages" array`.
    public var message: String
    /// A stable `category.check` id, e.g. `data.missing-messages`, `shell.unknown-command`.
    public var id: String
    /// Columns to underline after `location.column` (0 means just a caret).
    public var length: Int
    /// Follow-up lines: usage, "did you mean", hints.
    public var notes: [String]
    /// The exit status a script run ends with when this error stops it.
    public var exitStatus: ExitStatus

    public init(_ severity: Severity = .error, _ message: String, id: String,
                at location: SourceLocation? = nil, length: Int = 0,
                notes: [String] = [], exitStatus: ExitStatus? = nil) {
        self.severity = severity
        self.message = message
        self.id = id
        self.location = location
        self.length = length
        self.notes = notes
        self.exitStatus = exitStatus ?? ExitStatus.forCategory(id)
    }

    public static func error(_ message: String, id: String, at location: SourceLocation? = nil,
                             length: Int = 0, notes: [String] = [], exitStatus: ExitStatus? = nil) -> Diagnostic {
        Diagnostic(.error, message, id: id, at: location, length: length, notes: notes, exitStatus: exitStatus)
    }

    public static func warning(_ message: String, id: String, at location: SourceLocation? = nil,
                               notes: [String] = []) -> Diagnostic {
        Diagnostic(.warning, message, id: id, at: location, notes: notes)
    }

    /// The same diagnostic with a location filled in when it has none (errors thrown deep in a
    /// library learn where they happened from the command that called it).
    public func located(_ fallback: SourceLocation?, length: Int = 0) -> Diagnostic {
        guard location == nil, let fallback else { return self }
        var copy = self
        copy.location = fallback
        copy.length = length
        return copy
    }

    public var description: String { DiagnosticPrinter.plain.format(self) }
}

/// Exit statuses of `ftsh` runs (sysexits where one fits).
public struct ExitStatus: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = ExitStatus(rawValue: 0)
    /// A command ran and failed.
    public static let failure = ExitStatus(rawValue: 1)
    /// The command was called wrongly (unknown command or flag, bad argument, syntax error).
    public static let usage = ExitStatus(rawValue: 2)
    /// The input data was malformed (EX_DATAERR).
    public static let dataError = ExitStatus(rawValue: 65)
    /// A bug in ftsh itself (EX_SOFTWARE).
    public static let internalError = ExitStatus(rawValue: 70)
    /// Stopped by Ctrl-C (128 + SIGINT).
    public static let interrupted = ExitStatus(rawValue: 130)

    /// Usage and syntax categories end with status 2, data findings with 65, the rest with 1.
    public static func forCategory(_ id: String) -> ExitStatus {
        if id.hasPrefix("usage.") || id.hasPrefix("syntax.") { return .usage }
        if id.hasPrefix("data.") { return .dataError }
        if id == "shell.interrupted" { return .interrupted }
        if id.hasPrefix("internal.") { return .internalError }
        return .failure
    }
}

/// Thrown by long-running work that saw the interrupt flag; the shell turns it into status 130.
public struct Interrupted: Error, Sendable {
    public var detail: String
    public init(_ detail: String = "interrupted") { self.detail = detail }
}
