import CLibEdit
import Foundation
import Testing
@testable import FTLineEditor

/// Entries that exercise every escape: multi-line commands, Korean, backslashes, tabs, control
/// characters, trailing spaces, and one that reads exactly like the file's header.
let awkwardEntries = [
    "echo 안녕하세요",
    "data load \"훈련 데이터.jsonl\"\nset x = 1",
    "for f in a b {\n  echo $f \\\n    done\n}",
    "path C:\\temp\\new",
    "tab\there  ",
    "ctl\u{1}x\u{7F}y\r",
    "_HiStOrY_V2_",
    "emoji 👩‍💻 🇰🇷",
    " leading space",
]

@Suite struct HistoryFormatTests {
    @Test func encodingMatchesWhatLibeditWrites() {
        // Lines written by libedit 3.1's H_SAVE for the same entries.
        #expect(HistoryFormat.encode("echo a b\tc") == "echo\\040a\\040b\\011c")
        #expect(HistoryFormat.encode("multi\nline \\ back") == "multi\\012line\\040\\134\\040back")
        #expect(HistoryFormat.encode("한국어 데이터.jsonl") == "한국어\\040데이터.jsonl")
    }

    @Test func everyEntryIsOneLine() {
        for entry in awkwardEntries {
            let line = HistoryFormat.encode(entry)
            #expect(!line.contains("\n") && !line.contains("\r") && !line.contains(" "))
            #expect(line != HistoryFormat.header)
        }
    }

    @Test func entriesSurviveARoundTrip() {
        let file = HistoryFormat.render(awkwardEntries)
        #expect(file.hasPrefix("_HiStOrY_V2_\n"))
        #expect(HistoryFormat.parse(Array(file.utf8)) == awkwardEntries)
    }

    @Test func decodingUnderstandsTheOtherVisForms() {
        #expect(HistoryFormat.decode(Array("ctl\\^Ax\\^?y".utf8)) == "ctl\u{1}x\u{7F}y")
        #expect(HistoryFormat.decode(Array("a\\sb\\tc\\nd\\\\e".utf8)) == "a b\tc\nd\\e")
        // 가 is EA B0 80: meta-j, meta-0, meta-control-@.
        #expect(HistoryFormat.decode(Array("\\M-j\\M-0\\M-^@".utf8)) == "가")
        #expect(HistoryFormat.decode(Array("\\7\\101B".utf8)) == "\u{7}AB")
        // What libedit writes when the C library's locale is not UTF-8.
        let cLocaleLine = #"echo\040\M-l\M^U\M^H\M-k\M^E\M^U\040\M-p\M^_\M^Q\M-)\M-b\M^@\M^M\M-p\M^_\M^R\M-;\040\M-p\M^_\M^G\M-0\M-p\M^_\M^G\M-7"#
        #expect(HistoryFormat.decode(Array(cLocaleLine.utf8)) == "echo 안녕 👩‍💻 🇰🇷")
        #expect(HistoryFormat.decode(Array(#"ctl\^Ax\^?y\^M"#.utf8)) == "ctl\u{1}x\u{7F}y\r")
        #expect(HistoryFormat.decode(Array("end\\".utf8)) == "end\\")
    }

    @Test func parsingIsLenient() {
        var bytes = Array("_HiStOrY_V2_\r\none\r\n\n_HiStOrY_V2_\ntwo\\040words\nbad ".utf8)
        bytes += [0xFF, 0xC3]
        bytes += Array("\nno newline at end".utf8)
        #expect(HistoryFormat.parse(bytes) == ["one", "two words", "bad \u{FFFD}\u{FFFD}", "no newline at end"])
        #expect(HistoryFormat.parse([UInt8]()) == [])
    }

    @Test func libeditReadsOurFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/history"
        try HistoryFormat.render(awkwardEntries).write(toFile: path, atomically: false, encoding: .utf8)
        let h = try #require(history_init())
        defer { history_end(h) }
        ft_history_setsize(h, 100)
        #expect(ft_history_load(h, path) == Int32(awkwardEntries.count))
        #expect(libeditEntries(h) == awkwardEntries)
    }

    @Test func weReadLibeditsFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/history"
        let h = try #require(history_init())
        defer { history_end(h) }
        ft_history_setsize(h, 100)
        Terminal.setUpUTF8Locale()
        for entry in awkwardEntries { ft_history_enter(h, entry) }
        #expect(ft_history_save(h, path) == Int32(awkwardEntries.count))
        let data = try #require(FileManager.default.contents(atPath: path))
        // libedit writes a header-like entry as is; ftsh reads every such line as a header, since
        // two sessions creating the file at once may each write one.
        #expect(HistoryFormat.parse(data) == awkwardEntries.filter { $0 != HistoryFormat.header })
    }

    func libeditEntries(_ h: OpaquePointer) -> [String] {
        var out: [String] = []
        var p = ft_history_walk(h, 1)
        while let s = p {
            out.append(String(cString: s))
            p = ft_history_walk(h, 0)
        }
        return out
    }
}

/// A directory removed when the test ends.
final class TemporaryDirectory {
    let path: String
    init() throws {
        var template = Array((NSTemporaryDirectory() + "/ftsh-le-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: p)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
