import FTCore
import Foundation

/// `ftsh serve [--host H] [--port N] [--token T] [--data-dir DIR] [--model NAME=FOLDER]...`
public enum ServeCommand {
    public static let usage = """
    usage: ftsh serve [--host 127.0.0.1] [--port 8080] [--token T] [--data-dir DIR] [--model NAME=FOLDER]...

    Serves the OpenAI fine-tuning API (files, fine-tuning jobs, models, chat completions) on
    this machine, trained and answered by ftsh's own engine. Point any OpenAI client at it:
    OPENAI_BASE_URL=http://127.0.0.1:8080/v1.

    options:
      --host H           address to listen on (default 127.0.0.1: this machine only)
      --port N           port (default 8080; 0 picks a free one)
      --token T          require 'Authorization: Bearer T' (also FTSH_SERVE_TOKEN)
      --data-dir DIR     files, jobs and models (default ~/.local/state/ftsh/serve)
      --model NAME=DIR   offer an HF GPT-2 folder as base model NAME (repeatable; 'tiny' is built in)
      --max-upload-mb N  largest upload in MiB (default 256)
    """

    public static func main(_ argv: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        func fail(_ message: String) -> Int32 {
            FileHandle.standardError.write(Data("error: \(message) [usage.bad-option]\n\(usage)\n".utf8))
            return ExitStatus.usage.rawValue
        }
        var options = ServeOptions(dataDirectory: ServeOptions.defaultDataDirectory(environment: environment))
        if let t = environment["FTSH_SERVE_TOKEN"], !t.isEmpty { options.token = t }
        let cwd = FileManager.default.currentDirectoryPath
        var i = 0
        while i < argv.count {
            let a = argv[i]
            i += 1
            if a == "-h" || a == "--help" { print(usage); return 0 }
            let names = ["--host", "--port", "--token", "--data-dir", "--model", "--max-upload-mb"]
            var name = a, value: String?
            if let eq = a.firstIndex(of: "="), names.contains(String(a[..<eq])) {
                name = String(a[..<eq])
                value = String(a[a.index(after: eq)...])
            }
            guard names.contains(name) else {
                return fail("unknown option \(a)")
            }
            if value == nil {
                guard i < argv.count else { return fail("\(name) expects a value") }
                value = argv[i]
                i += 1
            }
            let v = value!
            switch name {
            case "--host": options.host = v
            case "--port":
                guard let p = Int(v), (0...65535).contains(p) else { return fail("--port expects a number from 0 to 65535") }
                options.port = p
            case "--token": options.token = v.isEmpty ? nil : v
            case "--data-dir": options.dataDirectory = resolvePath(v, relativeTo: cwd)
            case "--max-upload-mb":
                guard let n = Int(v), n >= 1, n <= 4096 else { return fail("--max-upload-mb expects a number from 1 to 4096") }
                options.maxUploadBytes = n << 20
            default:
                guard let eq = v.firstIndex(of: "="), eq != v.startIndex else { return fail("--model expects NAME=FOLDER") }
                let model = String(v[..<eq])
                guard !model.hasPrefix("ft:"), !model.contains("/") else { return fail("--model NAME must not start with 'ft:' or hold '/'") }
                options.baseModels[model] = resolvePath(String(v[v.index(after: eq)...]), relativeTo: cwd)
            }
        }
        let app: ServeApp
        do { app = try ServeApp(options: options, environment: environment) } catch {
            FileHandle.standardError.write(Data("error: \(error.message) [\(error.id)]\n".utf8) + Data(error.notes.map { "  \($0)\n" }.joined().utf8))
            return ExitStatus.failure.rawValue
        }
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(options.host) || options.host.hasPrefix("127.")
        if !loopback && options.token == nil {
            FileHandle.standardError.write(Data("warning: listening on \(options.host) without --token: anyone who can reach this machine can train and run models [serve.no-token]\n".utf8))
        }
        let bases = app.baseModels.keys.sorted()
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        let status = Locked<Int32>(0)
        let dataDirectory = options.dataDirectory, tokenHint = options.token == nil ? "any" : "<token>"
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await app.run(handleSignals: true) { port in
                    // Written straight to the descriptor: a program that started the server
                    // reads the port from the first line at once, whatever the buffering.
                    let text = "ftsh serve: the OpenAI fine-tuning API on http://\(host):\(port)/v1\n"
                        + "  data: \(dataDirectory)\n"
                        + "  base models: " + (bases.isEmpty ? "none (add one with --model NAME=FOLDER)" : bases.joined(separator: ", ")) + "\n"
                        + "  use it: OPENAI_BASE_URL=http://\(host):\(port)/v1 OPENAI_API_KEY=" + tokenHint + "\n"
                    FileHandle.standardOutput.write(Data(text.utf8))
                }
            } catch {
                FileHandle.standardError.write(Data("error: ftsh serve stopped: \(error) [serve.failed]\n".utf8))
                status.set(ExitStatus.failure.rawValue)
            }
            done.signal()
        }
        done.wait()
        return status.get()
    }
}

/// A value shared between a task and the thread that waits for it.
final class Locked<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ v: T) { value = v }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
}
