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

/// The plugin kit's recording context stands in for a session.
typealias TestContext = RecordingContext

/// A fresh folder under the system's temporary folder.
func temporaryFolder(_ label: String) throws -> String {
    let dir = NSTemporaryDirectory() + "ftsh-evalplugin-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}
