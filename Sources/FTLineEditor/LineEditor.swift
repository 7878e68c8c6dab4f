import CLibEdit
import FTCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The interactive prompt, on libedit: emacs (or the user's `~/.editrc`) key bindings, UTF-8
/// input, TAB completion asked of the shell, persistent history, Ctrl-C and Ctrl-D.
/// Use it only when `Terminal.isInteractive`. It is not thread-safe: one thread reads lines.
/// `readLine` blocks that thread while the user types (better a dedicated thread than one of
/// the concurrency pool's); Ctrl-C reaches it whichever thread the signal lands on.
public final class LineEditor: LineReader {
    private var el: OpaquePointer?
    private var history: OpaquePointer?
    private let completer: (CompletionRequest) -> CompletionResult
    private let store: HistoryFile?
    private let historyLimit: Int
    private var entries: [String] = []
    /// The prompt libedit draws. libedit keeps the pointer the prompt function returns, so the
    /// text lives in memory this object owns until the next prompt replaces it.
    private var promptText: UnsafeMutablePointer<CChar>?
    /// Used only if libedit cannot be set up at all, so the shell still reads lines.
    private lazy var fallback = PlainLineReader()

    /// The last problem reading or writing the history file (the session goes on without it).
    public private(set) var historyProblem: Diagnostic?

    /// Lists with more entries than this ask before filling the screen, as readline does.
    public var listQueryThreshold = 100

    public init(historyFile: String?, historySize: Int = 2000,
                completer: @escaping (CompletionRequest) -> CompletionResult) {
        self.completer = completer
        historyLimit = max(0, historySize)
        // A size of 0 turns history off; the file is then left as it is, not trimmed to nothing.
        store = historySize > 0 ? historyFile.map { HistoryFile(path: $0, limit: historySize) } : nil
        Terminal.setUpUTF8Locale()
        Signals.installInterruptHandler()
        Signals.installContinueHandler()
        input.wakeFD = Signals.wakeFileDescriptor
        if let store {
            do { entries = try store.load() } catch { historyProblem = error }
        }
        setUp()
    }

    deinit {
        if let el { el_end(el) }
        if let history { history_end(history) }
        free(promptText)
    }

    public var historyEntries: [String] { entries }

    public func readLine(prompt: String) -> LineReadResult {
        guard let el else { return fallback.readLine(prompt: prompt) }
        setPrompt(prompt)
        // A Ctrl-C pressed while the previous command ran was meant for that command.
        Interrupt.clear()
        Signals.drainWakePipe()
        decoder.reset()
        var count: Int32 = 0
        errno = 0
        guard let raw = el_gets(el, &count) else {
            let interrupted = count == -1 && errno == EINTR
            // libedit echoes `^D` itself; the terminal, in libedit's mode, does not echo `^C`.
            writeOut(interrupted ? "^C\n" : "\n")
            if interrupted {
                Interrupt.clear()
                return .interrupted
            }
            return .eof
        }
        var line = String(cString: raw)
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    /// Records one logical command (multi-line commands stay one entry) in memory and appends it
    /// to the history file at once. Blank entries and repeats of the previous entry are skipped.
    public func addHistory(_ entry: String) {
        guard historyLimit > 0, !entry.allSatisfy(\.isWhitespace), entries.last != entry else { return }
        entries.append(entry)
        if entries.count > historyLimit { entries.removeFirst(entries.count - historyLimit) }
        if let history { ft_history_enter(history, entry) }
        guard let store else { return }
        do { try store.append(entry) } catch { historyProblem = error }
    }

    // MARK: - libedit set-up

    private func setUp() {
        guard let el = el_init("ftsh", ft_stdin(), ft_stdout(), ft_stderr()) else { return }
        self.el = el
        ft_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        ft_el_set_editor(el, "emacs")
        ft_el_set_signal(el, 1)
        ft_el_set_getcfn(el, { el, out in
            guard let el, let out, let editor = LineEditor.instance(el) else { return -1 }
            return editor.readCharacter(out)
        })
        ft_el_set_prompt_esc(el, { el in
            guard let el, let editor = LineEditor.instance(el) else { return nil }
            return editor.promptText
        }, 1)
        if let history = history_init() {
            self.history = history
            ft_history_setsize(history, Int32(clamping: historyLimit))
            for entry in entries { ft_history_enter(history, entry) }
            ft_el_set_hist(el, history)
        }
        ft_el_addfn(el, "ft-complete", "complete the word before the cursor", { el, _ in
            guard let el, let editor = LineEditor.instance(el) else { return UInt8(CC_ERROR) }
            return editor.complete()
        })
        // Conveniences a user's ~/.editrc may override.
        bind("^R", "em-inc-search-prev")
        bind("^W", "ed-delete-prev-word")
        bindRequiredKeys()
        // `$EDITRC` or `~/.editrc`; lines prefixed `ftsh:` apply only to us (the name given to el_init).
        el_source(el, nil)
        // `bind -v` / `bind -e` in the file reset the keymaps, dropping TAB completion.
        bindRequiredKeys()
    }

    /// TAB, and the keys libedit leaves unbound unless termcap names them: xterm and tmux send
    /// these CSI sequences for Home, End, Delete and Ctrl/Alt-arrows.
    private func bindRequiredKeys() {
        bind("^I", "ft-complete")
        // In vi insert mode ESC must act alone at once; sequences starting with it would make
        // libedit wait for more and swallow the next key.
        if let el, let mode = ft_el_get_editor(el), String(cString: mode) == "vi" { return }
        for key in ["\\e[1~", "\\e[7~", "\\e[H", "\\eOH"] { bind(key, "ed-move-to-beg") }
        for key in ["\\e[4~", "\\e[8~", "\\e[F", "\\eOF"] { bind(key, "ed-move-to-end") }
        bind("\\e[3~", "ed-delete-next-char")
        for key in ["\\e[1;5C", "\\e[5C", "\\e[1;3C"] { bind(key, "em-next-word") }
        for key in ["\\e[1;5D", "\\e[5D", "\\e[1;3D"] { bind(key, "ed-prev-word") }
    }

    private func bind(_ key: String, _ function: String) {
        if let el { ft_el_bind(el, key, function) }
    }

    private static func instance(_ el: OpaquePointer) -> LineEditor? {
        guard let raw = ft_el_get_clientdata(el) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(raw).takeUnretainedValue()
    }

    private func setPrompt(_ prompt: String) {
        free(promptText)
        promptText = strdup(prompt)
    }

    // MARK: - Reading keys

    private var decoder = UTF8KeyDecoder()
    private var input = TerminalInput(fd: 0, wakeFD: -1, isInterrupted: { Interrupt.isSet })

    /// libedit's key reader, replaced so Ctrl-C ends the read even when the signal is handled
    /// on another thread of the process (libedit's own blocking read would then carry on with
    /// the terminal already reset), and so input decoding does not depend on the locale.
    fileprivate func readCharacter(_ out: UnsafeMutablePointer<wchar_t>) -> Int32 {
        let key = decoder.next {
            input.nextByte {
                if Signals.continued.exchange(false, ordering: .relaxed), let el { resumeInForeground(el) }
            }
        }
        switch key {
        case .scalar(let value):
            out.pointee = wchar_t(bitPattern: value)
            return 1
        case .end:
            return 0
        case .interrupted:
            errno = EINTR
            return -1
        case .failed(let code):
            errno = code
            return -1
        }
    }

    /// Back from Ctrl-Z. libedit handles only the first stop of a line itself; after a later one
    /// the terminal comes back in the user's mode while libedit still believes it is in its
    /// own, so the mode is set afresh before the line is redrawn.
    private func resumeInForeground(_ el: OpaquePointer) {
        ft_el_prep_term(el, 0)
        ft_el_prep_term(el, 1)
        ft_el_refresh(el)
    }

    // MARK: - Completion

    private func complete() -> UInt8 {
        guard let el, let info = el_line(el)?.pointee else { return UInt8(CC_ERROR) }
        let before = String(decoding: UnsafeRawBufferPointer(start: info.buffer, count: info.cursor - info.buffer),
                            as: UTF8.self)
        let result = completer(CompletionRequest(textBeforeCursor: before))
        switch Completion.plan(textBeforeCursor: before, result: result) {
        case .beep:
            return UInt8(CC_REFRESH_BEEP)
        case .edit(let delete, let insert):
            if delete > 0 { el_deletestr(el, Int32(delete)) }
            if !insert.isEmpty && el_insertstr(el, insert) != 0 { return UInt8(CC_REFRESH_BEEP) }
            return UInt8(CC_REFRESH)
        case .list(let names):
            showList(names)
            return UInt8(CC_REDISPLAY)
        }
    }

    /// Prints the choices under the line; libedit then redraws the prompt and the line below them.
    private func showList(_ names: [String]) {
        var width = Terminal.columns
        if let el, case let cols = ft_el_get_columns(el), cols > 0 { width = Int(cols) }
        if names.count > listQueryThreshold {
            writeOut("\nDisplay all \(names.count) possibilities? (y or n) ")
            guard let el else { return }
            var answer: CChar = 0
            var show = false
            // Ctrl-C makes el_getc fail, and the still-set interrupt then ends the line.
            while el_getc(el, &answer) == 1 {
                let key = UInt8(bitPattern: answer)
                if key == UInt8(ascii: "y") || key == UInt8(ascii: "Y") || key == UInt8(ascii: " ") { show = true; break }
                if key == UInt8(ascii: "n") || key == UInt8(ascii: "N") || key == 0x7F || key == 0x1B { break }
            }
            guard show else {
                writeOut("\n")
                return
            }
        }
        writeOut("\n" + Completion.columns(names, width: width).joined(separator: "\n") + "\n")
    }

    /// Through the same FILE libedit draws with, so the order on screen is kept.
    private func writeOut(_ text: String) {
        let out = ft_stdout()
        fputs(text, out)
        fflush(out)
    }
}
