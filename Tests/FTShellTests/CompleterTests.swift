import Foundation
import Testing
@testable import FTShell
@testable import FTCore
@testable import FTPluginKit

@Suite struct CompleterTests {
    func session() -> Session {
        let registry = PluginRegistry()
        registry.register(Builtins.plugin())
        registry.register(Plugin(name: "data", summary: "", commands: [
            CommandSpec(["data", "check"], summary: "", arguments: [ArgumentSpec("file", "", completion: .file(extensions: ["jsonl"]))]),
        ]))
        return Session(registry: registry, output: Output(passThrough: false, isTerminal: false), options: SessionOptions())
    }

    /// Where a file goes, a dataset of the session may go too; `@` starts ftsh's `@share/`.
    @Test func fileArgumentsOfferWorkspaceObjectsAndTheShareFolder() {
        let s = session()
        _ = s.workspace.put("x", kind: "dataset", name: "qa_train")
        let c = Completer(session: s)
        #expect(c.complete("data check qa").candidates.contains("qa_train"))
        #expect(c.complete("data check @sh").candidates == ["@share/"])
        #expect(c.complete("data check @x").candidates.isEmpty)
        // Inside a folder path only files are offered.
        #expect(!c.complete("data check ./qa").candidates.contains("qa_train"))
    }
}
