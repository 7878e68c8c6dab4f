import Foundation
import Testing
@testable import FTCore

@Suite struct AtomicFileTests {
    func tempDir() -> String {
        let d = NSTemporaryDirectory() + "ftsh-atomic-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func refusesToOverwriteWithoutPermission() throws {
        let d = tempDir()
        let p = d + "/out.txt"
        try AtomicFile.write("one", to: p, overwrite: false)
        #expect(throws: Diagnostic.self) { try AtomicFile.write("two", to: p, overwrite: false) }
        #expect(try String(contentsOfFile: p, encoding: .utf8) == "one")
        try AtomicFile.write("two", to: p, overwrite: true)
        #expect(try String(contentsOfFile: p, encoding: .utf8) == "two")
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["out.txt"])
    }

    @Test func directoryTargetIsAnError() {
        let d = tempDir()
        #expect(throws: Diagnostic.self) { try AtomicFile.write("x", to: d, overwrite: true) }
    }
}
