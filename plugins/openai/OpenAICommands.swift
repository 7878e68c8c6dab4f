import FTCore
import FTOpenAI
import FTPluginKit
import Foundation

/// `openai models|delete-model|chat|cassette|status`.
enum OpenAICommands {
    static var all: [CommandSpec] { [models, deleteModel, chat, CassetteCommand.spec, status] }

    static let models = CommandSpec(
        ["openai", "models"], summary: "List the server's models, or show one.",
        arguments: [ArgumentSpec("id", "A model id to show.", optional: true)],
        examples: ["openai models", "openai models gpt-4o-mini-2024-07-18"]
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        func row(_ m: RemoteModel) -> Value {
            .record(Record([("id", .string(m.id)), ("owned_by", .string(m.ownedBy ?? "-")), ("created", .string(Show.time(m.createdAt)))]))
        }
        if let id = inv.string("id") {
            return try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> Value in try await client.model(id).value }
        }
        let list = try await ClientFactory.call(inv) { () async throws(OpenAIError) -> [RemoteModel] in try await client.models() }
        return .list(list.map(row))
    }

    static let deleteModel = CommandSpec(
        ["openai", "delete-model"], summary: "Delete a fine-tuned model (needs the organization's Owner role).",
        arguments: [ArgumentSpec("id", "An ft: model id.")], examples: ["openai delete-model ft:gpt-4o-mini-2024-07-18:org:demo:abc123"]
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        return try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> Value in
            try await client.deleteModel(inv.string("id")!).value
        }
    }

    static let chat = CommandSpec(
        ["openai", "chat"], summary: "Ask a model (base or fine-tuned) one question.",
        arguments: [ArgumentSpec("model", "Model id (an ft: id works like any other)."),
                    ArgumentSpec("message", "What to say.")],
        flags: [FlagSpec("system", "A system message first.", type: .string),
                FlagSpec("temperature", "Sampling temperature 0–2.", type: .number),
                FlagSpec("max-tokens", "Most tokens to generate.", type: .int),
                FlagSpec("seed", "Seed for more repeatable sampling.", type: .int)],
        examples: ["openai chat gpt-4o-mini-2024-07-18 \"What is fine-tuning?\"", "openai chat $done.fine_tuned_model 안녕하세요"],
        display: .custom { v, _ in v.stringValue ?? Show.raw(v) }
    ) { inv, ctx in
        if let t = inv.number("temperature"), !(0...2).contains(t) {
            throw inv.error("--temperature must be between 0 and 2", id: "usage.bad-argument", at: "temperature")
        }
        let client = try ClientFactory.client(ctx, inv: inv)
        var messages: [(role: String, content: String)] = []
        if let s = inv.string("system") { messages.append(("system", s)) }
        messages.append(("user", inv.string("message")!))
        let reply = try await ClientFactory.call(inv, at: "model") { () async throws(OpenAIError) -> ChatReply in
            try await client.chat(model: inv.string("model")!, messages: messages, temperature: inv.number("temperature"),
                                  maxTokens: inv.int("max-tokens"), seed: inv.int("seed"))
        }
        if inv.json { return reply.raw }
        return .string(reply.content ?? reply.refusal.map { "(refused) \($0)" } ?? "(no text; finish reason \(reply.finishReason ?? "none"))")
    }

    static let status = CommandSpec(
        ["openai", "status"], summary: "Show where openai commands go (the key itself is never shown).",
        examples: ["openai status"]
    ) { inv, ctx in
        let state = OpenAISessionState.of(ctx)
        try ClientFactory.openDefaultCassette(ctx)
        var r = Record()
        do {
            let c = try OpenAIConfiguration.fromEnvironment(ClientFactory.environment(ctx))
            r["base_url"] = .string(c.baseURL.absoluteString)
            if case .azure(let v) = c.flavor { r["flavor"] = .string("azure (api-version \(v))") } else { r["flavor"] = "openai" }
            r["api_key"] = "set"
            r["organization"] = c.organization.map(Value.string) ?? .null
            r["project"] = c.project.map(Value.string) ?? .null
            r["max_retries"] = .int(c.maxRetries)
            r["timeout"] = .number(c.timeout)
        } catch let d as Diagnostic {
            r["problem"] = .string(d.message)
        }
        if let c = state.cassette {
            r["cassette"] = .string("\(c.mode == .replay ? "replaying" : "recording") \(URL(fileURLWithPath: c.path).lastPathComponent)")
        } else {
            r["cassette"] = "off"
        }
        return .record(r)
    }
}

