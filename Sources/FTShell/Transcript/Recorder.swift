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
        lines += Expectations.actual(out: out, err: err, status: status.rawValue).rendered
        commandCount += 1
        try? AtomicFile.write(contents, to: path, overwrite: true)
    }

    var contents: String { lines.joined(separator: "\n") + "\n" }
}
