import Foundation
import FTCore

/// Writes a live session as a `.ftsh` transcript: each command as typed, then its output as
/// expectations. The file is rewritten atomically after every command, so a crash loses at
/// most the command that was running.
public final class Recorder: @unchecked Sendable {
    public let path: String
    public let displayPath: String
    public private(set) var commandCount = 0
    private var lines: [String]

    public init(path: String, displayPath: String, seed: UInt64) {
        self.path = path
        self.displayPath = displayPath
        lines = ["# ftsh transcript. Replay: ftsh \(URL(fileURLWithPath: displayPath).lastPathComponent)   Check: ftsh --check \(URL(fileURLWithPath: displayPath).lastPathComponent)",
                 "seed \(seed)"]
    }

    /// The name locations in the transcript use (what `--check` will print).
    public var fileName: String { URL(fileURLWithPath: displayPath).lastPathComponent }

    /// The line the next recorded command will start on.
    public var nextLine: Int { lines.count + 1 }

    public func start(overwrite: Bool) throws(Diagnostic) {
        try AtomicFile.write(contents, to: path, overwrite: overwrite)
    }

    /// Adds one command and what it printed.
    public func add(command: String, out: String, err: String, status: ExitStatus) {
        lines.append(command)
        // What a terminal showed in colour is checked without it.
        lines += Expectations.actual(out: Self.plain(out), err: Self.plain(err), status: status.rawValue).rendered
        commandCount += 1
        try? AtomicFile.write(contents, to: path, overwrite: true)
    }

    var contents: String { lines.joined(separator: "\n") + "\n" }

    /// `text` without terminal colour sequences (ESC [ … m).
    static func plain(_ text: String) -> String {
        guard text.contains("\u{1B}") else { return text }
        var out = "", scalars = Array(text.unicodeScalars), i = 0
        while i < scalars.count {
            if scalars[i] == "\u{1B}", i + 1 < scalars.count, scalars[i + 1] == "[" {
                var j = i + 2
                while j < scalars.count, !(0x40...0x7E).contains(scalars[j].value) { j += 1 }
                i = j + 1
                continue
            }
            out.unicodeScalars.append(scalars[i])
            i += 1
        }
        return out
    }
}
