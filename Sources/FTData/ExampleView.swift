import FTCore
import FTTokenizer

/// One example laid out for `data show NAME INDEX [--tokens] [--labels]`: its parts in order,
/// each marked trained (the model learns to produce it) or masked (context only), optionally
/// cut into token pieces, as axolotl's `--debug` view does for its labels.
public struct ExampleView: Sendable {
    public struct Part: Sendable {
        /// `system`, `user`, `assistant`, `tool`, `prompt`, `completion`, `preferred`, `non-preferred`.
        public var role: String
        public var text: String
        public var trained: Bool
        /// Token pieces of `text`, when a tokenizer was given.
        public var pieces: [String]?
    }

    public var index: Int
    public var line: Int?
    public var format: DataFormat
    public var parts: [Part]
    public var tokens: ExampleTokens?

    /// The view of `dataset.examples[index]` (0-based, as `$ds[0]` counts).
    public init(dataset: Dataset, index: Int, tokenizer: (any Tokenizer)? = nil) throws(Diagnostic) {
        guard dataset.examples.indices.contains(index) else {
            throw .error("\(dataset.name) has \(dataset.count) examples; index \(index) is out of range", id: "usage.bad-index")
        }
        let e = dataset.examples[index]
        self.index = index
        line = e.line
        format = dataset.format
        var parts: [Part] = []
        func text(_ v: JSONNode?) -> String {
            guard let v else { return "" }
            if let s = v.stringValue { return s }
            if let list = v.arrayValue, list.allSatisfy({ $0["text"]?.stringValue != nil }) {
                return list.compactMap { $0["text"]?.stringValue }.joined()
            }
            return v.isNull ? "" : v.encoded()
        }
        func messages(_ list: [JSONNode], trainable: Bool, label: String? = nil) {
            for m in list {
                let role = m["role"]?.stringValue ?? "?"
                var body = text(m["content"])
                if let calls = m["tool_calls"] ?? m["function_call"], !calls.isNull { body += (body.isEmpty ? "" : "\n") + calls.encoded() }
                let weightZero = m["weight"].map(ChatRules.isZero) ?? false
                parts.append(Part(role: label ?? role, text: body, trained: trainable && role == "assistant" && !weightZero))
            }
        }
        switch dataset.format {
        case .chat:
            messages(e.node["messages"]?.arrayValue ?? [], trainable: true)
        case .completion:
            parts.append(Part(role: "prompt", text: text(e.node["prompt"]), trained: false))
            parts.append(Part(role: "completion", text: text(e.node["completion"]), trained: true))
        case .preference:
            messages(e.node["input"]?["messages"]?.arrayValue ?? [], trainable: false)
            messages((e.node["preferred_output"] ?? e.node["preferred_completion"])?.arrayValue ?? [], trainable: true, label: "preferred")
            messages((e.node["non_preferred_output"] ?? e.node["non_preferred_completion"])?.arrayValue ?? [], trainable: true, label: "non-preferred")
        }
        if let tokenizer {
            for i in parts.indices { parts[i].pieces = TokenPieces.pieces(parts[i].text, tokenizer: tokenizer) }
            tokens = TokenAccounting.tokens(of: e.node, format: dataset.format, counter: TokenizerCounter(tokenizer))
        }
        self.parts = parts
    }

    public func toValue() -> Value {
        var r = Record()
        r["index"] = .int(index)
        r["line"] = line.map { .int($0) } ?? .null
        r["format"] = .string(format.rawValue)
        r["parts"] = .list(parts.map { p in
            var pr = Record([("role", .string(p.role)), ("trained", .bool(p.trained)), ("text", .string(p.text))])
            if let pieces = p.pieces {
                pr["tokens"] = .int(pieces.count)
                pr["pieces"] = .list(pieces.map { .string($0) })
            }
            return .record(pr)
        })
        if let t = tokens {
            r["total_tokens"] = .int(t.total)
            r["trained_tokens"] = .int(t.trained)
        }
        return .record(r)
    }
}

/// Any FTTokenizer tokenizer used as a counter.
struct TokenizerCounter: TokenCounter {
    let tokenizer: any Tokenizer
    init(_ t: any Tokenizer) { tokenizer = t }
    func count(_ text: String) -> Int { tokenizer.count(text) }
}
