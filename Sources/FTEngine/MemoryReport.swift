/// Where the bytes of a training run go, so a learner can see why LoRA or prompt tuning needs
/// less memory than full fine-tuning (gradients and AdamW moments exist only for trainable
/// tensors; activations are the same for every method).
public struct MemoryReport: Sendable, Equatable {
    public var weights: Int
    public var gradients: Int
    /// AdamW's two moments per trainable value.
    public var optimizer: Int
    public var activations: Int
    public var total: Int { weights + gradients + optimizer + activations }

    /// Bytes for training `model` as it is now (its trainable set and inserted modules) on
    /// batches of `batchSize` × `length` tokens.
    public init(model: GPTModel, batchSize: Int, length: Int) {
        weights = 4 * model.parameterCount
        gradients = 4 * model.trainableCount
        optimizer = 8 * model.trainableCount
        activations = Activations.bytesNeeded(model: model, batchSize: batchSize, length: length)
    }
}
