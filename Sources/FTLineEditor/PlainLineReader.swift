#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines from a file descriptor that is not a terminal (a pipe, a script on stdin).
/// No prompt, no history, no key bindings, so replays are hermetic and fast: input is read in
/// large blocks (libedit on a pipe would read one byte per system call). Invalid UTF-8 becomes
/// U+FFFD, a line may be any length, and a final line without a newline is still a line.
public final class PlainLineReader: LineReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    /// Start of the unread part of `buffer`.
    private var start = 0
    /// Where the search for the next newline resumes, so a long line is scanned once.
    private var scanned = 0
    private var atEnd = false
    private static let blockSize = 1 << 16

    public init(fileDescriptor: Int32 = 0) {
        fd = fileDescriptor
    }

    /// The prompt is ignored: output going to a pipe or log stays free of prompts.
    public func readLine(prompt: String) -> LineReadResult {
        while true {
            if let newline = findNewline() {
                var end = newline
                // Scripts saved with CRLF line endings read the same as LF ones.
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = decode(start..<end)
                start = newline + 1
                scanned = start
                return .line(line)
            }
            if atEnd {
                if start < buffer.count {
                    let line = decode(start..<buffer.count)
                    start = buffer.count
                    scanned = start
                    return .line(line)
                }
                return .eof
            }
            fill()
        }
    }

    /// Non-interactive input keeps no history.
    public func addHistory(_ entry: String) {}

    private func findNewline() -> Int? {
        guard scanned < buffer.count else { return nil }
        let found: Int? = buffer.withUnsafeBufferPointer { bytes in
            let base = bytes.baseAddress! + scanned
            guard let hit = memchr(base, Int32(UInt8(ascii: "\n")), bytes.count - scanned) else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(bytes.baseAddress!)
        }
        if found == nil { scanned = buffer.count }
        return found
    }

    private func fill() {
        // Drop consumed bytes before growing, so memory tracks the longest line, not the input.
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.blockSize))
        var got = -1
        while true {
            got = buffer.withUnsafeMutableBufferPointer { bytes in
                read(fd, bytes.baseAddress! + old, Self.blockSize)
            }
            if got < 0 && errno == EINTR { continue }
            break
        }
        buffer.removeSubrange((old + max(got, 0))...)
        if got <= 0 { atEnd = true }
    }

    private func decode(_ range: Range<Int>) -> String {
        buffer.withUnsafeBufferPointer { bytes in
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
    }
}
