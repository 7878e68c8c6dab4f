import Foundation
import FTCore
import FTPluginKit

/// Settings fixed for a whole run, mostly from the command line.
public struct SessionOptions: Sendable {
    public var interactive = false
    public var color = false
    public var jsonOutput = false
    public var keepGoing = false
    public var checkMode = false
    public var seed: UInt64 = 0
    public var echo = false
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public init() {}
}

/// One ftsh session: variables, aliases, workspace objects, the seeded generator, and the
/// commands it can run. Statements run one at a time on one task.
public final class Session: CommandContext, @unchecked Sendable {
    public let registry: PluginRegistry
    public let output: Output
    public var options: SessionOptions
    public private(set) var variables: [String: Value] = [:]
    public var aliases: [String: String] = [:]
    public let workspace = Workspace()
    public private(set) var rng: SeededRandom
    public var workingDirectory: String
    public let clock: SessionClock
    public let paths: Paths
    /// The session's history, for the `history` builtin (set by the REPL).
    public var historyEntries: () -> [String] = { [] }
    /// The transcript being recorded with `record start`.
    public var recorder: Recorder?
    /// Files being `source`d, to refuse a file that sources itself.
    var sourceStack: [String] = []
    /// The script file being run (`ftsh FILE`, `--check FILE`, `source FILE`).
    public var scriptPath: String?
    /// Set by `exit`: the REPL or script stops with this status.
    public var exitRequest: ExitStatus?

    public init(registry: PluginRegistry, output: Output, options: SessionOptions) {
        self.registry = registry
        self.output = output
        self.options = options
        rng = SeededRandom(seed: options.seed)
        workingDirectory = FileManager.default.currentDirectoryPath
        clock = SessionClock(frozen: options.checkMode)
        paths = Paths(environment: options.environment)
    }

    // MARK: variables and seed

    public func variable(_ name: String) -> Value? { variables[name] }

    public func setVariable(_ name: String, _ value: Value) { variables[name] = value }

    @discardableResult
    public func removeVariable(_ name: String) -> Bool { variables.removeValue(forKey: name) != nil }

    public func reseed(_ seed: UInt64) {
        options.seed = seed
        rng = SeededRandom(seed: seed)
    }

    // MARK: CommandContext

    public func print(_ text: String) { output.line(text) }
    public func printError(_ text: String) { output.line(text, to: .err) }

    public func report(_ diagnostic: Diagnostic) {
        output.line(DiagnosticPrinter(color: options.color).format(diagnostic),
                    captured: DiagnosticPrinter(color: false).format(diagnostic), to: .err)
    }

    public func progress(_ status: ProgressStatus?) {
        output.progress(status?.render())
    }

    /// Resolves a path the person wrote. `@share/…` names ftsh's shared files (sample data,
    /// lessons, the bundled model) wherever ftsh is installed, so scripts and lessons can use
    /// them from any folder and print the same path on every machine.
    public func resolve(_ path: String) -> String {
        if path.hasPrefix("@share/") {
            let rest = String(path.dropFirst("@share/".count))
            let dirs = Paths.shareDirectories(environment: options.environment)
            let hit = dirs.first { FileManager.default.fileExists(atPath: $0 + "/" + rest) } ?? dirs.first
            if let hit { return hit + "/" + rest }
        }
        return resolvePath(path, relativeTo: workingDirectory)
    }

    public func makeRandom() -> SeededRandom { SeededRandom(seed: rng.next()) }

    public var isInteractive: Bool { options.interactive }
    public var color: Bool { options.color }
    public var environment: [String: String] { options.environment }
    public var isCheckMode: Bool { options.checkMode }

    public func pause(_ prompt: String) -> Bool {
        guard options.interactive, !options.checkMode else { return true }
        output.write(prompt, to: .err)
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            if Interrupt.isSet { output.write("\n", to: .err); return false }
            var pfd = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready <= 0 { continue }
            let n = read(0, &byte, 1)
            if n <= 0 { return false }
            if byte == 0x0A { break }
            line.append(byte)
        }
        let answer = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        return !(answer == "q" || answer == "quit")
    }

    /// The width tables may use.
    public var renderOptions: RenderOptions {
        RenderOptions(color: options.color, width: output.isTerminal ? output.terminalColumns() : 100)
    }
}
