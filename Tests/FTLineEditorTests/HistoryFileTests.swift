import FTCore
import Foundation
import Testing
@testable import FTLineEditor

@Suite struct HistoryFileTests {
    func fileText(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    @Test func appendCreatesThePrivateFileAndItsDirectory() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/state/ftsh/history"
        let file = HistoryFile(path: path, limit: 10)
        #expect(try file.load() == [])
        try file.append("echo 안녕")
        try file.append("multi\nline")
        #expect(fileText(path) == "_HiStOrY_V2_\necho\\040안녕\nmulti\\012line\n")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try file.load() == ["echo 안녕", "multi\nline"])
    }

    @Test func loadTrimsTheFileToTheLimit() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/history"
        let entries = (1...25).map { "cmd \($0)\n데이터" }
        for e in entries { try HistoryFile(path: path, limit: 10).append(e) }
        #expect(try HistoryFile(path: path, limit: 10).load(trim: false) == Array(entries.suffix(10)))
        #expect(HistoryFormat.parse(Array(fileText(path).utf8)).count == 25)
        #expect(try HistoryFile(path: path, limit: 10).load() == Array(entries.suffix(10)))
        #expect(fileText(path) == HistoryFormat.render(Array(entries.suffix(10))))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Within the limit the file is left alone.
        #expect(try HistoryFile(path: path, limit: 50).load() == Array(entries.suffix(10)))
    }

    @Test func twoSessionsAppendingAtOnceKeepEveryEntry() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/history"
        let perSession = 300
        // Long entries make a torn or overwritten line show up as a decoding mismatch.
        let payload = String(repeating: "가나다 ", count: 200)
        await withTaskGroup(of: Void.self) { group in
            for session in ["A", "B"] {
                group.addTask {
                    let file = HistoryFile(path: path, limit: 10_000)
                    for i in 0..<perSession { try? file.append("\(session) \(i) \(payload)") }
                }
            }
        }
        let loaded = try HistoryFile(path: path, limit: 10_000).load()
        #expect(loaded.count == 2 * perSession)
        for session in ["A", "B"] {
            let mine = loaded.filter { $0.hasPrefix(session + " ") }
            #expect(mine == (0..<perSession).map { "\(session) \($0) \(payload)" })
        }
    }

    @Test func anUnwritablePlaceIsADiagnostic() throws {
        let dir = try TemporaryDirectory()
        let blocker = dir.path + "/not-a-dir"
        FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        let file = HistoryFile(path: blocker + "/history", limit: 10)
        #expect { try file.append("x") } throws: { ($0 as? Diagnostic)?.id == "history.unwritable" }
        #expect(try file.load() == [])
    }
}

@Suite(.serialized) struct LineEditorHistoryTests {
    func editor(_ path: String?, size: Int = 2000) -> LineEditor {
        LineEditor(historyFile: path, historySize: size) { _ in CompletionResult(wordStart: 0, candidates: []) }
    }

    @Test func entriesGoToTheFileAtOnceAndComeBackAfterARestart() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/ftsh/history"
        do {
            let first = editor(path)
            first.addHistory("echo 안녕하세요")
            first.addHistory("data load \"a b.jsonl\"\nset x = 1")
            #expect(try HistoryFile(path: path).load() == first.historyEntries)
            #expect(first.historyProblem == nil)
        }
        let second = editor(path)
        #expect(second.historyEntries == ["echo 안녕하세요", "data load \"a b.jsonl\"\nset x = 1"])
    }

    @Test func repeatsOfThePreviousEntryAndBlankEntriesAreSkipped() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/history"
        let e = editor(path)
        for entry in ["ls", "ls", "", "  \n", "help", "ls", "ls"] { e.addHistory(entry) }
        #expect(e.historyEntries == ["ls", "help", "ls"])
        #expect(try HistoryFile(path: path).load() == ["ls", "help", "ls"])
    }

    @Test func memoryKeepsTheNewestEntriesUpToTheSize() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/history"
        let e = editor(path, size: 3)
        for i in 1...5 { e.addHistory("cmd \(i)") }
        #expect(e.historyEntries == ["cmd 3", "cmd 4", "cmd 5"])
        // The file keeps growing during the session and is trimmed at the next start.
        #expect(try HistoryFile(path: path, limit: 100).load(trim: false).count == 5)
        #expect(editor(path, size: 3).historyEntries == ["cmd 3", "cmd 4", "cmd 5"])
        #expect(try HistoryFile(path: path, limit: 100).load(trim: false).count == 3)
    }

    @Test func sizeZeroTurnsHistoryOffAndLeavesTheFileAlone() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/history"
        try HistoryFile(path: path).append("kept")
        let e = editor(path, size: 0)
        e.addHistory("not kept")
        #expect(e.historyEntries == [])
        #expect(try HistoryFile(path: path).load() == ["kept"])
    }

    @Test func withoutAFileHistoryStaysInMemory() {
        let e = editor(nil)
        e.addHistory("one")
        #expect(e.historyEntries == ["one"])
        #expect(e.historyProblem == nil)
    }

    @Test func anUnreadableHistoryIsReportedNotFatal() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/history"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let e = editor(path)
        #expect(e.historyEntries == [])
        e.addHistory("still works")
        #expect(e.historyEntries == ["still works"])
        #expect(e.historyProblem != nil)
    }
}
