import Testing
@testable import FTTokenizer

/// Piece boundaries from the pattern documentation, one rule at a time.
@Suite struct PreTokenizerTests {
    @Test func cl100kRules() {
        let p = PreTokenizer.cl100k
        #expect(p.pieces("1234567") == ["123", "456", "7"])
        #expect(p.pieces(" 123") == [" ", "123"])
        #expect(p.pieces("x  \n\n y") == ["x", "  \n\n", " y"])
        #expect(p.pieces("  hello") == [" ", " hello"])
        #expect(p.pieces(" (hello") == [" (", "hello"])
        #expect(p.pieces("(hello") == ["(hello"])
        #expect(p.pieces("it's") == ["it", "'s"])
        #expect(p.pieces("I'M") == ["I", "'M"])
        #expect(p.pieces("!!\n/") == ["!!\n", "/"])
        #expect(p.pieces("a  \n  ") == ["a", "  \n  "])
        #expect(p.pieces("camelCaseWord") == ["camelCaseWord"])
    }

    @Test func o200kRules() {
        let p = PreTokenizer.o200k
        #expect(p.pieces("camelCaseWord") == ["camel", "Case", "Word"])
        #expect(p.pieces("XMLHttpRequest") == ["XMLHttp", "Request"])
        #expect(p.pieces("HTTPServer") == ["HTTPServer"])
        #expect(p.pieces("world's") == ["world's"])
        #expect(p.pieces("I'M") == ["I'M"])
        #expect(p.pieces("!!\n/") == ["!!\n/"])
        #expect(p.pieces("a  \n  ") == ["a", "  \n", "  "])
        #expect(p.pieces("한국어 문장") == ["한국어", " 문장"])
        #expect(p.pieces("한A") == ["한", "A"])
        #expect(p.pieces("it'ſ") == ["it'ſ"])
    }

    @Test func r50kRules() {
        let p = PreTokenizer.r50k
        #expect(p.pieces("Hello world's 12345 !!") == ["Hello", " world", "'s", " 12345", " !!"])
        #expect(p.pieces("I'M") == ["I", "'", "M"])
        #expect(p.pieces("a   b") == ["a", "  ", " b"])
        #expect(p.pieces("end  ") == ["end", "  "])
    }

    @Test func piecesCoverTheText() {
        let texts = ["", "a", " ", "\r\n\r\n", "👨‍👩‍👧‍👦 x", "e\u{301}\u{301}", "\u{301}A", "mixed 한국어 text 123 !!"]
        for kind in PreTokenizer.allCases {
            for t in texts { #expect(kind.pieces(t).joined() == t, "\(kind) \(t.debugDescription)") }
        }
    }
}
