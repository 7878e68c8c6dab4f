import FTCore
import Foundation
import Hummingbird
import ModelPlugin

/// `POST /chat/completions` for base and fine-tuned models. Generation runs on its own
/// threads, off the server's, so answering never holds up other requests; with `stream` the
/// answer goes out as server-sent `chat.completion.chunk` events while it is generated.
final class ChatService: @unchecked Sendable {
    let catalog: ModelCatalog
    let store: Store
    let options: ServeOptions
    private let lock = NSLock()
    /// Seeds for requests without a `seed`: one stream per server run.
    private var seeds: SeededRandom

    init(catalog: ModelCatalog, store: Store, options: ServeOptions) {
        self.catalog = catalog
        self.store = store
        self.options = options
        seeds = SeededRandom(seed: options.seed.map { $0 ^ 0x63_68_61_74 } ?? UInt64(Date().timeIntervalSince1970 * 1e6))
    }

    private func nextSeed() -> UInt64 { lock.lock(); defer { lock.unlock() }; return seeds.next() }

    func respond(_ req: Request) async throws -> Response {
        let request = try ChatRequest(try await Routes.fields(req, limit: options.maxJSONBytes), maxTokensLimit: options.maxCompletionTokens)
        let model = try await offThread { try self.catalog.load(request.model) }
        let maxTokens = request.maxTokens ?? ChatGeneration.defaultMaxTokens
        let prompt = try ChatGeneration.promptIDs(request, model: model, maxTokens: maxTokens)
        let id = try store.newID("chatcmpl-", length: 29)
        let created = store.now
        let root = SeededRandom(seed: request.seed ?? nextSeed())
        if request.stream {
            return stream(request, model: model, prompt: prompt, maxTokens: maxTokens, id: id, created: created, root: root)
        }
        let choices = try await offThread {
            try (0..<request.n).map { i throws(Diagnostic) -> ChatChoice in
                var rng = root.derived("choice-\(i)")
                return try ChatGeneration.generate(request, model: model, promptIDs: prompt, maxTokens: maxTokens, rng: &rng)
            }
        }
        let completion = choices.reduce(0) { $0 + $1.tokens }
        return Routes.json(.record([
            "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(request.model),
            "choices": .list(choices.enumerated().map { i, c in
                .record(["index": .int(i), "finish_reason": .string(c.finishReason), "logprobs": .null,
                         "message": .record(["role": "assistant", "content": .string(c.text), "refusal": .null, "annotations": .list([])])])
            }),
            "usage": usage(prompt: prompt.count, completion: completion),
            "service_tier": "default", "system_fingerprint": .string(ServeNames.fingerprint),
        ]))
    }

    func usage(prompt: Int, completion: Int) -> Value {
        .record(["prompt_tokens": .int(prompt), "completion_tokens": .int(completion), "total_tokens": .int(prompt + completion)])
    }

    /// Server-sent events: a first chunk with the role, one per piece of text, one with the
    /// finish reason for each choice, optionally the usage, then `[DONE]`.
    func stream(_ request: ChatRequest, model: LocalGPT, prompt: [Int], maxTokens: Int, id: String, created: Int,
                root: SeededRandom) -> Response {
        let (events, sink) = AsyncStream<String>.makeStream()
        @Sendable func chunk(_ choices: [Value], usage: Value? = nil) -> String {
            var r: Record = ["id": .string(id), "object": "chat.completion.chunk", "created": .int(created),
                             "model": .string(request.model), "system_fingerprint": .string(ServeNames.fingerprint),
                             "choices": .list(choices)]
            // Only the last chunk carries usage; the spec's schema has no null for it.
            if request.includeUsage, let usage { r["usage"] = usage }
            return "data: " + JSON.encode(.record(r)) + "\n\n"
        }
        @Sendable func delta(_ i: Int, _ d: Record, finish: String? = nil) -> Value {
            let reason: Value = finish.map { .string($0) } ?? .null
            return .record(["index": .int(i), "delta": .record(d), "logprobs": .null, "finish_reason": reason])
        }
        DispatchQueue.global(qos: .userInitiated).async {
            var total = 0
            for i in 0..<request.n {
                sink.yield(chunk([delta(i, ["role": "assistant", "content": "", "refusal": .null])]))
                var rng = root.derived("choice-\(i)")
                do {
                    let c = try ChatGeneration.generate(request, model: model, promptIDs: prompt, maxTokens: maxTokens, rng: &rng) { text in
                        sink.yield(chunk([delta(i, ["content": .string(text)])]))
                    }
                    total += c.tokens
                    sink.yield(chunk([delta(i, [:], finish: c.finishReason)]))
                } catch {
                    let e = APIError.from((error as? Diagnostic) ?? .error("\(error)", id: "serve.generation"), status: 500)
                    sink.yield("data: " + JSON.encode(e.envelope) + "\n\n")
                    break
                }
            }
            if request.includeUsage { sink.yield(chunk([], usage: self.usage(prompt: prompt.count, completion: total))) }
            sink.yield("data: [DONE]\n\n")
            sink.finish()
        }
        let body = ResponseBody(asyncSequence: events.map { ByteBuffer(string: $0) })
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}

/// Runs blocking work (model loading, generation) on a dispatch queue, not on the threads that
/// serve requests.
func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
        DispatchQueue.global(qos: .userInitiated).async {
            do { c.resume(returning: try work()) } catch { c.resume(throwing: error) }
        }
    }
}

extension ServeNames {
    static let fingerprint = "fp_ftsh_local"
}
