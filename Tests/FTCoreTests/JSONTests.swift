import Testing
@testable import FTCore

@Suite struct JSONTests {
    @Test func roundTripKeepsKeyOrderAndTypes() throws {
        let text = #"{"b":1,"a":[true,null,"x\n\u00e9",2.5],"c":{}}"#
        let v = try JSON.decode(text)
        #expect(JSON.encode(v) == #"{"b":1,"a":[true,null,"x\né",2.5],"c":{}}"#)
        #expect(v.recordValue?.keys == ["b", "a", "c"])
    }

    @Test func surrogatePairsDecode() throws {
        let v = try JSON.decode(#""\ud83d\ude00""#)
        #expect(v == .string("😀"))
    }

    @Test(arguments: [
        (#"{"a":1,}"#, 1, 8), (#"{"a" 1}"#, 1, 6), ("[1,\n2,,3]", 2, 3), (#""abc"#, 1, 5),
        (#"{"a":1,"a":2}"#, 1, 13), ("01", 1, 2), (#""\ud800""#, 1, 8), ("tru", 1, 1),
    ])
    func errorsAreLocated(text: String, line: Int, column: Int) {
        do {
            _ = try JSON.decode(text, file: "t.jsonl")
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.location?.line == line, "\(text): \(error)")
            #expect(error.location?.column == column, "\(text): \(error)")
            #expect(error.id == "data.invalid-json")
        }
    }

    @Test func invalidUTF8InStringIsAnError() {
        #expect(throws: Diagnostic.self) { try JSON.decode(bytes: [0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: Diagnostic.self) { try JSON.decode(deep) }
    }

    @Test func escapesControlCharactersWhenWriting() {
        #expect(JSON.quote("a\u{01}\"\\") == #""a\u0001\"\\""#)
    }
}
