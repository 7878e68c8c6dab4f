import FTCore

/// One pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).
public final class GPTBlock: @unchecked Sendable {
    public let index: Int
    public let ln1Weight: Parameter, ln1Bias: Parameter
    /// attn.c_attn [C,3C]: q|k|v for all heads.
    public let attn: Linear
    /// attn.c_proj [C,C]
    public let attnProj: Linear
    public let ln2Weight: Parameter, ln2Bias: Parameter
    /// mlp.c_fc [C,H]
    public let fc: Linear
    /// mlp.c_proj [H,C]
    public let fcProj: Linear
    /// Bottleneck adapters on the attention and MLP outputs, when inserted.
    public private(set) var attnAdapter: BottleneckAdapter?
    public private(set) var mlpAdapter: BottleneckAdapter?

    func adapter(at p: BottleneckAdapter.Position) -> BottleneckAdapter? { p == .attention ? attnAdapter : mlpAdapter }
    func setAdapter(_ a: BottleneckAdapter?, at p: BottleneckAdapter.Position) {
        if p == .attention { attnAdapter = a } else { mlpAdapter = a }
    }

    init(index i: Int, config: GPTConfig) {
        index = i
        let p = "transformer.h.\(i)."
        let c = config.embedding
        ln1Weight = Parameter(name: p + "ln_1.weight", shape: [c], decays: false)
        ln1Bias = Parameter(name: p + "ln_1.bias", shape: [c], decays: false)
        attn = Linear(prefix: p + "attn.c_attn", inFeatures: c, outFeatures: 3 * c)
        attnProj = Linear(prefix: p + "attn.c_proj", inFeatures: c, outFeatures: c)
        ln2Weight = Parameter(name: p + "ln_2.weight", shape: [c], decays: false)
        ln2Bias = Parameter(name: p + "ln_2.bias", shape: [c], decays: false)
        fc = Linear(prefix: p + "mlp.c_fc", inFeatures: c, outFeatures: config.inner)
        fcProj = Linear(prefix: p + "mlp.c_proj", inFeatures: config.inner, outFeatures: c)
        ln1Weight.fill(1)
        ln2Weight.fill(1)
    }

    /// The four products, in forward order.
    public var linears: [Linear] { [attn, attnProj, fc, fcProj] }

    /// Base tensors in HF checkpoint order.
    public var baseParameters: [Parameter] {
        [ln1Weight, ln1Bias, attn.weight, attn.bias!, attnProj.weight, attnProj.bias!,
         ln2Weight, ln2Bias, fc.weight, fc.bias!, fcProj.weight, fcProj.bias!]
    }

    /// Every tensor of the block, inserted modules included.
    public var parameters: [Parameter] {
        [ln1Weight, ln1Bias] + attn.parameters + attnProj.parameters + (attnAdapter?.parameters ?? [])
            + [ln2Weight, ln2Bias] + fc.parameters + fcProj.parameters + (mlpAdapter?.parameters ?? [])
    }

    /// Adapter sizes at (attention, mlp), 0 when absent; part of the activation layout.
    var adapterSizes: [Int] { [attnAdapter?.size ?? 0, mlpAdapter?.size ?? 0] }
}

/// A GPT-2 language model in fp32: token and position embeddings, `layers` blocks, a final
/// LayerNorm, and logits through the tied token embedding (no separate lm_head).
public final class GPTModel: @unchecked Sendable {
    public let config: GPTConfig
    /// transformer.wte [V,C], also the output projection.
    public let wte: Parameter
    /// transformer.wpe [n_positions,C]
    public let wpe: Parameter
    public let blocks: [GPTBlock]
    public let lnfWeight: Parameter, lnfBias: Parameter
    /// Virtual-token embeddings of prompt tuning, [n_virtual,C], prepended to every sequence.
    public internal(set) var prompt: Parameter?

    /// A model with zero weights and unit LayerNorm gains (to be filled by a loader).
    public init(config: GPTConfig) throws(Diagnostic) {
        try config.validate()
        self.config = config
        wte = Parameter(name: "transformer.wte.weight", shape: [config.vocabSize, config.embedding])
        wpe = Parameter(name: "transformer.wpe.weight", shape: [config.contextLength, config.embedding])
        blocks = (0..<config.layers).map { GPTBlock(index: $0, config: config) }
        lnfWeight = Parameter(name: "transformer.ln_f.weight", shape: [config.embedding], decays: false)
        lnfBias = Parameter(name: "transformer.ln_f.bias", shape: [config.embedding], decays: false)
        lnfWeight.fill(1)
        // Every base tensor starts trainable (full fine-tuning); methods freeze what they keep.
        for p in baseParameters { p.isTrainable = true }
    }

