import FTCore

/// Counts the tokens of a text. FTTokenizer's `Encoding` conforms; tests use simple counters.
/// Implementations are called from several threads at once during `data check`.
public protocol TokenCounter: Sendable {
    func count(_ text: String) -> Int
}

/// Token totals of one example.
public struct ExampleTokens: Sendable, Hashable {
    /// Tokens of the whole example as the model reads it (see `TokenAccounting`).
    public var total: Int
    /// Tokens the model is trained on: assistant messages whose weight is not 0, or the completion.
    public var trained: Int
    public var messages: Int
    /// Content tokens of each message, with its role, in order.
    public var perMessage: [(role: String, tokens: Int)]

    public static func == (a: ExampleTokens, b: ExampleTokens) -> Bool {
        a.total == b.total && a.trained == b.trained && a.messages == b.messages
            && a.perMessage.map(\.role) == b.perMessage.map(\.role) && a.perMessage.map(\.tokens) == b.perMessage.map(\.tokens)
    }
    public func hash(into h: inout Hasher) { h.combine(total); h.combine(trained); h.combine(messages) }
}

/// How ftsh counts the tokens of an example, following the OpenAI cookbook notebook
/// `examples/Chat_finetuning_data_prep.ipynb`, function `num_tokens_from_messages`
/// (tokens_per_message = 3, tokens_per_name = 1):
///
/// - each message costs 3 tokens, plus the tokens of every value in it (the role's text
///   included), plus 1 more when it has a `name`;
/// - the reply is primed with 3 more tokens per example;
/// - trained tokens are the content tokens of assistant messages (the notebook's
///   `num_assistant_tokens_from_messages`).
///
/// Where the notebook crashes or miscounts (cookbook issue #1270, PRs #2524 and #3039), ftsh:
/// skips `weight` (a number, not text the model reads) and leaves assistant messages with weight 0
/// out of the trained count; counts non-string values (`tool_calls`, `function_call`) as their
/// compact JSON text, both in the total and, for assistants, in the trained count; and counts
/// only the text of content-part arrays (`text`, `refusal`), since images are not billed by the
/// length of their base64 data. Prompt/completion examples count prompt plus completion, and the
/// completion is trained. Preference examples count the input messages plus the preferred output
/// as the example, and both outputs as trained. The notebook calls its own count an estimate;
/// so is this one. The encoding is the caller's choice (o200k_base for gpt-4o and gpt-4.1).
public enum TokenAccounting {
    public static let tokensPerMessage = 3
    public static let tokensPerName = 1
    public static let replyPriming = 3

    /// Tokens of a chat example's `messages`. Non-object messages are skipped.
    public static func chat(_ messages: [JSONNode], counter: any TokenCounter) -> ExampleTokens {
        var t = ExampleTokens(total: replyPriming, trained: 0, messages: 0, perMessage: [])
        for m in messages { add(message: m, to: &t, counter: counter, trainable: true) }
        return t
    }

    public static func preference(input: [JSONNode], preferred: [JSONNode], nonPreferred: [JSONNode],
                                  counter: any TokenCounter) -> ExampleTokens {
        var t = ExampleTokens(total: replyPriming, trained: 0, messages: 0, perMessage: [])
        for m in input { add(message: m, to: &t, counter: counter, trainable: false) }
        for m in preferred { add(message: m, to: &t, counter: counter, trainable: true) }
        for m in nonPreferred {
            var scratch = ExampleTokens(total: 0, trained: 0, messages: 0, perMessage: [])
            add(message: m, to: &scratch, counter: counter, trainable: true)
            t.trained += scratch.trained
        }
        return t
    }

    public static func completion(prompt: String, completion: String, counter: any TokenCounter) -> ExampleTokens {
        let p = counter.count(prompt), c = counter.count(completion)
        return ExampleTokens(total: p + c, trained: c, messages: 2,
                             perMessage: [(role: "prompt", tokens: p), (role: "completion", tokens: c)])
    }

    static func add(message m: JSONNode, to t: inout ExampleTokens, counter: any TokenCounter, trainable: Bool) {
        guard let members = m.members else { return }
        let role = m["role"]?.stringValue ?? "?"
        var total = tokensPerMessage
        var content = 0
        var callTokens = 0
        var weight = 1
        for member in members {
            switch member.key {
            case "weight":
                if case .number(let w, _) = member.value.kind { weight = w == 0 ? 0 : 1 }
                continue
            case "content":
                content = contentTokens(member.value, counter: counter)
                total += content
            case "tool_calls", "function_call":
                let n = member.value.isNull ? 0 : valueTokens(member.value, counter: counter)
                callTokens += n
                total += n
            default:
                total += valueTokens(member.value, counter: counter)
            }
            if member.key == "name" { total += tokensPerName }
        }
        t.total += total
        t.messages += 1
        t.perMessage.append((role: role, tokens: content))
        if trainable && role == "assistant" && weight != 0 { t.trained += content + callTokens }
    }

    static func contentTokens(_ v: JSONNode, counter: any TokenCounter) -> Int {
        switch v.kind {
        case .string(let s): return counter.count(s)
        case .null: return 0
        case .array(let parts):
            var n = 0
            for part in parts {
                if let s = part["text"]?.stringValue ?? part["refusal"]?.stringValue { n += counter.count(s) }
            }
            return n
        default: return valueTokens(v, counter: counter)
        }
    }

    static func valueTokens(_ v: JSONNode, counter: any TokenCounter) -> Int {
        if let s = v.stringValue { return counter.count(s) }
        return counter.count(v.encoded())
    }

    /// Tokens of an example in any format (nil when its shape does not allow a count).
    public static func tokens(of example: JSONNode, format: DataFormat, counter: any TokenCounter) -> ExampleTokens? {
        switch format {
        case .chat:
            guard let ms = example["messages"]?.arrayValue else { return nil }
            return chat(ms, counter: counter)
        case .completion:
            guard let p = example["prompt"]?.stringValue, let c = example["completion"]?.stringValue else { return nil }
            return completion(prompt: p, completion: c, counter: counter)
        case .preference:
            guard let input = example["input"]?["messages"]?.arrayValue else { return nil }
            let pref = (example["preferred_output"] ?? example["preferred_completion"])?.arrayValue ?? []
            let non = (example["non_preferred_output"] ?? example["non_preferred_completion"])?.arrayValue ?? []
            return preference(input: input, preferred: pref, nonPreferred: non, counter: counter)
        }
    }
}

/// The three line formats of OpenAI fine-tuning files.
public enum DataFormat: String, Sendable, Hashable, CaseIterable {
    /// `{"messages": [...]}` — supervised fine-tuning of chat models.
    case chat
    /// `{"prompt": ..., "completion": ...}` — the legacy format (babbage-002, davinci-002).
    case completion
    /// `{"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output": [...]}` — DPO.
    case preference

    /// The format a line's keys suggest, or nil.
    public static func detect(_ example: JSONNode) -> DataFormat? {
        guard let members = example.members else { return nil }
        var sawPrompt = false
        for m in members {
            switch m.key {
            case "messages": return .chat
            case "input", "preferred_output", "non_preferred_output", "preferred_completion", "non_preferred_completion":
                return .preference
            case "prompt", "completion": sawPrompt = true
            default: break
            }
        }
        return sawPrompt ? .completion : nil
    }
}