/// `openai cassette`: record this session's HTTP exchanges to a file beside the script, or
/// replay them offline.
enum CassetteCommand {
    static let spec = CommandSpec(
        ["openai", "cassette"], summary: "Record HTTP exchanges to a cassette file, or replay one offline.",
        discussion: "With --mode auto (the default) an existing FILE is replayed (no network, no key needed, retries without waiting) and a missing one is recorded; --mode record records afresh, replacing FILE; --mode off stops. Paths are relative to the script's folder in --check runs, so put the cassette beside the script. Keys and anything shaped like one are stored as [REDACTED]; uploads are summarised, not stored. FTSH_OPENAI_CASSETTE=FILE does the same for a whole session, and `ftsh --check SCRIPT.ftsh` replays SCRIPT.cassette.jsonl beside the script without being told.",
        arguments: [ArgumentSpec("file", "Cassette (.jsonl); without it, says what is active.", type: .path,
                                 completion: .file(extensions: ["jsonl"]), optional: true)],
        flags: [FlagSpec("mode", "auto, record, replay or off.", type: .choice(["auto", "record", "replay", "off"]), default: "auto")],
        examples: ["openai cassette lesson.cassette.jsonl", "openai cassette lesson.cassette.jsonl --mode record", "openai cassette --mode off"]
    ) { inv, ctx in
        let state = OpenAISessionState.of(ctx)
        let mode = inv.string("mode") ?? "auto"
        if mode == "off" {
            let was = state.cassette.map { URL(fileURLWithPath: $0.path).lastPathComponent }
            state.cassette = nil
            return .string(was.map { "cassette \($0) closed" } ?? "no cassette was active")
        }
        if let file = inv.string("file"), ["stop", "off", "end", "close"].contains(file) {
            throw inv.error("'\(file)' would be taken as a cassette file name; to stop, use 'openai cassette --mode off'",
                            id: "usage.bad-argument", at: "file")
        }
        guard let file = inv.string("file") else {
            guard let c = state.cassette else { return .string("no cassette") }
            return .string("\(c.mode == .replay ? "replaying" : "recording") \(URL(fileURLWithPath: c.path).lastPathComponent)")
        }
        return .string(try open(ctx.resolve(file), shownAs: file, mode: mode, ctx: ctx, inv: inv))
    }

    @discardableResult
    static func open(_ path: String, shownAs shown: String, mode: String, ctx: CommandContext, inv: Invocation? = nil) throws -> String {
        let state = OpenAISessionState.of(ctx)
        let exists = FileManager.default.fileExists(atPath: path)
        let env = ClientFactory.environment(ctx)
        let config = try? OpenAIConfiguration.fromEnvironment(env)
        let basePath = URLComponents(url: config?.baseURL ?? URL(string: OpenAIConfiguration.defaultBaseURL)!,
                                     resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "/v1"
        if mode == "replay" || (mode == "auto" && exists) {
            guard exists else {
                throw inv?.error("no such cassette: \(shown)", id: "io.not-found", at: "file")
                    ?? Diagnostic.error("no such cassette: \(shown)", id: "io.not-found")
            }
            let c = try CassetteTransport(replaying: path, basePath: basePath)
            state.cassette = c
            return "replaying \(shown) (\(c.count) exchanges)"
        }
        guard let config else {
            throw Diagnostic.error("recording needs a server: set OPENAI_API_KEY (and OPENAI_BASE_URL for a local server)", id: "openai.no-key")
        }
        if state.network == nil {
            state.network = URLSessionTransport(connectTimeout: config.connectTimeout, timeout: config.timeout, environment: env)
        }
        if exists { try? FileManager.default.removeItem(atPath: path) }
        state.cassette = CassetteTransport(recording: path, basePath: basePath, secrets: [config.apiKey], inner: state.network!)
        return "recording to \(shown)"
    }
}
