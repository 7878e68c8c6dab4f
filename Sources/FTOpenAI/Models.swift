import Foundation
import FTCore

extension OpenAIClient {
    /// `GET /models` (one page; the endpoint is not paginated).
    public func models() async throws(OpenAIError) -> [RemoteModel] {
        let v = try await json(Call("GET", ["models"]))
        guard let data = v["data"]?.listValue else {
            throw .badResponse("a model list without \"data\"", status: 200, url: "/models", requestID: nil)
        }
        var out: [RemoteModel] = []
        for m in data { out.append(try RemoteModel(m)) }
        return out
    }

    public func model(_ id: String) async throws(OpenAIError) -> RemoteModel {
        try RemoteModel(try await json(Call("GET", ["models", id])))
    }

    /// Deletes a fine-tuned model (the API requires the organization's Owner role).
    public func deleteModel(_ id: String) async throws(OpenAIError) -> Deletion {
        let v = try await json(Call("DELETE", ["models", id]))
        return Deletion(id: v["id"]?.stringValue ?? id, deleted: v["deleted"]?.boolValue ?? false)
    }

    /// `POST /chat/completions` (on Azure, the deployment named `model`). Returns the whole
    /// response; `ChatReply` reads the answer out of it.
    public func chat(model: String, messages: [(role: String, content: String)], temperature: Double? = nil,
                     maxTokens: Int? = nil, seed: Int? = nil) async throws(OpenAIError) -> ChatReply {
        var body = Record()
        // Azure takes the deployment from the path; the field is still required by the schema.
        body["model"] = .string(model)
        body["messages"] = .list(messages.map { .record(["role": .string($0.role), "content": .string($0.content)]) })
        if let temperature { body["temperature"] = .number(temperature) }
        if let maxTokens { body["max_completion_tokens"] = .int(maxTokens) }
        if let seed { body["seed"] = .int(seed) }
        let path: [String]
        switch configuration.flavor {
        case .openai: path = ["chat", "completions"]
        case .azure: path = ["deployments", model, "chat", "completions"]
        }
        return ChatReply(try await json(Call("POST", path, json: .record(body))))
    }
}

/// A chat completion: the first choice's text and the token usage.
public struct ChatReply: Sendable {
    public var raw: Value
    public var content: String?
    public var refusal: String?
    public var finishReason: String?
    public var model: String?
    public var promptTokens: Int?
    public var completionTokens: Int?

    public init(_ value: Value) {
        raw = value
        let r = value.recordValue ?? Record()
        let first = r["choices"]?.listValue?.first?.recordValue
        let message = first?["message"]?.recordValue
        content = message?.string("content")
        refusal = message?.string("refusal")
        finishReason = first?.string("finish_reason")
        model = r.string("model")
        promptTokens = r["usage"]?.recordValue?.int("prompt_tokens")
        completionTokens = r["usage"]?.recordValue?.int("completion_tokens")
    }
}
