import Foundation
import FTTokenizer

/// One example as token ids with, for each token, the weight of learning to predict it
/// (0 for prompts and context, the message's weight for assistant text).
public struct TokenizedExample: Sendable, Equatable {
    public var ids: [Int]
    public var weights: [Float]

    public init(ids: [Int], weights: [Float]) {
        self.ids = ids
        self.weights = weights
    }

    /// Tokens that are learned.
    public var trainable: Int { weights.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
}

/// How a conversation is written for a GPT without a chat template: one `role: content` line
/// per message, the assistant's turn as `assistant:` and its text, the end-of-text token after
/// the last answer so the model learns to stop. Training (`train`, `ftsh serve` jobs),
/// prompting (`generate`-style chat, `eval run`, chat completions) and answer cutting all use
/// this one layout, so a model trained here answers prompts written this way.
public enum ChatText {
    public struct Message: Sendable {
        public var role: String
        public var content: String
        /// For assistant messages: how much learning its text counts (0 makes it context).
        public var weight: Float

        public init(role: String, content: String, weight: Float = 1) {
            self.role = role
            self.content = content
            self.weight = weight
        }
    }

    /// Lines that start another turn: generation stops at the first one.
    public static let turnMarkers = ["\nuser:", "\nsystem:", "\nassistant:", "\ndeveloper:", "\ntool:", "\nfunction:"]

    /// A conversation for training. Only assistant text is learned, up to the last assistant
    /// message; what follows it is not part of the example.
    public static func tokenize(_ messages: [Message], tokenizer: GPT2Tokenizer, endOfText: Int?) -> TokenizedExample {
        var out = TokenizedExample(ids: [], weights: [])
        let last = messages.lastIndex { $0.role == "assistant" }
        for (i, m) in messages.enumerated() {
            if m.role == "assistant" {
                out.append("assistant:", 0, tokenizer)
                if i == last {
                    out.append(" " + m.content, m.weight, tokenizer)
                    if let eos = endOfText { out.ids.append(eos); out.weights.append(m.weight) }
                } else {
                    out.append(" " + m.content + "\n", m.weight, tokenizer)
                }
            } else if i < (last ?? -1) {
                out.append("\(m.role): \(m.content)\n", 0, tokenizer)
            }
        }
        return out
    }

    /// A prompt/completion pair for training: the completion is learned, then end-of-text.
    public static func tokenize(prompt: String, completion: String, tokenizer: GPT2Tokenizer, endOfText: Int?) -> TokenizedExample {
        var out = TokenizedExample(ids: [], weights: [])
        out.append(prompt, 0, tokenizer)
        out.append(completion, 1, tokenizer)
        if let eos = endOfText { out.ids.append(eos); out.weights.append(1) }
        return out
    }

    /// The prompt that asks for the next assistant turn.
    public static func prompt(_ messages: [(role: String, content: String)]) -> String {
        messages.map { "\($0.role): \($0.content)\n" }.joined() + "assistant:"
    }

    /// The answer in generated text: up to where the model starts another turn, trimmed.
    public static func answer(_ generated: String) -> String {
        var text = Substring(generated)
        for marker in turnMarkers {
            if let r = text.range(of: marker) { text = text[..<r.lowerBound] }
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension TokenizedExample {
    fileprivate mutating func append(_ text: String, _ weight: Float, _ tokenizer: GPT2Tokenizer) {
        let t = tokenizer.encode(text)
        ids += t
        weights += Array(repeating: weight, count: t.count)
    }
}
