import Testing
@testable import FTShell
@testable import FTCore

@Suite struct ParserTests {
    func parse(_ s: String) throws -> [Statement] { try Parser.parse(s, file: "t") }

    func words(_ s: String) throws -> [String] {
        guard case .command(let c)? = try parse(s).first else { Issue.record("not a command"); return [] }
        return c.words.map { $0.literal ?? "<sub>" }
    }

    @Test func wordsQuotesAndEscapes() throws {
        #expect(try words(#"data check 'my file.jsonl' --model gpt-4o-mini"#) == ["data", "check", "my file.jsonl", "--model", "gpt-4o-mini"])
        #expect(try words(#"echo a\ b "c\"d" 'e\n'"#) == ["echo", "a b", "c\"d", "e\\n"])
        #expect(try words("echo 한국어 \"둘\"") == ["echo", "한국어", "둘"])
    }

    @Test func commentsAndSeparators() throws {
        let s = try parse("echo a # comment\n\n; echo b; echo c # x")
        #expect(s.count == 3)
    }

    @Test func continuationJoinsLines() throws {
        #expect(try words("echo a \\\n b") == ["echo", "a", "b"])
    }

    @Test(arguments: ["echo \"open", "echo 'open", "if 1 {", "for x in [1, 2", "echo a \\", "set x = (1 +", "echo $(echo a", "echo ${x"])
    func incompleteInputAsksForMore(_ text: String) {
        do {
            _ = try Parser.parse(text, file: "t")
            Issue.record("expected incomplete: \(text)")
        } catch {
            #expect(error.incomplete, "\(text): \(error.diagnostic)")
        }
    }

    @Test(arguments: [("}", 1, 1), ("echo {", 1, 6), ("else { }", 1, 1), ("set = 3", 1, 5), ("set x 3", 1, 7), ("if 1 echo", 1, 6), ("set x = [1 2]", 1, 12)])
    func syntaxErrorsAreLocated(text: String, line: Int, column: Int) {
        do {
            _ = try Parser.parse(text, file: "t")
            Issue.record("expected an error: \(text)")
        } catch {
            #expect(!error.incomplete, "\(text)")
            #expect(error.diagnostic.location?.line == line)
            #expect(error.diagnostic.location?.column == column, "\(text): \(error.diagnostic)")
        }
    }

    @Test func setTakesACommandOrAnExpression() throws {
        guard case .set(_, .command(let c), _)? = try parse("set ds = data load x.jsonl").first else { Issue.record("command"); return }
        #expect(c.words.count == 3)
        guard case .set(_, .binary("+", _, _, _), _)? = try parse("set n = $a + 1").first else { Issue.record("expr"); return }
    }

    @Test func ifElseChainsAcrossLines() throws {
        let s = try parse("if $a > 1 {\n echo a\n}\nelse if $a == 1 { echo b }\nelse {\n echo c\n}")
        guard case .ifChain(let branches, let elseBody, _)? = s.first else { Issue.record("if"); return }
        #expect(branches.count == 2)
        #expect(elseBody?.count == 1)
        #expect(s.count == 1)
    }

    @Test func statementLinesForTranscripts() throws {
        let items = try Parser.parseWithLines("echo a\n#=> a\nfor x in [1] {\n  echo $x\n}\n# note\necho b", file: "t")
        #expect(items.map { [$0.first, $0.last] } == [[1, 1], [3, 5], [7, 7]])
    }

    @Test func hugeAndHostileInputsDoNotCrash() {
        _ = try? Parser.parse(String(repeating: "a", count: 1 << 20), file: "t")
        _ = try? Parser.parse(String(repeating: "$(", count: 10_000), file: "t")
        _ = try? Parser.parse(String(repeating: "if 1 {", count: 10_000), file: "t")
        _ = try? Parser.parse("set x = " + String(repeating: "(", count: 10_000), file: "t")
        _ = try? Parser.parse("\u{FFFD}\u{0}\u{7}", file: "t")
    }
}

@Suite struct SubstitutionTests {
    @Test func closingParenEndsTheSubstitutedCommand() throws {
        let s = try Parser.parse("for p in $(plugins) { echo $p }", file: "t")
        guard case .forLoop(_, .command(let call), _, _)? = s.first else { Issue.record("for over a substitution"); return }
        #expect(call.words.map { $0.literal } == ["plugins"])
    }

    @Test func parenthesesOutsideSubstitutionsAreText() throws {
        guard case .command(let c)? = try Parser.parse("echo (x) a)b", file: "t").first else { Issue.record("command"); return }
        #expect(c.words.map { $0.literal } == ["echo", "(x)", "a)b"])
    }
}
