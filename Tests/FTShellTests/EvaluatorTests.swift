import Testing
@testable import FTShell
@testable import FTCore
@testable import FTPluginKit

/// Runs source in a fresh session and returns (stdout, stderr, status).
func run(_ source: String, seed: UInt64 = 0) async -> (out: String, err: String, status: Int32) {
    let registry = PluginRegistry()
    registry.register(Builtins.plugin())
    var options = SessionOptions()
    options.seed = seed
    let session = Session(registry: registry, output: Output(passThrough: false, isTerminal: false), options: options)
    let (status, out, err) = await session.output.capture { await session.run(source: source, file: "t.ftsh") }
    return (out, err, status.rawValue)
}

@Suite struct EvaluatorTests {
    @Test func variablesAndInterpolation() async {
        let r = await run("set n = 3\nset name = \"x\"\necho \"$name has ${n} and $n.\"")
        #expect(r.out == "x has 3 and 3.\n")
    }

    @Test func arithmeticPrecedence() async {
        #expect(await run("set x = 2 + 3 * 4 - 10 / 5\necho $x").out == "12\n")
        #expect(await run("set x = -(2 + 1) % 2\necho $x").out == "-1\n")
        #expect(await run("set x = 0.1 + 0.2\necho $x").out == "0.30000000000000004\n")
    }

    @Test func comparisonsAndLogic() async {
        #expect(await run("assert 2 < 10 and \"b\" > \"a\" and not false and (1 == 1 or x)").status == 0)
        #expect(await run("assert [1, 2] contains 2 and {a: 1} contains a and \"abc\" matches \"^a.c$\"").status == 0)
        // Words arrive as text; comparisons treat numeric text as numbers.
        #expect(await run("set x = 10\nassert $x == \"10\"\nassert \"9\" < $x").status == 0)
    }

    @Test func shortCircuitSkipsErrors() async {
        #expect(await run("assert true or $undefined").status == 0)
        #expect(await run("assert not (false and $undefined)").status == 0)
    }

    @Test func loopsAndBlocks() async {
        let r = await run("set total = 0\nfor x in [1, 2, 3] { set total = $total + $x }\necho $total\nfor i in 2 { echo i$i }")
        #expect(r.out == "6\ni0\ni1\n")
    }

    @Test func firstErrorStopsAScript() async {
        let r = await run("echo a\nbogus\necho b")
        #expect(r.out == "a\n")
        #expect(r.status == 2)
        #expect(r.err.hasPrefix("error: t.ftsh:2:1: unknown command 'bogus' [usage.unknown-command]"))
    }

    @Test func assertionMessageShowsValues() async {
        let r = await run("set n = 4\nassert $n > 5, \"need more\"")
        #expect(r.err == "error: t.ftsh:2:1: assertion failed: $n (4) > 5: need more [shell.assertion]\n")
        #expect(r.status == 1)
    }

    @Test func jsonFlagPrintsTheValue() async {
        #expect(await run("echo 한국어 --json").out == "\"한국어\"\n")
    }

    @Test func lastResultIsKept() async {
        #expect(await run("echo one\necho $_ two").out == "one\none two\n")
    }

    @Test func aliasesExpand() async {
        #expect(await run("alias hi = echo hello\nhi world").out == "hello world\n")
        #expect(await run("alias loop = loop\nloop").err.contains("alias-loop"))
    }

    @Test func seedResetsTheSessionStream() async {
        let a = await run("seed 5\nseed")
        #expect(a.out == "5\n")
    }

    @Test func helpIsBuiltFromTheDeclaration() async {
        let r = await run("help seed")
        #expect(r.out.hasPrefix("usage: seed [N]\n"))
        #expect(r.out.contains("examples:\n  seed\n  seed 42"))
        let bad = await run("seed --sede 3")
        #expect(bad.err.contains("unknown flag --sede"))
        #expect(bad.status == 2)
    }

    @Test func unknownGroupSubcommandSuggests() async {
        let r = await run("record strat x.ftsh")
        #expect(r.err.contains("did you mean 'record start'?"))
    }
}
