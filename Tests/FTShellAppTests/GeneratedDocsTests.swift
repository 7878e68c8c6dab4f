import Foundation
import Testing
@testable import FTShellApp

/// The files in share/ derived from the command declarations must match what the current
/// declarations generate; `scripts/gen-docs` rewrites them.
@Suite struct GeneratedDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func committed(_ path: String) -> String? { try? String(contentsOfFile: Self.root + "/" + path, encoding: .utf8) }

    @Test func commandReferenceIsCurrent() {
        let registry = CommandLineApp.makeRegistry(environment: [:])
        #expect(committed("share/reference/commands.md") == ReferenceDoc.markdown(registry: registry),
                "share/reference/commands.md is stale: run scripts/gen-docs")
    }

    @Test func manPageIsCurrent() {
        let registry = CommandLineApp.makeRegistry(environment: [:])
        #expect(committed("share/man/man1/ftsh.1") == ReferenceDoc.manPage(registry: registry, version: CommandLineApp.version),
                "share/man/man1/ftsh.1 is stale: run scripts/gen-docs")
    }

    @Test func completionScriptsAreCurrent() {
        let registry = CommandLineApp.makeRegistry(environment: [:])
        for (file, shell) in [("ftsh.bash", CompletionScripts.Shell.bash), ("_ftsh", .zsh), ("ftsh.fish", .fish)] {
            #expect(committed("share/completions/" + file) == CompletionScripts.script(for: shell, registry: registry),
                    "share/completions/\(file) is stale: run scripts/gen-docs")
        }
    }
}