    /// GPT-2's initialisation: N(0, 0.02) for matrices and embeddings, N(0, 0.02/√(2L)) for the
    /// two projections into the residual stream, zero biases, unit LayerNorm gains. Each tensor
    /// draws from its own stream derived from `seed` and its name.
    public static func random(config: GPTConfig, seed: UInt64) throws(Diagnostic) -> GPTModel {
        let m = try GPTModel(config: config)
        let root = SeededRandom(seed: seed)
        let projStd = Float(0.02 / (2 * Double(config.layers)).squareRoot())
        for p in m.baseParameters where p.shape.count == 2 {
            var rng = root.derived("init:" + p.name)
            p.fillNormal(std: p.name.hasSuffix("c_proj.weight") ? projStd : 0.02, rng: &rng)
        }
        return m
    }

    /// Base tensors in HF checkpoint order (what `model.safetensors` holds).
    public var baseParameters: [Parameter] {
        [wte, wpe] + blocks.flatMap(\.baseParameters) + [lnfWeight, lnfBias]
    }

    /// Every tensor, inserted modules included.
    public var parameters: [Parameter] {
        var ps = [wte, wpe]
        if let prompt { ps.append(prompt) }
        return ps + blocks.flatMap(\.parameters) + [lnfWeight, lnfBias]
    }

    public var trainableParameters: [Parameter] { parameters.filter(\.isTrainable) }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    public var trainableCount: Int { trainableParameters.reduce(0) { $0 + $1.count } }

    /// Marks every tensor frozen (no gradient is computed or stored for it).
    public func freezeAll() { for p in parameters { p.isTrainable = false } }

    /// Sets trainability tensor by tensor.
    public func setTrainable(_ predicate: (Parameter) -> Bool) {
        for p in parameters { p.isTrainable = predicate(p) }
    }

    /// Lowest block whose tensors need gradients, or -1 when the embeddings (or virtual
    /// tokens) do: the backward pass stops there instead of running to the input.
    var lowestTrainableBlock: Int {
        if wte.isTrainable || wpe.isTrainable || (prompt?.isTrainable ?? false) { return -1 }
        for b in blocks where b.parameters.contains(where: \.isTrainable) { return b.index }
        return blocks.count
    }

    /// Copies every value of `other` (same config and modules) into this model.
    public func copyWeights(from other: GPTModel) {
        for (a, b) in zip(parameters, other.parameters) { a.copy(from: b) }
    }

    // MARK: Inserted modules

    /// Wraps the chosen products with LoRA. `targets` are module-name suffixes as PEFT matches
    /// them ("c_attn", "c_proj" hits both attn.c_proj and mlp.c_proj, "mlp.c_proj" one of them);
    /// `layers` restricts blocks; `dropout` is PEFT's lora_dropout (training passes only). Only
    /// the new A/B tensors are trainable afterwards.
    @discardableResult
    public func addLoRA(targets: [String], rank: Int, alpha: Float, layers: [Int]? = nil,
                        rsLoRA: Bool = false, dropout: Float = 0, seed: UInt64) throws(Diagnostic) -> [LoRA] {
        guard rank > 0 else { throw .error("LoRA rank must be positive", id: "model.bad-lora") }
        guard dropout >= 0 && dropout < 1 else {
            throw .error("LoRA dropout must be at least 0 and below 1, not \(dropout)", id: "model.bad-lora")
        }
        guard !targets.isEmpty else { throw .error("LoRA needs at least one target module", id: "model.bad-lora") }
        let root = SeededRandom(seed: seed)
        var added: [LoRA] = []
        for block in blocks where layers?.contains(block.index) ?? true {
            for lin in block.linears where targets.contains(where: { lin.path.hasSuffix("." + $0) }) {
                guard lin.lora == nil else {
                    throw .error("\(lin.path) already has a LoRA adapter", id: "model.bad-lora")
                }
                let l = LoRA(path: lin.path, inFeatures: lin.inFeatures, outFeatures: lin.outFeatures,
                             rank: rank, alpha: alpha, rsLoRA: rsLoRA, dropout: dropout)
                // PEFT's default: kaiming-uniform A (a = √5 gives bound 1/√in), zero B.
                var rng = root.derived("lora:" + lin.path)
                l.a.fillUniform(bound: 1 / Float(lin.inFeatures).squareRoot(), rng: &rng)
                lin.lora = l
                added.append(l)
            }
        }
        guard !added.isEmpty else {
            throw .error("no module matches LoRA targets \(targets.joined(separator: ", "))", id: "model.bad-lora",
                         notes: ["GPT-2 modules: c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj"])
        }
        freezeAll()
        for l in added { l.a.isTrainable = true; l.b.isTrainable = true }
        return added
    }

    /// Folds every LoRA delta into its base weight (W[in,out] += s·(B·A)ᵀ) and removes the pairs.
    public func mergeLoRA() {
        for block in blocks {
            for lin in block.linears {
                guard let l = lin.lora else { continue }
                gemm(transA: true, transB: true, m: lin.inFeatures, n: lin.outFeatures, k: l.rank, alpha: l.scale,
                     a: l.a.value, lda: lin.inFeatures, b: l.b.value, ldb: l.rank,
                     beta: 1, c: lin.weight.value, ldc: lin.outFeatures)
                lin.lora = nil
            }
        }
    }

    public var loraModules: [LoRA] { blocks.flatMap { $0.linears.compactMap(\.lora) } }
}
