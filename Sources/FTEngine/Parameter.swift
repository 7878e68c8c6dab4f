import FTCore

/// One named weight tensor: fp32 values in row-major order, plus a gradient buffer that exists
/// only while the tensor is trainable. Names are the HF checkpoint keys
/// (`transformer.h.0.attn.c_attn.weight`), so loading and saving are a straight mapping.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public let shape: [Int]
    public let count: Int
    public let value: UnsafeMutablePointer<Float>
    public private(set) var grad: UnsafeMutablePointer<Float>?
    /// In AdamW's decayed group (matrices and embeddings; not biases or LayerNorm gains).
    public var decays: Bool

    public init(name: String, shape: [Int], decays: Bool? = nil) {
        self.name = name
        self.shape = shape
        count = shape.reduce(1, *)
        value = .allocate(capacity: max(count, 1))
        value.initialize(repeating: 0, count: max(count, 1))
        self.decays = decays ?? (shape.count >= 2)
    }

    deinit {
        value.deallocate()
        grad?.deallocate()
    }

    /// Whether the backward pass computes this tensor's gradient (allocated on first use,
    /// released when frozen).
    public var isTrainable: Bool {
        get { grad != nil }
        set {
            if newValue, grad == nil {
                grad = .allocate(capacity: max(count, 1))
                grad!.initialize(repeating: 0, count: max(count, 1))
            } else if !newValue, let g = grad {
                g.deallocate()
                grad = nil
            }
        }
    }

    public var values: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: value, count: count) }

    public func fill(_ x: Float) { value.update(repeating: x, count: count) }

    /// N(0, std²) from `rng`, drawn in index order.
    public func fillNormal(std: Float, rng: inout SeededRandom) {
        for i in 0..<count { value[i] = Float(rng.nextGaussian()) * std }
    }

    /// U(−bound, bound) from `rng`.
    public func fillUniform(bound: Float, rng: inout SeededRandom) {
        for i in 0..<count { value[i] = (rng.nextFloat() * 2 - 1) * bound }
    }

    public func copy(from other: Parameter) {
        precondition(other.count == count)
        value.update(from: other.value, count: count)
    }

    public func zeroGrad() { grad?.update(repeating: 0, count: count) }
}

/// A Conv1D-style affine map y[N,out] = x[N,in]·W[in,out] + b, the layout HF GPT-2 stores, so
/// the forward product needs no transpose. An optional LoRA pair adds s·(x·Aᵀ)·Bᵀ with PEFT's
/// shapes, A [r,in] and B [out,r].
public final class Linear: @unchecked Sendable {
    public let weight: Parameter
    public let bias: Parameter?
    public let inFeatures: Int
    public let outFeatures: Int
    public internal(set) var lora: LoRA?

    init(prefix: String, inFeatures: Int, outFeatures: Int, bias: Bool = true) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(name: prefix + ".weight", shape: [inFeatures, outFeatures])
        self.bias = bias ? Parameter(name: prefix + ".bias", shape: [outFeatures]) : nil
    }

    /// The module path without `.weight` (`transformer.h.0.attn.c_attn`).
    public var path: String { String(weight.name.dropLast(".weight".count)) }
}

/// Low-rank update of a `Linear` (Hu et al., 2021): A [r,in] starts random, B [out,r] zero, so
/// the wrapped layer starts out unchanged. With `dropout` p > 0, training passes feed the
/// low-rank branch (only) an inverted-dropout copy of the input, as PEFT's `lora_dropout` does.
public final class LoRA: @unchecked Sendable {
    public let a: Parameter
    public let b: Parameter
    public let rank: Int
    public let alpha: Float
    /// alpha/r, or alpha/√r with rank-stabilised scaling (`rsLoRA`).
    public let scale: Float
    public let rsLoRA: Bool
    /// Probability of zeroing an input element of the low-rank branch during training, in [0, 1).
    public let dropout: Float

    init(path: String, inFeatures: Int, outFeatures: Int, rank: Int, alpha: Float, rsLoRA: Bool, dropout: Float = 0) {
        self.rank = rank
        self.dropout = dropout
        self.alpha = alpha
        self.rsLoRA = rsLoRA
        scale = rsLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank)
        a = Parameter(name: "base_model.model." + path + ".lora_A.weight", shape: [rank, inFeatures], decays: true)
        b = Parameter(name: "base_model.model." + path + ".lora_B.weight", shape: [outFeatures, rank], decays: true)
    }
}
