import Testing
@testable import FTCore

@Suite struct TextWidthTests {
    @Test(arguments: [("abc", 3), ("한국어", 6), ("日本", 4), ("e\u{301}", 1), ("👍", 2), ("👩‍👩‍👧", 2), ("", 0), ("ｆｕｌｌ", 8)])
    func widths(text: String, width: Int) {
        #expect(TextWidth.width(of: text) == width)
    }

    @Test func tablesAlignWideText() {
        let t = Table(headers: ["이름", "n"], rows: [["가나다", "1"], ["ab", "22"]], rightAligned: [1])
        let lines = t.render().split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        // Every line's second column ends at the same display column.
        let ends = lines.map { TextWidth.width(of: $0) }
        #expect(Set(ends).count == 1, "\(lines)")
    }

    @Test func truncateAddsEllipsisWithinWidth() {
        let s = TextWidth.truncate("가나다라마바사", to: 7)
        #expect(TextWidth.width(of: s) <= 7)
        #expect(s.hasSuffix("…"))
    }

    @Test func caretUnderWideCharacters() {
        let d = Diagnostic.error("bad", id: "x.y", at: SourceLocation(file: "f", line: 1, column: 4), length: 2)
        let text = DiagnosticPrinter.plain.format(d, sourceLine: "한국 ab")
        #expect(text == "error: f:1:4: bad [x.y]\n  한국 ab\n       ^~")
    }
}
