import FTCore
import FTPluginKit
import FTServe
import Foundation

/// `serve start|stop|status`: ftsh's own OpenAI-compatible fine-tuning server, run in the
/// background of this shell, so the job API can be tried (and a lesson can run) with no key
/// and no second terminal. `ftsh serve` runs the same server on its own.
public enum ServePlugin {
    public static func plugin() -> Plugin {
        Plugin(name: "serve", summary: "Run ftsh's OpenAI-compatible fine-tuning server in this session.",
               commands: [start, stop, status])
    }

    static let start = CommandSpec(
        ["serve", "start"], summary: "Serve the OpenAI fine-tuning API from this session, in the background.",
        discussion: "Starts the server `ftsh serve` runs (files, fine-tuning jobs, events, checkpoints, models, chat completions, trained by ftsh's engine) inside this shell and returns its address. Point the job commands at it with `set openai_base_url = $srv.url`; a server on this machine needs no API key. It listens on 127.0.0.1 only, on a free port unless --port is given, and keeps its files and jobs in --data-dir (default ~/.local/state/ftsh/serve), where they survive a restart. --fresh starts from an empty data directory (only a folder ftsh serve made, or an empty one, is cleared). In a checked script the server uses the script's frozen clock and seed, so ids and times are the same on every run. The server stops with `serve stop` or when ftsh exits; a job still training then continues at the next start.",
        flags: [FlagSpec("port", "Port to listen on (0, the default, picks a free one).", type: .int, default: .int(0)),
                FlagSpec("data-dir", "Where files, jobs and models are kept.", type: .path, completion: .directory),
                FlagSpec("model", "Offer an HF GPT-2 folder as base model NAME (NAME=FOLDER; 'tiny' is built in).", type: .string,
                         repeatable: true),
                FlagSpec("fresh", "Start from an empty data directory.")],
        examples: ["set srv = serve start", "set openai_base_url = $srv.url",
                   "serve start --data-dir ~/ftsh-serve --fresh", "serve start --port 8080 --model small=~/models/gpt2"],
        display: .custom(renderStarted)
    ) { inv, ctx in
        let port = inv.int("port") ?? 0
        guard (0...65535).contains(port) else {
            throw inv.error("--port expects a number from 0 to 65535", id: "usage.bad-argument", at: "port")
        }
        let dataDirectory = inv.string("data-dir").map(ctx.resolve)
            ?? ServeOptions.defaultDataDirectory(environment: ctx.environment)
        var options = ServeOptions(port: port, dataDirectory: dataDirectory)
        for word in inv["model"].listValue ?? [] {
            let text = word.text
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex, text.index(after: eq) != text.endIndex else {
                throw inv.error("--model expects NAME=FOLDER, got '\(text)'", id: "usage.bad-argument", at: "model")
            }
            let name = String(text[..<eq])
            guard !name.hasPrefix("ft:"), !name.contains("/") else {
                throw inv.error("--model NAME must not start with 'ft:' or hold '/'", id: "usage.bad-argument", at: "model")
            }
            let folder = String(text[text.index(after: eq)...])
            guard FileManager.default.fileExists(atPath: ctx.resolve(folder) + "/config.json") else {
                throw inv.error("base model \(name): \(folder) is not an HF GPT-2 folder (no config.json)", id: "serve.bad-model", at: "model")
            }
            options.baseModels[name] = ctx.resolve(folder)
        }
        if ctx.clock.isFrozen {
            let clock = ctx.clock
            options.clock = { Int(clock.now.timeIntervalSince1970) }
            var random = ctx.makeRandom()
            options.seed = random.next()
        }
        if inv.flag("fresh") {
            if let running = LocalServer.running, running.dataDirectory == dataDirectory {
                throw inv.error("the server running in this session uses \(shown(dataDirectory, ctx)); stop it first (serve stop)",
                                id: "serve.data-dir-in-use", at: "fresh")
            }
            do throws(Diagnostic) { try clear(dataDirectory, shownAs: shown(dataDirectory, ctx)) } catch { throw error.located(inv.location(of: "fresh")) }
        }
        let server: LocalServer
        do throws(Diagnostic) { server = try await LocalServer.start(options: options) } catch {
            // Point at what the problem is about: the folder or the port the person gave.
            let flag = error.id.hasPrefix("serve.data-dir") ? "data-dir" : error.id == "serve.failed" ? "port" : nil
            throw error.located(flag.map { inv.location(of: $0) } ?? inv.location)
        }
        return .record(Record([("url", .string(server.url)), ("port", .int(server.port)),
                               ("data_dir", .string(shown(server.dataDirectory, ctx))),
                               ("base_models", .list(server.baseModels.map(Value.string)))]))
    }

    static let stop = CommandSpec(
        ["serve", "stop"], summary: "Stop the server this session started (a training job saves its state).",
        examples: ["serve stop"], display: .custom { v, _ in v.stringValue ?? "" }
    ) { inv, ctx in
        guard let server = LocalServer.running else {
            throw inv.error("no server is running in this session", id: "serve.not-running", notes: ["start one with serve start"])
        }
        await server.stop()
        return .string("stopped ftsh serve at \(server.url)")
    }

    static let status = CommandSpec(
        ["serve", "status"], summary: "Whether this session's server runs, and where.",
        examples: ["serve status"]
    ) { inv, ctx in
        guard let server = LocalServer.running else { return .record(Record([("running", .bool(false))])) }
        var r = Record([("running", .bool(server.stoppedBecause == nil)), ("url", .string(server.url)),
                        ("data_dir", .string(shown(server.dataDirectory, ctx))),
                        ("base_models", .list(server.baseModels.map(Value.string)))])
        if let why = server.stoppedBecause { r["stopped_because"] = .string(why) }
        return .record(r)
    }

    static func renderStarted(_ v: Value, _ options: RenderOptions) -> String {
        let url = v["url"]?.stringValue ?? "?"
        let models = (v["base_models"]?.listValue ?? []).map(\.text).joined(separator: ", ")
        return "ftsh serve is running at \(url)\n"
            + "  data: \(v["data_dir"]?.text ?? "?")\n"
            + "  base models: \(models.isEmpty ? "none" : models)\n"
            + "  use it: set openai_base_url = \"\(url)\""
    }

    /// A path as people wrote it: under the home folder as `~/...`.
    static func shown(_ path: String, _ ctx: CommandContext) -> String {
        guard let home = ctx.environment["HOME"], !home.isEmpty, home != "/" else { return path }
        return path.hasPrefix(home + "/") ? "~" + path.dropFirst(home.count) : path
    }

    /// Empties a data directory for `--fresh`, but only one ftsh serve made (or an empty one):
    /// a mistyped path must not delete someone's files.
    static func clear(_ dir: String, shownAs name: String) throws(Diagnostic) {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: dir), !entries.isEmpty else { return }
        let state = (try? String(contentsOfFile: dir + "/state.json", encoding: .utf8)).flatMap { try? JSON.decode($0, file: "state.json") }
        guard state?["format"]?.stringValue == "ftsh-serve" else {
            throw .error("\(name) is not an ftsh serve data directory; --fresh clears only those", id: "serve.data-dir",
                         notes: ["give an empty or new folder with --data-dir"])
        }
        for name in entries {
            do { try fm.removeItem(atPath: dir + "/" + name) } catch {
                throw .error("cannot clear \(name): \(error.localizedDescription)", id: "serve.data-dir")
            }
        }
    }
}
