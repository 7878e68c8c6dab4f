/// A place in a source: a script, a data file, or the line typed at the prompt.
/// Lines and columns are 1-based; columns count Unicode scalars, as editors do.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A half-open region in a single source line, used to draw a caret under the offending word.
public struct SourceRange: Sendable, Hashable, Codable {
    public var start: SourceLocation
    /// Number of columns covered (at least 1 when drawn).
    public var length: Int

    public init(start: SourceLocation, length: Int) {
        self.start = start
        self.length = length
    }
}
