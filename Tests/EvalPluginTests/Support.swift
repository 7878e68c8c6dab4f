import FTCore
import FTPluginKit
import Foundation
import Testing

/// The error a body throws must be a `Diagnostic` with this id; returns it for more checks.
@discardableResult
func expectDiagnostic(_ id: String, sourceLocation: Testing.SourceLocation = #_sourceLocation,
                      _ body: () throws -> Void) -> Diagnostic? {
    do {
        try body()
        Issue.record("expected \(id), nothing was thrown", sourceLocation: sourceLocation)
    } catch let d as Diagnostic {
        #expect(d.id == id, "\(d)", sourceLocation: sourceLocation)
        return d
    } catch {
        Issue.record("expected \(id), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

func expectDiagnostic(_ id: String, sourceLocation: Testing.SourceLocation = #_sourceLocation,
                      _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(id), nothing was thrown", sourceLocation: sourceLocation)
    } catch let d as Diagnostic {
        #expect(d.id == id, "\(d)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(id), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A session stand-in: records what a command prints and reports, with a seeded generator.
final class TestContext: CommandContext, @unchecked Sendable {
    var printed: [String] = []
    var reported: [Diagnostic] = []
    let workspace = Workspace()
    let workingDirectory: String
    var seed: UInt64 = 1

    init(directory: String = FileManager.default.currentDirectoryPath) { workingDirectory = directory }

    func print(_ text: String) { printed.append(text) }
    func printError(_ text: String) { printed.append(text) }
    func report(_ diagnostic: Diagnostic) { reported.append(diagnostic) }
    func progress(_ status: ProgressStatus?) {}
    func resolve(_ path: String) -> String { resolvePath(path, relativeTo: workingDirectory) }
    func makeRandom() -> SeededRandom { SeededRandom(seed: seed) }
    var isInteractive: Bool { false }
    var color: Bool { false }
    let clock = SessionClock(frozen: true)
    var environment: [String: String] { [:] }
    func variable(_ name: String) -> Value? { nil }
    var isCheckMode: Bool { true }
    func run(source: String, file: String, firstLine: Int) async -> FTCore.ExitStatus { .ok }
    func pause(_ prompt: String) -> Bool { true }
}

/// A fresh folder under the system's temporary folder.
func temporaryFolder(_ label: String) throws -> String {
    let dir = NSTemporaryDirectory() + "ftsh-evalplugin-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}
