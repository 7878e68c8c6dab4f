import FTCore
#if canImport(Glibc)
import Glibc
#endif

/// Where everything a session prints goes. All output flows through here so that `record`
/// can tee it into a transcript, `--check` can capture it per command, and a progress line
/// never garbles results.
public final class Output: @unchecked Sendable {
    public enum Stream: Sendable { case out, err }

    /// Write-through to the process's stdout/stderr (false when fully captured, as in tests).
    let passThrough: Bool
    /// Stacked captures: each `capture { }` collects what was printed inside it.
    private var captures: [(out: String, err: String)] = []
    private var progressShown = false
    public let isTerminal: Bool

    public init(passThrough: Bool, isTerminal: Bool) {
        self.passThrough = passThrough
        self.isTerminal = isTerminal
    }

    public func write(_ text: String, to stream: Stream = .out) {
        clearProgress()
        if !captures.isEmpty {
            let k = captures.count - 1
            if stream == .out { captures[k].out += text } else { captures[k].err += text }
        }
        if passThrough { Self.rawWrite(text, fd: stream == .out ? 1 : 2) }
    }

    public func line(_ text: String, to stream: Stream = .out) { write(text + "\n", to: stream) }

    /// A line shown one way and kept another: a live error has colour and the source line
    /// with a caret, but a recorded transcript keeps it as a script run prints it.
    public func line(_ shown: String, captured: String, to stream: Stream) {
        clearProgress()
        if !captures.isEmpty {
            let k = captures.count - 1
            if stream == .out { captures[k].out += captured + "\n" } else { captures[k].err += captured + "\n" }
        }
        if passThrough { Self.rawWrite(shown + "\n", fd: stream == .out ? 1 : 2) }
    }

    /// Shows or clears the live status line (terminal only, on stderr, never captured).
    public func progress(_ text: String?) {
        guard isTerminal, passThrough else { return }
        if let text {
            let width = max(20, terminalColumns() - 1)
            Self.rawWrite("\r\u{1B}[2K" + TextWidth.truncate(text, to: width), fd: 2)
            progressShown = true
        } else {
            clearProgress()
        }
    }

    func clearProgress() {
        guard progressShown else { return }
        Self.rawWrite("\r\u{1B}[2K", fd: 2)
        progressShown = false
    }

    /// Runs `body`, returning what it printed (still written through if `passThrough`).
    public func capture<T>(_ body: () async throws -> T) async rethrows -> (T, out: String, err: String) {
        captures.append(("", ""))
        do {
            let r = try await body()
            let c = captures.removeLast()
            appendToOuter(c)
            return (r, c.out, c.err)
        } catch {
            let c = captures.removeLast()
            appendToOuter(c)
            throw error
        }
    }

    /// Begins a capture that the caller ends with `endCapture()` (for code that cannot nest
    /// a closure, such as the REPL's recorder).
    public func beginCapture() { captures.append(("", "")) }
    public func endCapture() -> (out: String, err: String) {
        let c = captures.removeLast()
        appendToOuter(c)
        return c
    }

    private func appendToOuter(_ c: (out: String, err: String)) {
        guard !captures.isEmpty else { return }
        captures[captures.count - 1].out += c.out
        captures[captures.count - 1].err += c.err
    }

    static func rawWrite(_ text: String, fd: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buf in
                Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return // a closed pipe: nothing more to do
            }
            offset += n
        }
        bytes.removeAll()
    }

    func terminalColumns() -> Int {
        var ws = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        return 80
    }
}
