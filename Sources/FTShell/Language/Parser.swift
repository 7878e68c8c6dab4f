import FTCore

/// Turns source text into statements. One hand-written recursive-descent parser reads the
/// characters directly, because words and expressions tokenise differently (`gpt-4o-mini` is
/// one word in a command, but `a - b` is a subtraction in an expression).
///
/// The same parser serves the REPL, scripts and `--check`; when the input ends inside a quote,
/// a brace or after a trailing backslash it throws an *incomplete* `SyntaxError`, which the REPL
/// answers with a `..>` prompt.
public struct Parser {
    let s: [Unicode.Scalar]
    let file: String
    var i = 0
    var line: Int
    var lineStart = 0
    var depth = 0
    /// Inside `$( … )` a `)` ends the current word and the command.
    var substitutionDepth = 0
    /// The last line of each top-level statement, for transcripts.
    var statementEndLines: [Int] = []
    static let maxDepth = 200
    static let keywords: Set<String> = ["set", "if", "for", "assert", "else"]

    public init(_ text: String, file: String, firstLine: Int = 1) {
        s = Array(text.unicodeScalars)
        self.file = file
        line = firstLine
    }

    public static func parse(_ text: String, file: String, firstLine: Int = 1) throws(SyntaxError) -> [Statement] {
        var p = Parser(text, file: file, firstLine: firstLine)
        return try p.parseScript(untilBrace: false)
    }

    /// Top-level statements with the lines they span (first, last).
    public static func parseWithLines(_ text: String, file: String) throws(SyntaxError) -> [(statement: Statement, first: Int, last: Int)] {
        var p = Parser(text, file: file)
        let statements = try p.parseScript(untilBrace: false)
        return statements.indices.map { (statements[$0], statements[$0].range.start.line, p.statementEndLines[$0]) }
    }

    // MARK: positions and errors

    var location: SourceLocation { SourceLocation(file: file, line: line, column: i - lineStart + 1) }

    func range(from start: SourceLocation) -> SourceRange {
        SourceRange(start: start, length: start.line == line ? max(1, i - lineStart + 1 - start.column) : 1)
    }

    func error(_ message: String, at loc: SourceLocation? = nil, incomplete: Bool = false) -> SyntaxError {
        SyntaxError(diagnostic: .error(message, id: incomplete ? "syntax.incomplete" : "syntax.error", at: loc ?? location),
                    incomplete: incomplete)
    }

