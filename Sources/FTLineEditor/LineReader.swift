import FTCore
import Synchronization
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
    /// SA_RESTART keeps unrelated reads and writes from failing with EINTR. Because the signal
    /// may land on any thread, the handler also writes a byte to a wake-up pipe that the editor's
    /// key reader watches: a read blocked on another thread would never see EINTR.
    public static func installInterruptHandler() {
        // Both are lazily initialised globals: touch them here so the handler never runs
        // Swift's one-time initialisation inside a signal.
        _ = Interrupt.isSet
        makeWakePipe()
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in Signals.interrupted() }
        #else
        action.__sigaction_u.__sa_handler = { _ in Signals.interrupted() }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(SA_RESTART)
        sigaction(SIGINT, &action, nil)
    }

    /// Notes each return to the foreground (SIGCONT) so the editor can redraw its line: libedit
    /// restores the terminal itself but leaves the redraw to its own key reader, which ftsh
    /// replaces. libedit passes the signal on to this handler after its own.
    static func installContinueHandler() {
        _ = continued.load(ordering: .relaxed)
        makeWakePipe()
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in Signals.wake(setting: Signals.continued) }
        #else
        action.__sigaction_u.__sa_handler = { _ in Signals.wake(setting: Signals.continued) }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(SA_RESTART)
        sigaction(SIGCONT, &action, nil)
    }

    /// Set by SIGCONT; the editor clears it when it redraws.
    static let continued = Atomic<Bool>(false)

    /// The read end of the wake-up pipe, or -1 before `installInterruptHandler`.
    static var wakeFileDescriptor: Int32 { wakeRead.load(ordering: .acquiring) }

    /// Empties the wake-up pipe (it holds one byte per signal since it was last drained).
    static func drainWakePipe() { TerminalInput.drain(wakeFileDescriptor) }

    private static let wakeRead = Atomic<Int32>(-1)
    private static let wakeWrite = Atomic<Int32>(-1)

    private static func makeWakePipe() {
        guard wakeRead.load(ordering: .acquiring) < 0 else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds {
            // Non-blocking so the handler can never hang on a full pipe.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        guard wakeRead.compareExchange(expected: -1, desired: fds[0], ordering: .acquiringAndReleasing).exchanged else {
            close(fds[0])
            close(fds[1])
            return
        }
        wakeWrite.store(fds[1], ordering: .releasing)
    }

    /// Signal handlers: only atomics and write(2), and errno is left as found.
    private static func interrupted() {
        let saved = errno
        Interrupt.set()
        writeWakeByte()
        errno = saved
    }

    private static func wake(setting flag: borrowing Atomic<Bool>) {
        let saved = errno
        flag.store(true, ordering: .relaxed)
        writeWakeByte()
        errno = saved
    }

    private static func writeWakeByte() {
        let fd = wakeWrite.load(ordering: .relaxed)
        if fd >= 0 {
            var byte: UInt8 = 1
            _ = write(fd, &byte, 1)
        }
    }
}
