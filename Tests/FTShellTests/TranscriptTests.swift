import Testing
@testable import FTShell
@testable import FTCore
@testable import FTPluginKit

@Suite struct TranscriptTests {
    func session() -> Session {
        let registry = PluginRegistry()
        registry.register(Builtins.plugin())
        var options = SessionOptions()
        options.checkMode = true
        options.keepGoing = true
        return Session(registry: registry, output: Output(passThrough: false, isTerminal: false), options: options)
    }

    @Test func matchingTranscriptPasses() async {
        let text = "echo a\n#=> a\nbogus\n#!> error: t.ftsh:3:1: unknown command 'bogus' [usage.unknown-command]\n#!> try 'help' for the list of commands\n#? 2\n"
        let r = await Transcript.check(text, file: "t.ftsh", session: session())
        #expect(r.passed, "\(r.report())")
        #expect(r.commands == 2)
    }

    @Test func mismatchGivesADiffAndAnUpdate() async {
        let text = "# header\necho a\n#=> b\necho c\n"
        let r = await Transcript.check(text, file: "t.ftsh", session: session())
        #expect(r.mismatches.count == 2)
        #expect(r.report().contains("-#=> b\n+#=> a"))
        #expect(r.updatedText == "# header\necho a\n#=> a\necho c\n#=> c\n")
    }

    @Test func ellipsisAndRegexLines() {
        let e = Expectations(out: ["first", "...", "last \\d+ (re)"])
        #expect(e.matches(Expectations(out: ["first", "x", "y", "last 42"])))
        #expect(e.matches(Expectations(out: ["first", "last 7"])))
        #expect(!e.matches(Expectations(out: ["first", "last x"])))
    }
}