    var atEnd: Bool { i >= s.count }
    var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }
    func peek(_ k: Int) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

    mutating func advance() {
        if s[i] == "\n" { line += 1; lineStart = i + 1 }
        i += 1
    }

    /// Skips blanks and backslash-newline continuations (not newlines).
    mutating func skipBlanks() {
        while let c = peek {
            if c == " " || c == "\t" || c == "\r" { advance() }
            else if c == "\\", peek(1) == "\n" { advance(); advance() }
            else if c == "\\", peek(1) == "\r", peek(2) == "\n" { advance(); advance(); advance() }
            else { return }
        }
    }

    mutating func skipComment() {
        while let c = peek, c != "\n" { advance() }
    }

    /// Skips blanks, newlines, `;` and comments between statements.
    mutating func skipSeparators() {
        while true {
            skipBlanks()
            guard let c = peek else { return }
            if c == "\n" || c == ";" { advance() }
            else if c == "#" { skipComment() }
            else { return }
        }
    }

    // MARK: statements

    mutating func parseScript(untilBrace: Bool) throws(SyntaxError) -> [Statement] {
        var out: [Statement] = []
        while true {
            skipSeparators()
            if atEnd {
                if untilBrace { throw error("expected '}' to close the block", incomplete: true) }
                return out
            }
            if peek == "}" {
                if untilBrace { return out }
                throw error("unexpected '}' without a matching '{'")
            }
            out.append(try parseStatement())
            if !untilBrace { statementEndLines.append(i > 0 && i <= s.count && s[i - 1] == "\n" ? line - 1 : line) }
            skipBlanks()
            if let c = peek, c != "\n", c != ";", c != "#", c != "}" {
                throw error("expected end of statement")
            }
        }
    }

    mutating func parseStatement() throws(SyntaxError) -> Statement {
        let start = location
        let save = (i, line, lineStart)
        if let word = peekBareIdentifier() {
            switch word {
            case "set":
                consumeIdentifier()
                skipBlanks()
                guard let name = readIdentifier() else { throw error("expected a variable name after 'set'") }
                skipBlanks()
                guard peek == "=" else { throw error("expected '=' after 'set \(name)'") }
                advance()
                skipBlanks()
                if atEnd || peek == "\n" || peek == ";" { throw error("expected a value or a command after '='") }
                let value: Expression
                if let w = peekBareIdentifier(), !["true", "false", "null", "not"].contains(w) {
                    value = .command(try parseCommand())
                } else {
                    value = try parseExpression(allowRecord: true)
                }
                return .set(name: name, value: value, range: range(from: start))
            case "if":
                consumeIdentifier()
                var branches: [(Expression, [Statement])] = []
                var elseBody: [Statement]?
                let cond = try parseExpression(allowRecord: false)
                branches.append((cond, try parseBlock()))
                while true {
                    let mark = (i, line, lineStart)
                    skipBlanks()
                    // `else` may sit on the line after `}`.
                    while peek == "\n" { advance(); skipBlanks() }
                    guard peekBareIdentifier() == "else" else { (i, line, lineStart) = mark; break }
                    consumeIdentifier()
                    skipBlanks()
                    if peekBareIdentifier() == "if" {
                        consumeIdentifier()
                        let c = try parseExpression(allowRecord: false)
                        branches.append((c, try parseBlock()))
                    } else {
                        elseBody = try parseBlock()
                        break
                    }
                }
                return .ifChain(branches: branches, elseBody: elseBody, range: range(from: start))
            case "for":
                consumeIdentifier()
                skipBlanks()
                guard let name = readIdentifier() else { throw error("expected a loop variable after 'for'") }
                skipBlanks()
                guard peekBareIdentifier() == "in" else { throw error("expected 'in' after 'for \(name)'") }
                consumeIdentifier()
                let seq = try parseExpression(allowRecord: false)
                return .forLoop(variable: name, sequence: seq, body: try parseBlock(), range: range(from: start))
            case "assert":
                consumeIdentifier()
                skipBlanks()
                if atEnd || peek == "\n" { throw error("expected a condition after 'assert'") }
                let cond = try parseExpression(allowRecord: true)
                skipBlanks()
                var message: Expression?
                if peek == "," {
                    advance()
                    message = try parseExpression(allowRecord: true)
                }
                return .assert(condition: cond, message: message, range: range(from: start))
            case "else":
                throw error("'else' without a matching 'if'")
            default:
                break
            }
        }
        (i, line, lineStart) = save
        return .command(try parseCommand())
    }

    mutating func parseBlock() throws(SyntaxError) -> [Statement] {
        skipBlanks()
        while peek == "\n" { advance(); skipBlanks() }
        guard peek == "{" else {
            if atEnd { throw error("expected '{' to start a block", incomplete: true) }
            throw error("expected '{' to start a block")
        }
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth { throw error("blocks nested too deeply") }
        advance()
        let body = try parseScript(untilBrace: true)
        advance() // the '}'
        return body
    }

    // MARK: commands and words

    mutating func parseCommand() throws(SyntaxError) -> CommandCall {
        let start = location
        let startIndex = i
        var words: [Word] = []
        while true {
            skipBlanks()
            guard let c = peek, c != "\n", c != ";", c != "}" else { break }
            if c == ")" && substitutionDepth > 0 { break }
            if c == "#" { skipComment(); break }
            if c == "{" { throw error("unexpected '{' in a command; blocks follow 'if', 'else' and 'for'") }
            words.append(try parseWord())
        }
        if words.isEmpty { throw error("expected a command") }
        let text = String(String.UnicodeScalarView(s[startIndex..<i])).trimmingTrailingBlanks()
        return CommandCall(words: words, range: range(from: start), text: text)
    }

    static func endsWord(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r" || c == ";" || c == "}" || c == "{"
    }

    mutating func parseWord(singleQuotedSegment: Bool = false) throws(SyntaxError) -> Word {
        let start = location
        var parts: [WordPart] = []
        var text = ""
        var quoted = false
        func flush(_ parts: inout [WordPart], _ text: inout String) {
            if !text.isEmpty { parts.append(.text(text)); text = "" }
        }
        while let c = peek, !Self.endsWord(c), !(c == ")" && substitutionDepth > 0) {
            // In an expression a quoted string is one token: `["a", "b"]`.
            if singleQuotedSegment && quoted { break }
            switch c {
            case "'":
                quoted = true
                let open = location
                advance()
                while true {
                    guard let d = peek else { throw error("unclosed single quote", at: open, incomplete: true) }
                    advance()
                    if d == "'" { break }
                    text.unicodeScalars.append(d)
                }
            case "\"":
                quoted = true
                let open = location
                advance()
                while true {
                    guard let d = peek else { throw error("unclosed double quote", at: open, incomplete: true) }
                    if d == "\"" { advance(); break }
                    if d == "\\" {
                        advance()
                        guard let e = peek else { throw error("unclosed double quote", at: open, incomplete: true) }
                        advance()
                        switch e {
                        case "n": text += "\n"
                        case "t": text += "\t"
                        case "\n": break
                        case "\"", "\\", "$": text.unicodeScalars.append(e)
                        default: text += "\\"; text.unicodeScalars.append(e)
                        }
                        continue
                    }
                    if d == "$", let part = try parseDollar() {
                        flush(&parts, &text)
                        parts.append(part)
                        continue
                    }
                    advance()
                    text.unicodeScalars.append(d)
                }
            case "\\":
                advance()
                guard let e = peek else { throw error("trailing backslash", incomplete: true) }
                advance()
                if e != "\n" { text.unicodeScalars.append(e) }
            case "$":
                if let part = try parseDollar() {
                    flush(&parts, &text)
                    parts.append(part)
                } else {
                    advance()
                    text += "$"
                }
            default:
                advance()
                text.unicodeScalars.append(c)
            }
        }
        flush(&parts, &text)
        if parts.isEmpty { parts = [.text("")] }
        return Word(parts: parts, range: range(from: start), quoted: quoted)
    }

    /// At a `$`: a variable, `${...}` or `$( command )`; nil when the `$` is plain text.
    mutating func parseDollar() throws(SyntaxError) -> WordPart? {
        let start = location
        guard let next = peek(1) else { return nil }
        if next == "(" {
            advance(); advance()
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maxDepth { throw error("substitutions nested too deeply") }
            skipBlanks()
            substitutionDepth += 1
            let call = try parseCommand()
            substitutionDepth -= 1
            skipBlanks()
            guard peek == ")" else {
                if atEnd { throw error("expected ')' to close '$('", at: start, incomplete: true) }
                throw error("expected ')' to close '$('")
            }
            advance()
            return .substitution(call)
        }
        if next == "{" {
            advance(); advance()
            guard let name = readIdentifier() else { throw error("expected a variable name after '${'") }
            let accessors = try parseAccessors()
            guard peek == "}" else {
                if atEnd { throw error("expected '}' to close '${'", at: start, incomplete: true) }
                throw error("expected '}' to close '${'")
            }
            advance()
            return .variable(VariableRef(name: name, accessors: accessors, range: range(from: start)))
        }
        guard Self.isIdentifierStart(next) else { return nil }
        advance()
        let name = readIdentifier()!
        let accessors = try parseAccessors()
        return .variable(VariableRef(name: name, accessors: accessors, range: range(from: start)))
    }

    /// `.field` and `[index]` after a variable. A `.` not followed by a name stays text
    /// (`$name.` at a sentence end).
    mutating func parseAccessors() throws(SyntaxError) -> [Accessor] {
        var out: [Accessor] = []
        while let c = peek {
            if c == ".", let n = peek(1), Self.isIdentifierStart(n) || ("0"..."9").contains(n) {
                advance()
                var name = ""
                while let d = peek, Self.isIdentifierChar(d) { name.unicodeScalars.append(d); advance() }
                out.append(.field(name))
            } else if c == "[" {
                let open = location
                advance()
                let e = try parseExpression(allowRecord: false)
                skipBlanks()
                guard peek == "]" else {
                    if atEnd { throw error("expected ']'", at: open, incomplete: true) }
                    throw error("expected ']' after index")
                }
                advance()
                out.append(.index(e))
            } else {
                break
            }
        }
        return out
    }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_"
    }
    static func isIdentifierChar(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || ("0"..."9").contains(c)
    }

    func peekBareIdentifier() -> String? {
        var k = i
        var name = ""
        while k < s.count, Self.isIdentifierChar(s[k]) || s[k] == "-" { name.unicodeScalars.append(s[k]); k += 1 }
        guard let first = name.unicodeScalars.first, Self.isIdentifierStart(first) else { return nil }
        if k < s.count, !Self.endsWord(s[k]), s[k] != "#" { return nil }
        return name
    }

    mutating func consumeIdentifier() {
        while let c = peek, Self.isIdentifierChar(c) || c == "-" { advance() }
    }

    mutating func readIdentifier() -> String? {
        guard let c = peek, Self.isIdentifierStart(c) else { return nil }
        var name = ""
        while let d = peek, Self.isIdentifierChar(d) { name.unicodeScalars.append(d); advance() }
        return name
    }
}

extension String {
    func trimmingTrailingBlanks() -> String {
        var s = self
        while let last = s.unicodeScalars.last, last == " " || last == "\t" || last == "\r" { s.unicodeScalars.removeLast() }
        return s
    }
}
