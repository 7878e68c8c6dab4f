import FTCore
import FTEngine
import Foundation
import ModelPlugin

/// A `POST /chat/completions` request, checked.
struct ChatRequest: Sendable {
    var model: String
    var messages: [(role: String, content: String)]
    var temperature: Float
    var topP: Float?
    var n: Int
    var maxTokens: Int?
    var stops: [String]
    var seed: UInt64?
    var stream: Bool
    var includeUsage: Bool

    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    init(_ f: RequestFields, maxTokensLimit: Int) throws(APIError) {
        model = try f.string("model", required: true) ?? ""
        guard let list = f.record["messages"], list != .null else {
            throw .invalid("Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter")
        }
        guard let items = list.listValue else {
            throw .invalid("\(JSON.encode(list)) is not of type 'array' - 'messages'", param: "messages", code: "invalid_type")
        }
        guard !items.isEmpty else { throw .invalid("[] is too short - 'messages'", param: "messages", code: "empty_array") }
        messages = []
        for (i, item) in items.enumerated() {
            let p = "messages.[\(i)]"
            guard let r = item.recordValue else { throw .invalid("\(JSON.encode(item)) is not of type 'object' - '\(p)'", param: p, code: "invalid_type") }
            let mf = RequestFields(r)
            let role = try mf.string("role", required: true, prefix: p + ".") ?? ""
            guard Self.roles.contains(role) else {
                throw .invalid("'\(role)' is not one of \(Self.roles.sorted()) - '\(p).role'", param: p + ".role", code: "invalid_value")
            }
            let content = r["content"] ?? .null
            guard content == .null || content.stringValue != nil || content.listValue != nil else {
                throw .invalid("\(JSON.encode(content)) is not valid under any of the given schemas - '\(p).content'",
                               param: p + ".content", code: "invalid_type")
            }
            messages.append((role == "developer" ? "system" : role, ChatLayout.text(content)))
        }
        let t = try f.number("temperature") ?? 1
        guard (0...2).contains(t) else { throw .invalid("\(Value.format(t)) is not in 0...2 - 'temperature'", param: "temperature", code: "invalid_value") }
        temperature = Float(t)
        if let p = try f.number("top_p") {
            guard p > 0 && p <= 1 else { throw .invalid("\(Value.format(p)) is not in (0, 1] - 'top_p'", param: "top_p", code: "invalid_value") }
            topP = p < 1 ? Float(p) : nil
        }
        n = try f.integer("n", in: 1...8) ?? 1
        let newer = try f.integer("max_completion_tokens", in: 1...maxTokensLimit)
        let older = try f.integer("max_tokens", in: 1...maxTokensLimit)
        maxTokens = newer ?? older
        switch f.record["stop"] {
        case nil, .null?: stops = []
        case .string(let s)?: stops = [s]
        case .list(let l)? where l.count <= 4 && l.allSatisfy({ $0.stringValue != nil }): stops = l.compactMap(\.stringValue)
        case let v?: throw .invalid("\(JSON.encode(v)) is not a string or a list of up to 4 strings - 'stop'", param: "stop", code: "invalid_type")
        }
        stops = stops.filter { !$0.isEmpty }
        seed = try f.integer("seed", in: Int.min...Int.max).map { UInt64(bitPattern: Int64($0)) }
        stream = f.record["stream"]?.boolValue ?? false
        includeUsage = f.record["stream_options"]?["include_usage"]?.boolValue ?? false
    }
}

/// One generated answer.
struct ChatChoice: Sendable {
    var text: String
    var tokens: Int
    var finishReason: String
}

/// Answers a conversation with a local GPT: the messages laid out as the training data was
/// (`role: content` lines, then `assistant:`), continued token by token until end-of-text, the
/// start of another turn, a stop text or the token limit. `onText` receives the answer as it
/// grows, in pieces that are final (text that might still turn out to be a stop marker is
/// held back).
enum ChatGeneration {
    static let defaultMaxTokens = 64
    static let markers = ChatText.turnMarkers

    static func promptIDs(_ request: ChatRequest, model m: LocalGPT, maxTokens: Int) throws(APIError) -> [Int] {
        var ids = m.tokenizer.encode(ChatText.prompt(request.messages))
        let room = m.config.contextLength - maxTokens - (m.model.prompt?.shape[0] ?? 0)
        guard room >= 1 else {
            throw .invalid("This model's context holds \(m.config.contextLength) tokens; max_completion_tokens \(maxTokens) leaves no room for the messages.",
                           param: "max_completion_tokens", code: "context_length_exceeded")
        }
        // A long conversation keeps its end, where the question is.
        if ids.count > room { ids.removeFirst(ids.count - room) }
        return ids
    }

    /// The visible answer in `text`: leading space dropped, cut at a turn marker or stop text.
    /// Unless `final`, text that might still become a marker or stop is held back.
    static func visible(_ text: String, stops: [String], final: Bool) -> (String, cut: Bool) {
        var t = Substring(text)
        while let f = t.first, f.isWhitespace { t = t.dropFirst() }
        var cut = false
        var end = t.endIndex
        for s in markers + stops {
            if let r = t.range(of: s), r.lowerBound < end { end = r.lowerBound; cut = true }
        }
        var out = String(t[..<end])
        if final || cut {
            while let l = out.last, l.isWhitespace { out.removeLast() }
            return (out, cut)
        }
        while out.last == "\u{FFFD}" { out.removeLast() }
        if let nl = out.lastIndex(of: "\n") { out = String(out[..<nl]) }
        for s in stops {
            for k in stride(from: min(s.count - 1, out.count), to: 0, by: -1) where out.hasSuffix(s.prefix(k)) {
                out.removeLast(k)
                break
            }
        }
        return (out, false)
    }

    static func generate(_ request: ChatRequest, model m: LocalGPT, promptIDs: [Int], maxTokens: Int, rng: inout SeededRandom,
                         onText: ((String) -> Void)? = nil) throws(Diagnostic) -> ChatChoice {
        var options = SamplingOptions(temperature: request.temperature, topP: request.topP, maxNewTokens: maxTokens)
        if let eos = m.endOfText { options.stopTokens = [eos] }
        let generator = Generator(model: m.model)
        var produced: [Int] = []
        var count = 0
        var sent = ""
        var finish = "length"
        _ = try generator.generate(prompt: promptIDs, options: options, rng: &rng) { id in
            count += 1
            if options.stopTokens.contains(id) { finish = "stop"; return false }
            produced.append(id)
            let (shown, cut) = visible(m.tokenizer.decode(produced), stops: request.stops, final: false)
            if shown.count > sent.count, shown.hasPrefix(sent) {
                onText?(String(shown.dropFirst(sent.count)))
                sent = shown
            }
            if cut { finish = "stop"; return false }
            return true
        }
        let (text, cut) = visible(m.tokenizer.decode(produced), stops: request.stops, final: true)
        if cut { finish = "stop" }
        if text.count > sent.count, text.hasPrefix(sent) { onText?(String(text.dropFirst(sent.count))) }
        return ChatChoice(text: text, tokens: count, finishReason: finish)
    }
}
