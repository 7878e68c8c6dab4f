import FTCore

/// What a running command may use of the session it runs in. Plugins see only this protocol,
/// never the shell, so they can be driven by tests or by `ftsh serve` as well as by the REPL.
///
/// Commands run one at a time; a context is only touched from the task running the command.
public protocol CommandContext: AnyObject, Sendable {
    /// Writes to standard output (a newline is added).
    func print(_ text: String)
    /// Writes to standard error (a newline is added).
    func printError(_ text: String)
    /// Reports a warning or note while the command goes on.
    func report(_ diagnostic: Diagnostic)
    /// Shows a live status line on a terminal (nothing elsewhere); `nil` clears it.
    func progress(_ status: ProgressStatus?)

    var workingDirectory: String { get }
    /// Resolves a user path against the working directory (and `~`).
    func resolve(_ path: String) -> String
    /// A generator seeded from the session's stream: the same script with the same `seed`
    /// gives every command the same numbers on every machine.
    func makeRandom() -> SeededRandom
    var workspace: Workspace { get }
    var isInteractive: Bool { get }
    var color: Bool { get }
    var clock: SessionClock { get }
    var environment: [String: String] { get }
    /// A session variable (`set lang = ko` is read by plugins as `variable("lang")`).
    func variable(_ name: String) -> Value?
    /// Whether expected outputs are being checked (`--check`): commands avoid anything that
    /// varies between runs (absolute temp paths, timings).
    var isCheckMode: Bool { get }
    /// The script being run or checked (absolute path), if any: plugins keep companion files
    /// beside it, such as a recorded HTTP cassette.
    var scriptPath: String? { get }

    /// Runs ftsh source in this session as if it were typed, printing results and errors;
    /// for lessons and demos. Stops at the first error.
    func run(source: String, file: String, firstLine: Int) async -> ExitStatus
    /// Waits for the person between steps of a lesson. Returns false when they ask to stop
    /// (`q`, Ctrl-C or end of input); returns true at once when nobody is at a terminal.
    func pause(_ prompt: String) -> Bool
}

/// A live status line: `training  step 12/200  loss 2.31  ETA 0:41`.
public struct ProgressStatus: Sendable {
    public var label: String
    public var fraction: Double?
    public var detail: String

    public init(label: String, fraction: Double? = nil, detail: String = "") {
        self.label = label
        self.fraction = fraction
        self.detail = detail
    }

    /// One terminal line with a bar of `barWidth` cells.
    public func render(barWidth: Int = 24) -> String {
        var line = label
        if let fraction {
            let f = Swift.max(0, Swift.min(1, fraction))
            let full = Int(f * Double(barWidth))
            line += " [" + String(repeating: "█", count: full) + String(repeating: "░", count: barWidth - full) + "]"
            line += " " + String(Int((f * 100).rounded())) + "%"
        }
        if !detail.isEmpty { line += "  " + detail }
        return line
    }
}

/// The named objects of a session: datasets, models, runs, jobs, files. A value handle
/// (`ObjectRef`) names an entry; the entry holds the object itself.
public final class Workspace: @unchecked Sendable {
    public struct Entry: @unchecked Sendable {
        public var kind: String
        public var object: Any
        public var summary: Record
    }

    private var entries: [String: Entry] = [:]
    public private(set) var order: [String] = []

    public init() {}

    /// Stores an object under `name`, replacing any previous one, and returns its handle.
    @discardableResult
    public func put(_ object: Any, kind: String, name: String, summary: Record = Record()) -> Value {
        if entries[name] == nil { order.append(name) }
        entries[name] = Entry(kind: kind, object: object, summary: summary)
        return .object(ObjectRef(kind: kind, name: name, summary: summary))
    }

    public func entry(_ name: String) -> Entry? { entries[name] }

    public func handle(_ name: String) -> Value? {
        entries[name].map { .object(ObjectRef(kind: $0.kind, name: name, summary: $0.summary)) }
    }

    /// The object named `name` if it is a `T`.
    public func get<T>(_ name: String, as type: T.Type) -> T? { entries[name]?.object as? T }

    @discardableResult
    public func remove(_ name: String) -> Bool {
        guard entries.removeValue(forKey: name) != nil else { return false }
        order.removeAll { $0 == name }
        return true
    }

    public func names(kind: String? = nil) -> [String] {
        order.filter { kind == nil || entries[$0]?.kind == kind }
    }

    /// A fresh name like `dataset1`, `dataset2` for objects created without `as NAME`.
    public func freshName(_ base: String) -> String {
        var n = 1
        while entries["\(base)\(n)"] != nil { n += 1 }
        return "\(base)\(n)"
    }

    /// Resolves a command argument that names an object: a handle value, or a name string.
    public func lookup(_ value: Value) -> (name: String, entry: Entry)? {
        let name: String
        switch value {
        case .object(let ref): name = ref.name
        case .string(let s): name = s
        default: return nil
        }
        return entries[name].map { (name, $0) }
    }
}

extension CommandContext {
    /// Contexts that never run scripts (test stand-ins) have none.
    public var scriptPath: String? { nil }
}
