import FTCore

/// How an argument or flag value is completed at the prompt and in shell completion scripts.
public enum CompletionKind: Sendable, Hashable {
    case none
    /// Paths; with extensions, files are filtered to those (folders always shown).
    case file(extensions: [String])
    case directory
    /// A fixed set of words (also what `choice` types complete to).
    case choices([String])
    /// Names of session variables.
    case variable
    /// Names of workspace objects, optionally of one kind (`dataset`, `model`, `run`, …).
    case object(kind: String?)
    /// Command names (for `help`).
    case command
}

/// The type an argument's words are converted to before the command runs.
public enum ArgumentType: Sendable, Hashable {
    case string
    case int
    case number
    case bool
    /// A path, resolved against the session's working directory.
    case path
    /// One of a fixed set of words.
    case choice([String])
    /// Any value as given (a `$variable` keeps its type).
    case value

    public var placeholder: String {
        switch self {
        case .string: "TEXT"
        case .int: "N"
        case .number: "X"
        case .bool: "true|false"
        case .path: "PATH"
        case .choice(let words): words.joined(separator: "|")
        case .value: "VALUE"
        }
    }
}

/// A positional argument.
public struct ArgumentSpec: Sendable {
    public var name: String
    public var summary: String
    public var type: ArgumentType
    public var completion: CompletionKind
    public var optional: Bool
    /// Takes all remaining positional words (as a list).
    public var variadic: Bool

    public init(_ name: String, _ summary: String, type: ArgumentType = .string,
                completion: CompletionKind? = nil, optional: Bool = false, variadic: Bool = false) {
        self.name = name
        self.summary = summary
        self.type = type
        self.optional = optional
        self.variadic = variadic
        if let completion {
            self.completion = completion
        } else if case .choice(let words) = type {
            self.completion = .choices(words)
        } else if type == .path {
            self.completion = .file(extensions: [])
        } else {
            self.completion = .none
        }
    }
}

/// A `--flag`. A flag of type `.bool` takes no value (`--force`); any other type takes one
/// (`--rank 8` or `--rank=8`).
public struct FlagSpec: Sendable {
    public var name: String
    public var short: Character?
    public var summary: String
    public var type: ArgumentType
    public var defaultValue: Value
    public var completion: CompletionKind
    /// May be given more than once; the value is then a list.
    public var repeatable: Bool

    public init(_ name: String, _ summary: String, type: ArgumentType = .bool, default defaultValue: Value? = nil,
                short: Character? = nil, completion: CompletionKind? = nil, repeatable: Bool = false) {
        self.name = name
        self.short = short
        self.summary = summary
        self.type = type
        self.repeatable = repeatable
        self.defaultValue = defaultValue ?? (type == .bool ? .bool(false) : .null)
        if let completion {
            self.completion = completion
        } else if case .choice(let words) = type {
            self.completion = .choices(words)
        } else if type == .path {
            self.completion = .file(extensions: [])
        } else {
            self.completion = .none
        }
    }

    public var takesValue: Bool { type != .bool }
}

/// How a command's result is shown to people (`--json` always prints the value as JSON).
public enum Display: Sendable {
    /// The generic rendering of the value (tables for lists of records, `key  value` lines…).
    case value
    /// Nothing: the command printed what people need while it ran.
    case none
    /// A custom rendering.
    case custom(@Sendable (Value, RenderOptions) -> String)
}

public struct RenderOptions: Sendable {
    public var color: Bool
    public var width: Int
    public init(color: Bool, width: Int) { self.color = color; self.width = width }
}

/// A command, declared once. Help, tab completion, usage errors, the generated reference in
/// `share/` and the shell completion scripts all read this declaration.
public struct CommandSpec: Sendable {
    /// The words that name it: `["data", "check"]`, `["echo"]`.
    public var path: [String]
    public var summary: String
    /// Longer text for `help CMD`, in plain sentences.
    public var discussion: String
    public var arguments: [ArgumentSpec]
    public var flags: [FlagSpec]
    public var examples: [String]
    public var display: Display
    /// Language forms (`set`, `if`, `for`, `assert`) are run by the evaluator itself; their
    /// declaration exists for help and completion.
    public var isSyntax: Bool
    public var run: (@Sendable (Invocation, CommandContext) async throws -> Value)?

    public init(_ path: [String], summary: String, discussion: String = "",
                arguments: [ArgumentSpec] = [], flags: [FlagSpec] = [], examples: [String] = [],
                display: Display = .value, isSyntax: Bool = false,
                run: (@Sendable (Invocation, CommandContext) async throws -> Value)? = nil) {
        self.path = path
        self.summary = summary
        self.discussion = discussion
        self.arguments = arguments
        self.flags = flags
        self.examples = examples
        self.display = display
        self.isSyntax = isSyntax
        self.run = run
    }

    public var name: String { path.joined(separator: " ") }

    public func flag(named name: String) -> FlagSpec? { flags.first { $0.name == name } }

    /// The flags every command accepts, handled by the shell.
    public static let commonFlags: [FlagSpec] = [
        FlagSpec("json", "Print the result as JSON."),
        FlagSpec("help", "Show this command's help.", short: "h"),
    ]

    /// `data split DATASET [--valid X] [--seed N]`
    public var usage: String {
        var parts = [name]
        for a in arguments {
            var word = a.name.uppercased()
            if a.variadic { word += "..." }
            parts.append(a.optional ? "[\(word)]" : word)
        }
        for f in flags {
            let text = f.takesValue ? "--\(f.name) \(f.type.placeholder)" : "--\(f.name)"
            parts.append("[\(text)]")
        }
        return parts.joined(separator: " ")
    }
}

/// A group of commands shipped together: built in (compiled into ftsh) or external (an
/// executable speaking the JSON-lines protocol).
public struct Plugin: Sendable {
    public var name: String
    public var summary: String
    public var version: String
    public var commands: [CommandSpec]
    /// Where an external plugin's executable lives; nil for built-ins.
    public var executable: String?

    public init(name: String, summary: String, version: String = "1", commands: [CommandSpec], executable: String? = nil) {
        self.name = name
        self.summary = summary
        self.version = version
        self.commands = commands
        self.executable = executable
    }
}
