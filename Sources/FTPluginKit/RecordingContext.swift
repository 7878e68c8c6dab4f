import Foundation
import FTCore

/// A command context without a shell: it keeps what commands print and report, draws from a
/// fixed seed, and can run commands given as words, bound exactly as the shell binds them. The
/// fake beside the real session, for plugin tests and other programs that drive commands.
open class RecordingContext: CommandContext, @unchecked Sendable {
    public var printed: [String] = []
    public var reported: [Diagnostic] = []
    public let workspace = Workspace()
    public let workingDirectory: String
    public var seed: UInt64 = 1
    public let clock = SessionClock(frozen: true)
    let commands: [String: CommandSpec]

    public init(directory: String = FileManager.default.currentDirectoryPath, plugins: [Plugin] = []) {
        workingDirectory = directory
        var all: [String: CommandSpec] = [:]
        for spec in plugins.flatMap(\.commands) { all[spec.name] = spec }
        commands = all
    }

    public func print(_ text: String) { printed.append(text) }
    public func printError(_ text: String) { printed.append(text) }
    public func report(_ diagnostic: Diagnostic) { reported.append(diagnostic) }
    public func progress(_ status: ProgressStatus?) {}
    public func resolve(_ path: String) -> String { resolvePath(path, relativeTo: workingDirectory) }
    public func makeRandom() -> SeededRandom { SeededRandom(seed: seed) }
    public var isInteractive: Bool { false }
    public var color: Bool { false }
    public var environment: [String: String] { [:] }
    public func variable(_ name: String) -> Value? { nil }
    public var isCheckMode: Bool { true }
    public func run(source: String, file: String, firstLine: Int) async -> ExitStatus { .ok }
    public func pause(_ prompt: String) -> Bool { true }

    /// Runs a command line given as words (the command's name first).
    @discardableResult
    public func run(_ line: [String]) async throws -> Value {
        for k in stride(from: min(3, line.count), to: 0, by: -1) {
            if let spec = commands[line[0..<k].joined(separator: " ")] {
                let words = line[k...].enumerated().map { i, w in
                    ArgumentWord(value: .string(w), location: SourceLocation(file: "test", line: 1, column: i + 1),
                                 length: w.count, isLiteralText: false)
                }
                let inv = try ArgumentBinder.bind(Array(words), to: spec, at: SourceLocation(file: "test", line: 1, column: 1))
                return try await spec.run!(inv, self)
            }
        }
        throw Diagnostic.error("no command \(line.joined(separator: " "))", id: "test.unknown-command")
    }
}
