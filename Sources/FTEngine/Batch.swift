import FTCore

/// B sequences of T token ids for one step, with next-token targets and per-target loss
/// weights. Rows are padded on the right: under causal attention a real token never sees the
/// padding after it, so no attention mask is needed, and padded targets carry weight 0.
public struct Batch: Sendable, Equatable {
    public let size: Int
    public let length: Int
    /// [B·T] input ids.
    public var inputs: [Int32]
    /// [B·T] the id that should follow each input (any value where the weight is 0).
    public var targets: [Int32]
    /// [B·T] loss weight of each target: 1 for completion tokens, 0 for prompt/padding.
    public var weights: [Float]

    public init(size: Int, length: Int, inputs: [Int32], targets: [Int32], weights: [Float]) {
        precondition(inputs.count == size * length && targets.count == size * length && weights.count == size * length)
        self.size = size
        self.length = length
        self.inputs = inputs
        self.targets = targets
        self.weights = weights
    }

    /// Builds a batch from whole sequences: each sequence of n tokens gives n−1 (input, target)
    /// pairs; `weights[i]` (if given) is the weight of predicting token i, so a chat example
    /// passes 0 for its prompt tokens and 1 for the assistant's. Shorter rows are padded with
    /// `pad`; longer ones are cut to `length`+1 tokens.
    public static func from(sequences: [[Int]], weights: [[Float]]? = nil, length: Int, pad: Int = 0) -> Batch {
        let b = sequences.count
        var inputs = [Int32](repeating: Int32(pad), count: b * length)
        var targets = [Int32](repeating: Int32(pad), count: b * length)
        var w = [Float](repeating: 0, count: b * length)
        for (row, seq) in sequences.enumerated() {
            let n = min(seq.count - 1, length)
            guard n > 0 else { continue }
            for i in 0..<n {
                inputs[row * length + i] = Int32(seq[i])
                targets[row * length + i] = Int32(seq[i + 1])
                w[row * length + i] = weights?[row][i + 1] ?? 1
            }
        }
        return Batch(size: b, length: length, inputs: inputs, targets: targets, weights: w)
    }

    /// Number of targets that count towards the loss.
    public var weightedTokens: Int { weights.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

    /// Checks ids against the vocabulary and weights for sanity.
    public func validate(vocabSize: Int) throws(Diagnostic) {
        for (i, id) in inputs.enumerated() where id < 0 || Int(id) >= vocabSize {
            throw .error("token id \(id) at row \(i / length), position \(i % length) is outside the vocabulary (\(vocabSize))",
                         id: "model.bad-token")
        }
        for i in 0..<targets.count where weights[i] != 0 {
            let id = targets[i]
            if id < 0 || Int(id) >= vocabSize {
                throw .error("target id \(id) at row \(i / length), position \(i % length) is outside the vocabulary (\(vocabSize))",
                             id: "model.bad-token")
            }
            if !(weights[i].isFinite && weights[i] >= 0) {
                throw .error("loss weight \(weights[i]) at row \(i / length) must be finite and non-negative",
                             id: "model.bad-weight")
            }
        }
    }
}
