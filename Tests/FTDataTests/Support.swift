import FTCore
import Foundation
@testable import FTData

/// Counts space-separated words: easy to work out by hand in expectations.
struct WordCounter: TokenCounter {
    func count(_ text: String) -> Int { text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count }
}

/// A fresh directory per test, removed when the value goes away.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "ftdata-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String, _ text: String) -> String { file(name, bytes: Array(text.utf8)) }

    func file(_ name: String, bytes: [UInt8]) -> String {
        let p = path + "/" + name
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
}

/// A valid chat line with the given user and assistant text.
func chatLine(_ user: String, _ assistant: String, system: String? = "You are helpful.") -> String {
    var messages: [String] = []
    if let system { messages.append(#"{"role":"system","content":\#(JSON.quote(system))}"#) }
    messages.append(#"{"role":"user","content":\#(JSON.quote(user))}"#)
    messages.append(#"{"role":"assistant","content":\#(JSON.quote(assistant))}"#)
    return #"{"messages":[\#(messages.joined(separator: ","))]}"#
}

/// `n` distinct valid chat lines.
func validLines(_ n: Int, from start: Int = 0) -> [String] {
    (start..<(start + n)).map { chatLine("question number \($0)", "answer number \($0)") }
}

func check(_ text: String, name: String = "t.jsonl", options: CheckOptions = CheckOptions()) throws -> CheckReport {
    let dir = TempDir()
    let path = dir.file(name, text)
    return try DataCheck.check(path: path, display: name, options: options)
}

extension CheckReport {
    func ids() -> Set<String> { Set(findings.map(\.id)) }
    func first(_ id: String) -> Diagnostic? { findings.first { $0.id == id } }
}
