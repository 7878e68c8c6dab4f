import FTCore
import Testing
@testable import FTLineEditor

@Suite struct CompletionPlanTests {
    func plan(_ text: String, _ start: Int, _ candidates: [String]) -> CompletionAction {
        Completion.plan(textBeforeCursor: text, result: CompletionResult(wordStart: start, candidates: candidates))
    }

    @Test func oneMatchInsertsTheRestAndASpace() {
        #expect(plan("hel", 0, ["help"]) == .edit(delete: 0, insert: "p "))
    }

    @Test func aDirectoryGetsNoSpaceSoThePathCanGoOn() {
        #expect(plan("data load do", 10, ["docs/"]) == .edit(delete: 0, insert: "cs/"))
    }

    @Test func severalMatchesInsertTheirLongestCommonPrefix() {
        #expect(plan("echo da", 5, ["data.jsonl", "data2.jsonl"]) == .edit(delete: 0, insert: "ta"))
    }

    @Test func severalMatchesWithNothingToAddAreListed() {
        #expect(plan("h", 0, ["help", "history"]) == .list(["help", "history"]))
        #expect(plan("he", 0, ["help", "hello"]) == .edit(delete: 0, insert: "l"))
        #expect(plan("hel", 0, ["help", "hello"]) == .list(["help", "hello"]))
    }

    @Test func aVariableKeepsItsDollarLive() {
        #expect(plan("echo $qf", 5, ["$qfoo"]) == .edit(delete: 0, insert: "oo "))
        #expect(plan("echo \"$qf", 5, ["$qfoo"]) == .edit(delete: 0, insert: "oo\" "))
        // A file whose name merely starts with `$` is still written with the escape.
        #expect(plan("data load $a", 10, ["$a b.jsonl"]) == .edit(delete: 2, insert: "\\$a\\ b.jsonl "))
    }

    @Test func noMatchBeeps() {
        #expect(plan("zz", 0, []) == .beep)
        #expect(plan("zz", 0, [""]) == .beep)
    }

    @Test func repeatedCandidatesCountOnce() {
        #expect(plan("hel", 0, ["help", "help"]) == .edit(delete: 0, insert: "p "))
    }

    @Test func spacesAndSpecialCharactersAreEscaped() {
        #expect(plan("cat my", 4, ["my file.txt"]) == .edit(delete: 0, insert: "\\ file.txt "))
        #expect(Completion.escape("a b$c#d{e}'f\"g\\h") == "a\\ b\\$c\\#d\\{e\\}\\'f\\\"g\\\\h")
        #expect(Completion.escape("데이터 파일.jsonl") == "데이터\\ 파일.jsonl")
    }

    @Test func anEscapedTypedWordContinues() {
        let action = plan("cat my\\ f", 4, ["my file.txt", "my fun.txt"])
        #expect(action == .list(["my file.txt", "my fun.txt"]))
        #expect(plan("cat my\\ fi", 4, ["my file.txt"]) == .edit(delete: 0, insert: "le.txt "))
    }

    @Test func anOpenDoubleQuoteIsContinuedAndClosed() {
        #expect(plan("cat \"my f", 4, ["my file.txt"]) == .edit(delete: 0, insert: "ile.txt\" "))
        #expect(plan("cat \"co", 4, ["cost $5"]) == .edit(delete: 0, insert: "st \\$5\" "))
        // A directory inside quotes stays open: the path goes on.
        #expect(plan("cd \"my", 3, ["my dir/"]) == .edit(delete: 0, insert: " dir/"))
    }

    @Test func anOpenSingleQuoteIsContinuedUnlessTheValueHoldsOne() {
        #expect(plan("cat 'my", 4, ["my file"]) == .edit(delete: 0, insert: " file' "))
        #expect(plan("cat 'it", 4, ["it's.txt"]) == .edit(delete: 3, insert: "it\\'s.txt "))
    }

    @Test func aDifferentlyCasedWordIsReplaced() {
        #expect(plan("cat RE", 4, ["readme.md", "readme.txt"]) == .edit(delete: 2, insert: "readme."))
    }

