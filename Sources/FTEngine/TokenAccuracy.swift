extension Activations {
    /// After a forward pass over `batch`: at its weighted targets, how many times the most
    /// likely token was the target, and how many targets there were (OpenAI's
    /// `train_accuracy` / `valid_mean_token_accuracy`).
    public func tokenAccuracy(_ batch: Batch) -> (correct: Int, total: Int) {
        let virtual = positions - length
        var correct = 0, total = 0
        for b in 0..<batch.size {
            for t in 0..<batch.length where batch.weights[b * batch.length + t] != 0 {
                let row = logits(row: b, position: virtual + t)
                var best = 0
                for i in 1..<row.count where row[i] > row[best] { best = i }
                if best == Int(batch.targets[b * batch.length + t]) { correct += 1 }
                total += 1
            }
        }
        return (correct, total)
    }
}
