import Foundation
import FTCore

/// One line of input, as the REPL loop sees it.
public enum InputLine: Sendable, Equatable {
    case line(String)
    /// Ctrl-C while typing: drop what was typed.
    case interrupted
    case eof
}

/// Where the REPL loop reads from: the line editor on a terminal, plain stdin otherwise.
public protocol InputSource: AnyObject, Sendable {
    func read(prompt: String) -> InputLine
    /// Keeps a complete command in history (a no-op without a terminal).
    func remember(_ entry: String)
    /// Whether prompts are shown.
    var showsPrompt: Bool { get }
}

extension Session {
    public static let prompt = "ft> "
    public static let continuationPrompt = "..> "

    /// Reads commands until end of input or `exit`. A line that leaves a quote, a brace or a
    /// trailing backslash open is continued on the next line. Interactive sessions go on after
    /// errors; non-interactive ones stop at the first (unless `keepGoing`).
    ///
    /// Runs on the calling thread — the process's main thread for a terminal, because Linux
    /// delivers the terminal's SIGINT to the main thread and only a signal landing on the thread
    /// blocked in the line editor interrupts its read. Commands run as tasks meanwhile.
    public func runLoop(_ input: InputSource, file: String = "<stdin>") -> ExitStatus {
        var pending = ""
        var pendingFirstLine = 1
        var lineNumber = 0
        var status = ExitStatus.ok
        while exitRequest == nil {
            let prompt = pending.isEmpty ? Self.prompt : Self.continuationPrompt
            switch input.read(prompt: input.showsPrompt ? prompt : "") {
            case .eof:
                if !pending.isEmpty {
                    let text = pending, first = pendingFirstLine
                    let s = blocking { await self.runEntry(text, file: file, firstLine: first, input: input) }
                    if s != .ok && status == .ok { status = s }
                }
                return status == .ok ? ExitStatus.ok : (options.interactive ? .ok : status)
            case .interrupted:
                pending = ""
                Interrupt.clear()
                if !options.interactive { return .interrupted }
                continue
            case .line(let raw):
                lineNumber += 1
                let text = pending.isEmpty ? raw : pending + "\n" + raw
                if pending.isEmpty { pendingFirstLine = lineNumber }
                if isIncomplete(text, file: file, firstLine: pendingFirstLine) {
                    pending = text
                    continue
                }
                pending = ""
                let first = pendingFirstLine
                let s = blocking { await self.runEntry(text, file: file, firstLine: first, input: input) }
                if s != .ok {
                    if status == .ok { status = s }
                    if !options.interactive && (!options.keepGoing || s == .interrupted) { return s }
                }
            }
        }
        return exitRequest ?? status
    }

    func isIncomplete(_ text: String, file: String, firstLine: Int) -> Bool {
        do { _ = try Parser.parse(text, file: file, firstLine: firstLine); return false }
        catch { return error.incomplete }
    }

    /// Runs one complete entry (one or more statements), keeping history and the transcript.
    /// While recording, the entry is parsed as if it already sat in the transcript, so the
    /// locations in its messages are the ones a later `--check` of that file will print.
    func runEntry(_ text: String, file: String, firstLine: Int, input: InputSource) async -> ExitStatus {
        guard !text.allSatisfy({ $0 == " " || $0 == "\t" }) else { return .ok }
        var file = file, firstLine = firstLine
        var statements: [Statement]
        do {
            statements = try Parser.parse(text, file: file, firstLine: firstLine)
        } catch {
            input.remember(text)
            printError(error.diagnostic, source: text, firstLine: firstLine)
            return error.diagnostic.exitStatus
        }
        if statements.isEmpty { return .ok }
        input.remember(text)
        let recorder = statements.contains(where: isRecordCommand) ? nil : self.recorder
        if let recorder {
            file = recorder.fileName
            firstLine = recorder.nextLine
            if let again = try? Parser.parse(text, file: file, firstLine: firstLine) { statements = again }
            output.beginCapture()
        }
        var status = ExitStatus.ok
        for statement in statements {
            let s = await runTopLevel(statement, source: text, firstLine: firstLine)
            if s != .ok { status = s; if !options.keepGoing || s == .interrupted { break } }
            if exitRequest != nil { break }
        }
        if let recorder {
            let captured = output.endCapture()
            recorder.add(command: text, out: captured.out, err: captured.err, status: status)
        }
        return status
    }

    func isRecordCommand(_ s: Statement) -> Bool {
        if case .command(let c) = s, c.words.first?.literal == "record" { return true }
        return false
    }

}

/// Runs async work to completion from synchronous code (the main thread's read loop).
public func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

private final class ResultBox<T>: @unchecked Sendable { var value: T?; init() {} }
