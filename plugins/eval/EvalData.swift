import FTCore
import FTData
import Foundation

/// One message of a chat prompt.
public struct ChatMessage: Sendable, Hashable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// What a model is asked: a chat conversation up to the answer, or a plain text prompt
/// (prompt/completion data).
public enum Prompt: Sendable, Hashable {
    case chat([ChatMessage])
    case text(String)

    public func toValue() -> Value {
        switch self {
        case .text(let s): return .string(s)
        case .chat(let messages):
            return .list(messages.map { .record(["role": .string($0.role), "content": .string($0.content)]) })
        }
    }

    /// The prompt as a `prompt` field of a predictions file holds it (a string or a message list).
    public static func from(_ v: Value) -> Prompt? {
        if let s = v.stringValue { return .text(s) }
        guard let items = v.listValue else { return nil }
        var out: [ChatMessage] = []
        for item in items {
            guard let role = item["role"]?.stringValue, let content = item["content"].flatMap(EvalData.text) else { return nil }
            out.append(ChatMessage(role: role, content: content))
        }
        return .chat(out)
    }

    /// The last user message (or the text), for showing an example briefly.
    public var lastUserText: String {
        switch self {
        case .text(let s): return s
        case .chat(let m): return m.last(where: { $0.role == "user" })?.content ?? m.last?.content ?? ""
        }
    }
}

/// An evaluation item taken from a fine-tuning dataset: what the model is asked and the answer
/// the data gives.
public struct EvalItem: Sendable, Hashable {
    public var prompt: Prompt
    public var reference: String
    /// Where it came from (1-based line), for errors and reports.
    public var line: Int?
}

public enum EvalData {
    /// Items from a chat or prompt/completion dataset. In chat data the prompt is every message
    /// before the last assistant message and the reference is that message; messages after it
    /// (rare) are ignored. Preference data has no single reference, so it is refused.
    public static func items(from dataset: Dataset, file: String) throws(Diagnostic) -> [EvalItem] {
        switch dataset.format {
        case .preference:
            throw .error("\(file) holds preference (DPO) examples; evaluation needs chat or prompt/completion data",
                         id: "eval.unsupported-format")
        case .chat, .completion: break
        }
        var out: [EvalItem] = []
        for (k, ex) in dataset.examples.enumerated() {
            let at = SourceLocation(file: file, line: ex.line ?? k + 1, column: 1)
            out.append(try item(ex.value, format: dataset.format, at: at))
        }
        guard !out.isEmpty else { throw .error("\(file) has no examples", id: "eval.empty") }
        return out
    }

    static func item(_ v: Value, format: DataFormat, at: SourceLocation) throws(Diagnostic) -> EvalItem {
        if format == .completion {
            guard let p = v["prompt"], let prompt = text(p) else {
                throw .error("expected a string \"prompt\"", id: "eval.missing-field", at: at)
            }
            guard let c = v["completion"], let completion = text(c) else {
                throw .error("expected a string \"completion\"", id: "eval.missing-field", at: at)
            }
            return EvalItem(prompt: .text(prompt), reference: completion, line: at.line)
        }
        guard let list = v["messages"]?.listValue else {
            throw .error("expected a \"messages\" array", id: "eval.missing-field", at: at)
        }
        var messages: [ChatMessage] = []
        for (i, m) in list.enumerated() {
            guard let role = m["role"]?.stringValue else {
                throw .error("message \(i + 1) has no \"role\"", id: "eval.missing-field", at: at)
            }
            // Assistant turns that only call tools carry no text; they stay in the prompt as empty.
            let content = m["content"].flatMap(text) ?? ""
            messages.append(ChatMessage(role: role, content: content))
        }
        guard let last = messages.lastIndex(where: { $0.role == "assistant" }) else {
            throw .error("no assistant message to compare against", id: "eval.no-reference", at: at,
                         notes: ["the last assistant message of each example is the reference answer"])
        }
        guard last > 0 else {
            throw .error("the assistant message has nothing before it to answer", id: "eval.empty-prompt", at: at)
        }
        return EvalItem(prompt: .chat(Array(messages[..<last])), reference: messages[last].content, line: at.line)
    }

    /// A message content as text: a string, or the text parts of a content array joined.
    static func text(_ v: Value) -> String? {
        if let s = v.stringValue { return s }
        guard let parts = v.listValue else { return nil }
        var out = ""
        for p in parts {
            guard let t = p["text"]?.stringValue else { continue }
            out += t
        }
        return out
    }
}
