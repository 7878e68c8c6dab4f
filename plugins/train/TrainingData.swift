import FTCore
import FTData
import FTEngine
import FTTokenizer
import ModelPlugin

/// Datasets as training sequences in `ChatText`'s layout (the one `eval run`, `generate` and
/// `ftsh serve` use too). Only assistant text (or a completion) is learned; a message with
/// `"weight": 0` is context only.
enum TrainingText {
    static func tokenize(_ ds: Dataset, tokenizer: GPT2Tokenizer, endOfText: Int?, display: String) throws(Diagnostic) -> [TokenizedExample] {
        guard ds.format != .preference else {
            throw .error("\(display) holds preference (DPO) pairs; supervised training needs chat or prompt/completion examples",
                         id: "train.unsupported-data")
        }
        return ds.examples.map { ex in
            switch ds.format {
            case .chat:
                let messages = (ex.node["messages"]?.arrayValue ?? []).map { msg in
                    ChatText.Message(role: msg["role"]?.stringValue ?? "user", content: text(of: msg["content"]),
                                     weight: msg["weight"].flatMap { node -> Float? in
                                         if case .number(let n, _) = node.kind { return Float(n) }
                                         return nil
                                     } ?? 1)
                }
                return ChatText.tokenize(messages, tokenizer: tokenizer, endOfText: endOfText)
            case .completion, .preference:
                return ChatText.tokenize(prompt: text(of: ex.node["prompt"]), completion: text(of: ex.node["completion"]),
                                         tokenizer: tokenizer, endOfText: endOfText)
            }
        }
    }

    /// A message's text: a string, or the text parts of a content array.
    static func text(of node: JSONNode?) -> String {
        guard let node else { return "" }
        if let s = node.stringValue { return s }
        if let parts = node.arrayValue {
            return parts.compactMap { $0["text"]?.stringValue }.joined()
        }
        return ""
    }
}
