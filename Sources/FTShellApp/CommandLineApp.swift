import Foundation
import FTCore
import FTShell
import FTPluginKit
import FTLineEditor
import FTServe

/// `ftsh` as a program: arguments in, exit status out.
public enum CommandLineApp {
    public static let version = "0.1.0"

    static let usage = """
    usage: ftsh [options] [FILE.ftsh]        start the shell, or run a script
           ftsh [options] -c "COMMANDS"      run commands and exit
           ftsh --check [--update] FILE...   replay transcripts and verify their expectations
           ftsh completions bash|zsh|fish    print a shell completion script
           ftsh serve [--host H] [--port N] [--token T] [--data-dir DIR]
                                             serve the OpenAI fine-tuning API on this machine
                                             ('ftsh serve --help' lists its options)

    options:
      --json          print every result as JSON
      --seed N        seed the session's random generator (default 0)
      --keep-going    do not stop a script at the first error
      --no-color      no colours (also when NO_COLOR is set)
      --norc          do not run ~/.config/ftsh/ftshrc
      --echo          print each command before its output (scripts)
      --version       print the version
      -h, --help      print this help
    """

    struct Arguments {
        var options = SessionOptions()
        var command: String?
        var scripts: [String] = []
        var check = false
        var update = false
        var norc = false
        var noColor = false
    }

    public static func main(_ argv: [String]) -> Int32 {
        let status = run(argv)
        EndOfProcess.run()
        return status
    }

    static func run(_ argv: [String]) -> Int32 {
        _ = Terminal.setUpUTF8Locale()
        // The server handles SIGINT and SIGTERM itself (a graceful stop that saves training).
        if argv.first == "serve" { return ServeCommand.main(Array(argv.dropFirst())) }
        Signals.installInterruptHandler()
        var args = Arguments()
        var i = 0
        func fail(_ message: String) -> Int32 {
            FileHandle.standardError.write(Data("error: \(message) [usage.bad-option]\n\(usage)\n".utf8))
            return ExitStatus.usage.rawValue
        }
        if argv.first == "completions" {
            guard argv.count == 2, let shell = CompletionScripts.Shell(rawValue: argv[1]) else {
                return fail("expected: ftsh completions bash|zsh|fish")
            }
            print(CompletionScripts.script(for: shell, registry: makeRegistry()), terminator: "")
            return 0
        }
        // Generated documentation, read by scripts/gen-docs.
        if argv == ["--reference"] { print(ReferenceDoc.markdown(registry: makeRegistry(environment: [:])), terminator: ""); return 0 }
        if argv == ["--man"] { print(ReferenceDoc.manPage(registry: makeRegistry(environment: [:]), version: version), terminator: ""); return 0 }
        while i < argv.count {
            let a = argv[i]
            i += 1
            if !args.scripts.isEmpty && !args.check { args.scripts.append(a); continue }
            switch a {
            case "-h", "--help": print(usage); return 0
            case "--version": print("ftsh \(version)"); return 0
            case "--json": args.options.jsonOutput = true
            case "--keep-going": args.options.keepGoing = true
            case "--no-color": args.noColor = true
            case "--norc": args.norc = true
            case "--echo": args.options.echo = true
            case "--check": args.check = true
            case "--update": args.update = true; args.check = true
            case "--seed":
                guard i < argv.count, let n = UInt64(argv[i]) else { return fail("--seed expects a non-negative integer") }
                args.options.seed = n
                i += 1
            case "-c":
                guard i < argv.count else { return fail("-c expects commands") }
                args.command = argv[i]
                i += 1
            default:
                if a.hasPrefix("--seed=") {
                    guard let n = UInt64(a.dropFirst(7)) else { return fail("--seed expects a non-negative integer") }
                    args.options.seed = n
                } else if a.hasPrefix("-") && a != "-" {
                    let near = Spelling.nearest(to: a, in: ["--json", "--seed", "--keep-going", "--no-color", "--norc", "--check", "--update", "--version", "--help", "--echo"])
                    return fail("unknown option \(a)" + (near.map { " (did you mean \($0)?)" } ?? ""))
                } else {
                    args.scripts.append(a)
                }
            }
        }
        let env = ProcessInfo.processInfo.environment
        let colorAllowed = !args.noColor && env["NO_COLOR"].map(\.isEmpty) ?? true && env["TERM"] != "dumb"
        if args.check {
            guard !args.scripts.isEmpty else { return fail("--check expects one or more .ftsh files") }
            let (files, update, base) = (args.scripts, args.update, args.options)
            return blocking { await Checker.run(files: files, update: update, base: base) }
        }
        args.options.color = colorAllowed && isatty(1) != 0

        let registry = makeRegistry()
        let output = Output(passThrough: true, isTerminal: isatty(2) != 0)
        var options = args.options
        if let script = args.scripts.first {
            options.interactive = false
            if script != "-" {
                let session = Session(registry: registry, output: output, options: options)
                session.setVariable("argv", .list(args.scripts.dropFirst().map { .string($0) }))
                let norc = args.norc
                return blocking {
                    if !norc { await runRC(session) }
                    return await runScript(script, session: session).rawValue
                }
            }
        }
        if let command = args.command {
            options.interactive = false
            let session = Session(registry: registry, output: output, options: options)
            let norc = args.norc
            return blocking {
                if !norc { await runRC(session) }
                return await session.run(source: command, file: "<command>").rawValue
            }
        }
        let interactive = Terminal.isInteractive && args.scripts.isEmpty
        options.interactive = interactive
        let session = Session(registry: registry, output: output, options: options)
        if !args.norc { blocking { await runRC(session) } }
        if interactive {
            let completer = Completer(session: session)
            let editor = LineEditor(historyFile: session.paths.historyFile) { request in
                let r = completer.complete(request.textBeforeCursor)
                return CompletionResult(wordStart: r.wordStart, candidates: r.candidates)
            }
            if let problem = editor.historyProblem { session.report(problem) }
            session.historyEntries = { editor.historyEntries }
            print("ftsh \(version) — the fine-tuning shell. 'help' lists commands, 'learn' starts the course, Ctrl-D quits.")
            let status = session.runLoop(EditorInput(editor))
            return status.rawValue
        }
        return session.runLoop(PlainInput(PlainLineReader()), file: "<stdin>").rawValue
    }

