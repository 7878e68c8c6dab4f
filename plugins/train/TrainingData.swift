import FTCore
import FTData
import FTEngine
import FTTokenizer
import ModelPlugin

/// One example as token ids with, for each token, the weight of learning to predict it
/// (0 for prompts and context, the message's weight for assistant text).
struct TokenizedExample: Sendable, Equatable {
    var ids: [Int]
    var weights: [Float]
    var trainable: Int { weights.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
}

/// Turns datasets into token sequences the way a local GPT reads a conversation: one
/// `role: content` line per message, the assistant's turn as `assistant:` followed by its text
/// (the same layout `eval run` uses to prompt local models), and the end-of-text token after
/// the last answer so the model learns to stop. Only assistant text (or a completion) is
/// learned; a message with `"weight": 0` is context only.
enum TrainingText {
    static func tokenize(_ ds: Dataset, tokenizer: GPT2Tokenizer, endOfText: Int?, display: String) throws(Diagnostic) -> [TokenizedExample] {
        guard ds.format != .preference else {
            throw .error("\(display) holds preference (DPO) pairs; supervised training needs chat or prompt/completion examples",
                         id: "train.unsupported-data")
        }
        var out: [TokenizedExample] = []
        for ex in ds.examples {
            var ids: [Int] = [], weights: [Float] = []
            func add(_ text: String, _ w: Float) {
                let t = tokenizer.encode(text)
                ids += t
                weights += Array(repeating: w, count: t.count)
            }
            func end(_ w: Float) {
                if let eos = endOfText { ids.append(eos); weights.append(w) }
            }
            switch ds.format {
            case .chat:
                let messages = ex.node["messages"]?.arrayValue ?? []
                let lastAssistant = messages.lastIndex { $0["role"]?.stringValue == "assistant" }
                for (i, msg) in messages.enumerated() {
                    let role = msg["role"]?.stringValue ?? "user"
                    let content = text(of: msg["content"])
                    if role == "assistant" {
                        let w: Float = msg["weight"].flatMap { node -> Float? in
                            if case .number(let n, _) = node.kind { return Float(n) }
                            return nil
                        } ?? 1
                        add("assistant:", 0)
                        if i == lastAssistant {
                            add(" " + content, w)
                            end(w)
                        } else {
                            add(" " + content + "\n", w)
                        }
                    } else if i < (lastAssistant ?? -1) {
                        add("\(role): \(content)\n", 0)
                    }
                }
            case .completion:
                add(text(of: ex.node["prompt"]), 0)
                add(text(of: ex.node["completion"]), 1)
                end(1)
            case .preference:
                break
            }
            out.append(TokenizedExample(ids: ids, weights: weights))
        }
        return out
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

/// Which examples make up each step: a fixed sequence length, and for every step a batch drawn
/// from that epoch's seeded shuffle. The plan is a pure function of (seed, step), so a resumed
/// run sees exactly the batches an uninterrupted one would.
struct BatchPlan: Sendable {
    let examples: [TokenizedExample]
    let batchSize: Int
    let length: Int
    let pad: Int
    let seed: UInt64

    var stepsPerEpoch: Int { (examples.count + batchSize - 1) / batchSize }

    /// The batch of 0-based `step`; a short last batch wraps to the epoch's first examples so
    /// every batch has one shape (the training buffers are made once).
    func batch(step: Int) -> Batch {
        let epoch = step / stepsPerEpoch, k = step % stepsPerEpoch
        var order = Array(examples.indices)
        var rng = SeededRandom(seed: seed).derived("epoch-\(epoch)")
        rng.shuffle(&order)
        let rows = (0..<batchSize).map { j in examples[order[(k * batchSize + j) % order.count]] }
        return Batch.from(sequences: rows.map(\.ids), weights: rows.map(\.weights), length: length, pad: pad)
    }

    /// Evaluation batches over `set` in order, the last one filled with empty rows.
    static func evaluationBatches(_ set: [TokenizedExample], batchSize: Int, length: Int, pad: Int) -> [Batch] {
        stride(from: 0, to: set.count, by: batchSize).map { start in
            let rows = (0..<batchSize).map { start + $0 < set.count ? set[start + $0] : TokenizedExample(ids: [], weights: []) }
            return Batch.from(sequences: rows.map(\.ids), weights: rows.map(\.weights), length: length, pad: pad)
        }
    }

    /// Plain text cut into rows of `length`+1 tokens, every token learned: the loss on text
    /// the fine-tuning data is not about (how much general ability a method gives up).
    static func textBatches(_ ids: [Int], batchSize: Int, length: Int, pad: Int) -> [Batch] {
        var rows: [TokenizedExample] = []
        var i = 0
        while i + 1 < ids.count {
            let piece = Array(ids[i..<min(ids.count, i + length + 1)])
            rows.append(TokenizedExample(ids: piece, weights: [0] + Array(repeating: 1, count: piece.count - 1)))
            i += length
        }
        return evaluationBatches(rows, batchSize: batchSize, length: length, pad: pad)
    }
}