    @Test func koreanWordsCompleteByCharacters() {
        #expect(plan("data load 데", 10, ["데이터.jsonl"]) == .edit(delete: 0, insert: "이터.jsonl "))
        #expect(plan("data load 데", 10, ["데이터.jsonl", "데이터2.jsonl"]) == .edit(delete: 0, insert: "이터"))
    }

    @Test func deletionCountsUnicodeScalarsAsLibeditDoes() {
        // "é" typed decomposed (e + U+0301) is one Character but two wide characters in libedit;
        // the candidate spells it precomposed.
        let typed = "cat re\u{301}"
        #expect(plan(typed, 4, ["r\u{E9}sum\u{E9}.pdf"]) == .edit(delete: 2, insert: "\u{E9}sum\u{E9}.pdf "))
    }

    @Test func anOutOfRangeWordStartIsClamped() {
        #expect(plan("ab", 99, ["x"]) == .edit(delete: 0, insert: "x "))
        #expect(plan("ab", -3, ["abc"]) == .edit(delete: 0, insert: "c "))
    }

    @Test func longestCommonPrefixIsWholeCharacters() {
        #expect(Completion.longestCommonPrefix(["interstellar", "internet", "interval"]) == "inter")
        #expect(Completion.longestCommonPrefix(["가나다", "가나라"]) == "가나")
        #expect(Completion.longestCommonPrefix(["abc"]) == "abc")
        #expect(Completion.longestCommonPrefix(["abc", "xyz"]) == "")
        #expect(Completion.longestCommonPrefix([]) == "")
        // The flag emoji and its base share the first scalar but not the Character.
        #expect(Completion.longestCommonPrefix(["a🇰🇷", "a🇰"]) == "a")
    }

    @Test func listedNamesLeaveOutTheSharedDirectory() {
        #expect(Completion.displayNames(["docs/a.md", "docs/b/"]) == ["a.md", "b/"])
        #expect(Completion.displayNames(["runs/데이터/x", "runs/데이터/y"]) == ["x", "y"])
        #expect(Completion.displayNames(["docs/", "docs/a"]) == ["docs/", "a"])
        #expect(Completion.displayNames(["help", "history"]) == ["help", "history"])
    }
}

@Suite struct CompletionColumnTests {
    @Test func columnsAreLaidOutByDisplayWidth() {
        let lines = Completion.columns(["데이터.jsonl", "a", "bb", "ccc"], width: 30)
        // Widest item is 12 cells, so columns are 14 wide: two fit in 30 cells, filled downwards.
        #expect(lines == ["데이터.jsonl  bb", "a" + String(repeating: " ", count: 13) + "ccc"])
        #expect(lines.map { TextWidth.width(of: $0) } == [16, 17])
    }

    @Test func linesFitTheTerminalAndKeepEveryItemOnce() {
        let items = (1...37).map { i in i % 3 == 0 ? "항목\(i)" : "item-\(i)" }
        for width in [20, 40, 80, 133] {
            let lines = Completion.columns(items, width: width)
            for line in lines {
                #expect(TextWidth.width(of: line) <= width)
                #expect(!line.hasSuffix(" "))
            }
            let found = lines.flatMap { $0.split(separator: " ").map(String.init) }
            #expect(found.sorted() == items.sorted())
        }
    }

    @Test func columnsAreOrderedDownThenAcross() {
        let lines = Completion.columns(["a", "b", "c", "d", "e"], width: 9)
        // Cells are 3 wide: three columns would fit, but two rows of three then leave the
        // third column with one item; ls fills columns top to bottom.
        #expect(lines == ["a  c  e", "b  d"])
    }

    @Test func anItemWiderThanTheTerminalGetsItsOwnLine() {
        let lines = Completion.columns(["a-very-long-name", "b"], width: 8)
        #expect(lines == ["a-very-long-name", "b"])
        #expect(Completion.columns([], width: 80) == [])
    }
}