    /// Runs a script file with relative paths resolved from the script's own folder.
    static func runScript(_ path: String, session: Session) async -> ExitStatus {
        let text: String
        do {
            text = try ScriptFile.read(session.resolve(path), shownAs: path)
        } catch {
            session.report(error)
            return error.exitStatus
        }
        session.scriptPath = session.resolve(path)
        return await session.run(source: text, file: path)
    }

    static func runRC(_ session: Session) async {
        let rc = session.paths.rcFile
        guard FileManager.default.fileExists(atPath: rc) else { return }
        do {
            let text = try ScriptFile.read(rc, shownAs: rc)
            _ = await session.run(source: text, file: rc)
        } catch {
            session.report(error)
        }
    }

    /// Every plugin compiled into ftsh, then the external ones found on `FTSH_PLUGIN_PATH`.
    public static func makeRegistry(environment: [String: String] = ProcessInfo.processInfo.environment) -> PluginRegistry {
        let registry = PluginRegistry()
        registry.register(Builtins.plugin())
        for plugin in BuiltinPlugins.all { registry.register(plugin) }
        for plugin in ExternalPlugins.discover(environment: environment, registry: registry) { registry.register(plugin) }
        return registry
    }
}

/// The line editor as the REPL's input.
final class EditorInput: InputSource, @unchecked Sendable {
    let editor: LineEditor
    init(_ editor: LineEditor) { self.editor = editor }
    var showsPrompt: Bool { true }
    func read(prompt: String) -> InputLine {
        switch editor.readLine(prompt: prompt) {
        case .line(let s): return .line(s)
        case .interrupted: return .interrupted
        case .eof: return .eof
        }
    }
    func remember(_ entry: String) { editor.addHistory(entry) }
}

/// Standard input that is not a terminal: no prompt, no history.
final class PlainInput: InputSource, @unchecked Sendable {
    let reader: PlainLineReader
    init(_ reader: PlainLineReader) { self.reader = reader }
    var showsPrompt: Bool { false }
    func read(prompt: String) -> InputLine {
        switch reader.readLine(prompt: "") {
        case .line(let s): return .line(s)
        case .interrupted: return .interrupted
        case .eof: return .eof
        }
    }
    func remember(_ entry: String) {}
}
