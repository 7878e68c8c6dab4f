import FTCore

/// A bottleneck adapter (Houlsby et al., 2019): h + up(act(down(h))) on a sublayer's output h,
/// before the residual add. down is C→r, up r→C, both with bias. The up projection starts at
/// zero, so a new adapter leaves the model unchanged. Names are ftsh's own
/// (`transformer.h.3.attn_adapter.down.weight`): these adapters have no PEFT format and cannot
/// be merged into the base weights.
public final class BottleneckAdapter: @unchecked Sendable {
    public enum Activation: String, Sendable, CaseIterable { case relu, gelu }
    public enum Position: String, Sendable, CaseIterable { case attention = "attn_adapter", mlp = "mlp_adapter" }

    public let down: Linear
    public let up: Linear
    public let activation: Activation
    public var size: Int { down.outFeatures }

    init(prefix: String, embedding c: Int, size r: Int, activation: Activation) {
        down = Linear(prefix: prefix + ".down", inFeatures: c, outFeatures: r)
        up = Linear(prefix: prefix + ".up", inFeatures: r, outFeatures: c)
        self.activation = activation
    }

    public var parameters: [Parameter] { down.parameters + up.parameters }

    /// out[N,C] = residual + h + up(act(down(h))); keeps pre[N,r] and post[N,r].
    func forward(out: UnsafeMutablePointer<Float>, h: UnsafePointer<Float>, residual: UnsafePointer<Float>,
                 pre: UnsafeMutablePointer<Float>, post: UnsafeMutablePointer<Float>, n: Int) {
        let c = down.inFeatures, r = size
        down.forward(out: pre, inp: h, n: n)
        switch activation {
        case .gelu: Layers.geluForward(out: post, inp: pre, n: n * r)
        case .relu: for i in 0..<(n * r) { post[i] = max(0, pre[i]) }
        }
        up.forward(out: out, inp: post, n: n, residual: h)
        let so = SharedPointer(out), sr = SharedPointer(UnsafeMutablePointer(mutating: residual))
        parallelRanges(n * c, grain: 1 << 14) { range in
            for i in range { so.p[i] += sr.p[i] }
        }
    }

    /// Given dout[N,C] (the gradient at the adapter's output), writes dh[N,C] = dout + the
    /// gradient through the bottleneck, and the adapter's parameter gradients. `scratch` is [N,r].
    func backward(dout: UnsafePointer<Float>, h: UnsafePointer<Float>, pre: UnsafePointer<Float>,
                  post: UnsafePointer<Float>, dh: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                  n: Int, accumulate: Bool) {
        let r = size, c = down.inFeatures
        up.backward(dout: dout, inp: post, n: n, dinp: scratch, addToInput: false, accumulate: accumulate)
        switch activation {
        case .gelu: Layers.geluBackward(dinp: scratch, inp: pre, dout: scratch, n: n * r)
        case .relu: for i in 0..<(n * r) where pre[i] <= 0 { scratch[i] = 0 }
        }
        dh.update(from: dout, count: n * c)
        down.backward(dout: scratch, inp: h, n: n, dinp: dh, addToInput: true, accumulate: accumulate)
    }
}

extension GPTModel {
    /// Inserts bottleneck adapters of `size` at `positions` (Houlsby: both; Pfeiffer: .mlp) in
    /// the chosen blocks, initialised as identity (down ~ U(±1/√C), up = 0), and makes only
    /// them trainable.
    @discardableResult
    public func addAdapters(size: Int, positions: Set<BottleneckAdapter.Position> = [.attention, .mlp],
                            activation: BottleneckAdapter.Activation = .relu, layers: [Int]? = nil,
                            seed: UInt64) throws(Diagnostic) -> [BottleneckAdapter] {
        guard size > 0 else { throw .error("adapter size must be positive", id: "model.bad-adapter") }
        guard !positions.isEmpty else { throw .error("choose where adapters go", id: "model.bad-adapter") }
        let root = SeededRandom(seed: seed)
        var added: [BottleneckAdapter] = []
        for block in blocks where layers?.contains(block.index) ?? true {
            for pos in BottleneckAdapter.Position.allCases where positions.contains(pos) {
                guard block.adapter(at: pos) == nil else {
                    throw .error("block \(block.index) already has an adapter at \(pos.rawValue)", id: "model.bad-adapter")
                }
                let a = BottleneckAdapter(prefix: "transformer.h.\(block.index).\(pos.rawValue)",
                                          embedding: config.embedding, size: size, activation: activation)
                var rng = root.derived("adapter:" + a.down.path)
                a.down.weight.fillUniform(bound: 1 / Float(config.embedding).squareRoot(), rng: &rng)
                block.setAdapter(a, at: pos)
                added.append(a)
            }
        }
        guard !added.isEmpty else { throw .error("no block matches the adapter layers", id: "model.bad-adapter") }
        freezeAll()
        for a in added { for p in a.parameters { p.isTrainable = true } }
        return added
    }

    public var adapters: [BottleneckAdapter] { blocks.flatMap { [$0.attnAdapter, $0.mlpAdapter].compactMap { $0 } } }
}
