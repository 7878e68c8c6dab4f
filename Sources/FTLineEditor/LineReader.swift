import FTCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one read of a logical line gave.
public enum LineReadResult: Sendable, Equatable {
    /// A line without its trailing newline (a recalled multi-line history entry keeps its inner newlines).
    case line(String)
    /// Ctrl-C while typing: the partial line was discarded.
    case interrupted
    /// End of input (Ctrl-D on an empty line, or the end of a pipe or file).
    case eof
}

/// The one shape the shell's read loop is written against, whether a person is typing
/// (`LineEditor`) or input comes from a pipe or a file (`PlainLineReader`).
public protocol LineReader: AnyObject {
    func readLine(prompt: String) -> LineReadResult
    func addHistory(_ entry: String)
}

public enum Terminal {
    /// Interactive means a person at a terminal on both ends: reading a pipe or writing into one
    /// must stay hermetic (no prompt, no history, no `.editrc`), as in psql.
    public static var isInteractive: Bool { isatty(0) != 0 && isatty(1) != 0 }

    /// Width of the terminal in cells: the window size of stdout, else `$COLUMNS`, else 80.
    public static var columns: Int {
        var size = winsize()
        for fd: Int32 in [1, 2, 0] where ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let text = getenv("COLUMNS"), let n = Int(String(cString: text)), n > 0 { return n }
        return 80
    }

    /// Makes the C library decode UTF-8 input. Swift never calls setlocale itself, and without
    /// it libedit silently drops every byte of a Korean character typed at the prompt. When the
    /// user's locale is not UTF-8 (e.g. `LANG=C`), only character classification switches to
    /// C.UTF-8 so messages and collation stay as the user set them.
    @discardableResult
    public static func setUpUTF8Locale() -> Bool {
        setlocale(LC_ALL, "")
        if isUTF8Codeset() { return true }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil {
            if isUTF8Codeset() { return true }
        }
        return false
    }

    static func isUTF8Codeset() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).lowercased().filter { $0 != "-" }
        return name == "utf8"
    }
}

public enum Signals {
    /// Routes Ctrl-C to `FTCore.Interrupt` instead of killing the process. The interactive editor
    /// needs it before its first read (libedit re-raises SIGINT to the whole process group after
    /// restoring the terminal, which with the default action kills the shell and its parent);
    /// scripts need it so Ctrl-C stops the running command and the shell exits with status 130.
    /// SA_RESTART keeps unrelated reads and writes from failing with EINTR; libedit's own handler,
    /// active only inside `el_gets`, is what interrupts the read of a line.
    public static func installInterruptHandler() {
        // The flag is a lazily initialised global: touch it here so the handler never runs
        // Swift's one-time initialisation inside a signal.
        _ = Interrupt.isSet
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in Interrupt.set() }
        #else
        action.__sigaction_u.__sa_handler = { _ in Interrupt.set() }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(SA_RESTART)
        sigaction(SIGINT, &action, nil)
    }
}
