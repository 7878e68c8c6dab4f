import FTCore
import FTOpenAI
import FTPluginKit
import Foundation
import Synchronization

/// Sends one chat request; the real one goes through `OpenAIClient`, tests use their own.
public protocol ChatCompleter: Sendable {
    /// Where requests go (the base URL), part of every cache key.
    var endpoint: String { get }
    func complete(model: String, messages: [ChatMessage], settings: GenerationSettings) async throws -> String
}

struct OpenAIChatCompleter: ChatCompleter {
    let client: OpenAIClient
    var endpoint: String { client.configuration.baseURL.absoluteString }

    func complete(model: String, messages: [ChatMessage], settings: GenerationSettings) async throws -> String {
        let reply: ChatReply
        do {
            reply = try await client.chat(model: model, messages: messages.map { ($0.role, $0.content) },
                                          temperature: settings.temperature, maxTokens: settings.maxTokens)
        } catch { throw error.diagnostic }
        if let content = reply.content { return content }
        if let refusal = reply.refusal { return refusal }
        throw Diagnostic.error("\(model) answered without any text (finish reason \(reply.finishReason ?? "none"))",
                               id: "eval.empty-answer")
    }
}

/// A hosted chat model (OpenAI, Azure OpenAI or any server speaking the API). Requests run
/// `settings.concurrency` at a time, and every answer is kept in a cache file under
/// `~/.cache/ftsh/eval/`, so running the same evaluation again sends nothing.
public struct HostedModel: PredictionSource {
    public let name: String
    let completer: any ChatCompleter
    let cache: ResponseCache

    public init(model: String, completer: any ChatCompleter, cacheFolder: String) {
        name = model
        self.completer = completer
        cache = ResponseCache(folder: cacheFolder, model: model, endpoint: completer.endpoint)
    }

    /// The messages sent for a prompt: text prompts become one user message.
    static func messages(_ p: Prompt) -> [ChatMessage] {
        switch p {
        case .chat(let m): m
        case .text(let s): [ChatMessage(role: "user", content: s)]
        }
    }

    public func predict(_ prompts: [Prompt], settings: GenerationSettings, ctx: CommandContext) async throws -> [String] {
        var answers = [String?](repeating: nil, count: prompts.count)
        var todo: [Int] = []
        let keys = prompts.map { cache.key(messages: Self.messages($0), settings: settings) }
        let stored = cache.load()
        for i in prompts.indices {
            if let hit = stored[keys[i]] { answers[i] = hit } else { todo.append(i) }
        }
        if !todo.isEmpty {
            let limit = max(1, settings.concurrency)
            var done = 0
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var next = 0
                func launch() {
                    let i = todo[next]
                    next += 1
                    let messages = Self.messages(prompts[i])
                    group.addTask { [completer, name] in
                        (i, try await completer.complete(model: name, messages: messages, settings: settings))
                    }
                }
                while next < todo.count && next < limit { launch() }
                while let (i, text) = try await group.next() {
                    answers[i] = text
                    try cache.append(key: keys[i], answer: text)
                    done += 1
                    ctx.progress(ProgressStatus(label: "asking \(name)", fraction: Double(done) / Double(todo.count),
                                                detail: "\(done)/\(todo.count)"))
                    if Interrupt.isSet { group.cancelAll(); throw Interrupted() }
                    if next < todo.count { launch() }
                }
            }
            ctx.progress(nil)
        }
        return answers.map { $0 ?? "" }
    }
}

/// Answers already paid for, one JSON line each: `{"request": KEY, "answer": TEXT}`. The key is
/// the whole request (endpoint, model, messages and settings) as canonical JSON, so a hit is
/// exact. Lines are appended as answers arrive, so an interrupted run keeps what it got; a
/// line cut short by a crash is skipped when read.
public struct ResponseCache: Sendable {
    public let path: String

    public init(folder: String, model: String, endpoint: String) {
        let safe = String(model.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        path = folder + "/" + safe + ".jsonl"
        self.endpoint = endpoint
    }

    let endpoint: String

    public func key(messages: [ChatMessage], settings: GenerationSettings) -> String {
        JSON.encode(.record([
            "endpoint": .string(endpoint),
            "messages": Prompt.chat(messages).toValue(),
            "temperature": .number(settings.temperature),
            "max_tokens": .int(settings.maxTokens),
        ]))
    }

    public func load() -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var out: [String: String] = [:]
        for line in data.split(separator: 0x0A) {
            guard let v = try? JSON.decode(bytes: Array(line)), let k = v["request"]?.stringValue,
                  let a = v["answer"]?.stringValue else { continue }
            out[k] = a
        }
        return out
    }

    private static let lock = Mutex(())

    public func append(key: String, answer: String) throws(Diagnostic) {
        let line = JSON.encode(.record(["request": .string(key), "answer": .string(answer)])) + "\n"
        try Self.lock.withLock { _ throws(Diagnostic) in
            let folder = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw .error("cannot create the cache folder \(folder)", id: "io.write-failed")
            }
            // One write per line with O_APPEND: a line is never interleaved with another.
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            guard fd >= 0 else { throw .error("cannot write the response cache \(path)", id: "io.write-failed") }
            defer { close(fd) }
            let bytes = Array(line.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == bytes.count else { throw .error("cannot write the response cache \(path)", id: "io.write-failed") }
        }
    }
}
