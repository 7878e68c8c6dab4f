import FTCore

/// The syntax tree of the ftsh language. A script is a list of statements; most statements
/// are commands (`noun verb args --flags`), a few are language forms (`set`, `if`, `for`,
/// `assert`) that the evaluator runs itself.
public indirect enum Statement: Sendable {
    case command(CommandCall)
    /// `set NAME = EXPR` or `set NAME = COMMAND ...`
    case set(name: String, value: Expression, range: SourceRange)
    case ifChain(branches: [(condition: Expression, body: [Statement])], elseBody: [Statement]?, range: SourceRange)
    case forLoop(variable: String, sequence: Expression, body: [Statement], range: SourceRange)
    case assert(condition: Expression, message: Expression?, range: SourceRange)

    public var range: SourceRange {
        switch self {
        case .command(let c): c.range
        case .set(_, _, let r), .ifChain(_, _, let r), .forLoop(_, _, _, let r), .assert(_, _, let r): r
        }
    }
}

/// A command as written: its words, unevaluated.
public struct CommandCall: Sendable {
    public var words: [Word]
    public var range: SourceRange
    /// The source text of the whole call (for `record` and history).
    public var text: String
}

/// One word of a command line.
public struct Word: Sendable {
    public var parts: [WordPart]
    public var range: SourceRange
    /// Quoted words are never read as flags or command names.
    public var quoted: Bool

    /// The literal text if the word has no substitutions.
    public var literal: String? {
        var s = ""
        for p in parts { guard case .text(let t) = p else { return nil }; s += t }
        return s
    }
}

public enum WordPart: Sendable {
    case text(String)
    /// `$name.field[0]`; `interpolated` when written inside double quotes or next to text.
    case variable(VariableRef)
    /// `$(command ...)`
    case substitution(CommandCall)
    /// `$[expr]` or an expression in an expression-only position.
    case expression(Expression)
}

public struct VariableRef: Sendable {
    public var name: String
    public var accessors: [Accessor]
    public var range: SourceRange
}

public indirect enum Accessor: Sendable {
    case field(String)
    case index(Expression)
}

public indirect enum Expression: Sendable {
    case literal(Value, SourceRange)
    /// Text with substitutions: `"hello $name"` or a bare word.
    case word(Word)
    case variable(VariableRef)
    case list([Expression], SourceRange)
    case record([(String, Expression)], SourceRange)
    case unary(op: String, Expression, SourceRange)
    case binary(op: String, Expression, Expression, SourceRange)
    case command(CommandCall)
    case access(Expression, [Accessor], SourceRange)

    public var range: SourceRange {
        switch self {
        case .literal(_, let r), .list(_, let r), .record(_, let r), .unary(_, _, let r),
             .binary(_, _, _, let r), .access(_, _, let r): r
        case .word(let w): w.range
        case .variable(let v): v.range
        case .command(let c): c.range
        }
    }
}

/// A syntax error. `incomplete` errors (open quote or brace, trailing backslash at the end of
/// the input) make the REPL ask for another line with `..>` instead of failing.
public struct SyntaxError: Error, Sendable {
    public var diagnostic: Diagnostic
    public var incomplete: Bool
}
