import FTCore

/// Which examples make up each step: a fixed sequence length, and for every step a batch drawn
/// from that epoch's seeded shuffle. The plan is a pure function of (seed, step), so a resumed
/// run sees exactly the batches an uninterrupted one would — in the shell and in `ftsh serve`.
public struct BatchPlan: Sendable {
    public let examples: [TokenizedExample]
    public let batchSize: Int
    public let length: Int
    public let pad: Int
    public let seed: UInt64

    public init(examples: [TokenizedExample], batchSize: Int, length: Int, pad: Int, seed: UInt64) {
        self.examples = examples
        self.batchSize = batchSize
        self.length = length
        self.pad = pad
        self.seed = seed
    }

    public var stepsPerEpoch: Int { (examples.count + batchSize - 1) / batchSize }

    /// The examples of 0-based `step`; a short last batch wraps to the epoch's first examples
    /// so every batch has one shape (the training buffers are made once).
    public func rows(step: Int) -> [TokenizedExample] {
        let epoch = step / stepsPerEpoch, k = step % stepsPerEpoch
        var order = Array(examples.indices)
        var rng = SeededRandom(seed: seed).derived("epoch-\(epoch)")
        rng.shuffle(&order)
        return (0..<batchSize).map { j in examples[order[(k * batchSize + j) % order.count]] }
    }

    public func batch(step: Int) -> Batch {
        let rows = rows(step: step)
        return Batch.from(sequences: rows.map(\.ids), weights: rows.map(\.weights), length: length, pad: pad)
    }

    /// Evaluation batches over `set` in order, the last one filled with empty rows.
    public static func evaluationBatches(_ set: [TokenizedExample], batchSize: Int, length: Int, pad: Int) -> [Batch] {
        stride(from: 0, to: set.count, by: batchSize).map { start in
            let rows = (0..<batchSize).map { start + $0 < set.count ? set[start + $0] : TokenizedExample(ids: [], weights: []) }
            return Batch.from(sequences: rows.map(\.ids), weights: rows.map(\.weights), length: length, pad: pad)
        }
    }

    /// Plain text cut into rows of `length`+1 tokens, every token learned: the loss on text
    /// the fine-tuning data is not about (how much general ability a method gives up).
    public static func textBatches(_ ids: [Int], batchSize: Int, length: Int, pad: Int) -> [Batch] {
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
