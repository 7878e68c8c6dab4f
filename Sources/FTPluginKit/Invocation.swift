import FTCore

/// One evaluated word of a command line: its value and where it was written.
public struct ArgumentWord: Sendable {
    public var value: Value
    public var location: SourceLocation
    public var length: Int
    /// Quoted or substituted words are never read as flags.
    public var isLiteralText: Bool

    public init(value: Value, location: SourceLocation, length: Int, isLiteralText: Bool) {
        self.value = value
        self.location = location
        self.length = length
        self.isLiteralText = isLiteralText
    }
}

/// A command's arguments after binding to its declaration: every declared argument and flag
/// has a typed value (or its default), and each knows where it came from for error messages.
public struct Invocation: Sendable {
    public var spec: CommandSpec
    public var values: [String: Value]
    public var locations: [String: SourceRange]
    /// Where the command itself starts.
    public var location: SourceLocation
    public var json: Bool

    public init(spec: CommandSpec, values: [String: Value], locations: [String: SourceRange],
                location: SourceLocation, json: Bool) {
        self.spec = spec
        self.values = values
        self.locations = locations
        self.location = location
        self.json = json
    }

    public subscript(name: String) -> Value { values[name] ?? .null }

    public func string(_ name: String) -> String? { values[name]?.stringValue ?? values[name].flatMap { $0 == .null ? nil : $0.text } }
    public func int(_ name: String) -> Int? { values[name]?.intValue }
    public func number(_ name: String) -> Double? { values[name]?.numberValue }
    public func flag(_ name: String) -> Bool { values[name]?.boolValue ?? false }
    public func has(_ name: String) -> Bool { locations[name] != nil }

    /// The location of an argument or flag, falling back to the command's own.
    public func location(of name: String) -> SourceLocation { locations[name]?.start ?? location }

    /// An error pointing at the named argument or flag.
    public func error(_ message: String, id: String, at name: String? = nil, notes: [String] = []) -> Diagnostic {
        let range = name.flatMap { locations[$0] }
        return .error(message, id: id, at: range?.start ?? location, length: range?.length ?? 0, notes: notes)
    }
}

extension ArgumentSpec {
    /// `… as NAME`: the trailing words that name what a command makes in the workspace.
    /// Commands read them with `Invocation.resultName(default:)`.
    public static let resultName = ArgumentSpec("as", "'as NAME' names the result.", optional: true, variadic: true)
}

extension Invocation {
    /// The NAME of a trailing `as NAME`, or `name` when there is none.
    public func resultName(default name: String) throws(Diagnostic) -> String {
        let words = (self["as"].listValue ?? []).map(\.text)
        if words.isEmpty { return name }
        guard words.count == 2, words[0] == "as", !words[1].isEmpty else {
            throw error("expected 'as NAME' after the arguments", id: "usage.bad-argument", at: "as")
        }
        return words[1]
    }
}
