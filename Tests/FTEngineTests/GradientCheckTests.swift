import Testing
import FTCore
@testable import FTEngine

/// Finite-difference checks of every layer's backward pass: the loss is Σ out·R for a fixed
/// random R (so dout = R), and each analytic gradient entry is compared with the central
/// difference (f(x+ε) − f(x−ε)) / 2ε.
struct Buffer {
    var data: [Float]
    init(_ n: Int, _ rng: inout SeededRandom, scale: Float = 1) {
        data = (0..<n).map { _ in Float(rng.nextGaussian()) * scale }
    }
    init(zeros n: Int) { data = [Float](repeating: 0, count: n) }
}

/// Compares `analytic` with central differences of `loss` over (at most `samples`) entries of
/// `x`; returns the worst |fd − an| / max(1, |an|).
func worstError(_ x: inout [Float], analytic: [Float], eps: Float = 1e-2, samples: Int = 24,
                loss: ([Float]) -> Double) -> Double {
    var worst = 0.0
    let stride = max(1, x.count / samples)
    for i in Swift.stride(from: 0, to: x.count, by: stride) {
        let saved = x[i]
        x[i] = saved + eps
        let up = loss(x)
        x[i] = saved - eps
        let down = loss(x)
        x[i] = saved
        let fd = (up - down) / (2 * Double(eps))
        worst = max(worst, abs(fd - Double(analytic[i])) / max(1, abs(Double(analytic[i]))))
    }
    return worst
}

func dotD(_ a: UnsafePointer<Float>, _ b: [Float]) -> Double {
    var s = 0.0
    for i in 0..<b.count { s += Double(a[i]) * Double(b[i]) }
    return s
}

@Suite struct GradientCheckTests {
    @Test func layerNorm() {
        var rng = SeededRandom(seed: 11)
        let n = 6, c = 20
        var x = Buffer(n * c, &rng).data, w = Buffer(c, &rng).data, b = Buffer(c, &rng).data
        let r = Buffer(n * c, &rng).data
        var out = [Float](repeating: 0, count: n * c), mean = [Float](repeating: 0, count: n), rstd = mean
        func f(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            Layers.layerNormForward(out: &out, mean: &mean, rstd: &rstd, inp: x, w: w, bias: b, n: n, c: c, eps: 1e-5)
            return dotD(out, r)
        }
        _ = f(x, w, b)
        var dx = [Float](repeating: 0, count: n * c), dw = [Float](repeating: 0, count: c), db = dw
        var scratch = [Float](repeating: 0, count: 2 * c * EngineThreads.count)
        Layers.layerNormBackward(dinp: &dx, dw: &dw, db: &db, dout: r, inp: x, w: w, mean: mean, rstd: rstd,
                                 n: n, c: c, accumulate: false, scratch: &scratch)
        #expect(worstError(&x, analytic: dx, eps: 1e-3) { f($0, w, b) } < 2e-2)
        #expect(worstError(&w, analytic: dw) { f(x, $0, b) } < 1e-2)
        #expect(worstError(&b, analytic: db) { f(x, w, $0) } < 1e-2)
    }

    @Test func geluAndAttention() {
        var rng = SeededRandom(seed: 12)
        let n = 70
        var x = Buffer(n, &rng, scale: 2).data
        let r = Buffer(n, &rng).data
        var out = [Float](repeating: 0, count: n)
        func g(_ x: [Float]) -> Double { Layers.geluForward(out: &out, inp: x, n: n); return dotD(out, r) }
        var dx = [Float](repeating: 0, count: n)
        Layers.geluBackward(dinp: &dx, inp: x, dout: r, n: n)
        #expect(worstError(&x, analytic: dx, samples: 70, loss: g) < 1e-2)

        let b = 2, t = 5, c = 12, heads = 3
        var qkv = Buffer(b * t * 3 * c, &rng).data
        let ra = Buffer(b * t * c, &rng).data
        var y = [Float](repeating: 0, count: b * t * c), att = [Float](repeating: 0, count: b * heads * t * t)
        func a(_ q: [Float]) -> Double {
            Attention.forward(out: &y, att: &att, qkv: q, b: b, t: t, c: c, heads: heads)
            return dotD(y, ra)
        }
        _ = a(qkv)
        var dqkv = [Float](repeating: 0, count: qkv.count), scratch = [Float](repeating: 0, count: t * t * EngineThreads.count)
        Attention.backward(dqkv: &dqkv, dout: ra, att: att, qkv: qkv, b: b, t: t, c: c, heads: heads, scratch: &scratch)
        #expect(worstError(&qkv, analytic: dqkv, eps: 1e-2, samples: 400, loss: a) < 1e-2)
        // Causality: the output at position 0 ignores everything later.
        let before = Array(y[0..<c])
        for i in (3 * c)..<(t * 3 * c) { qkv[i] += 1 }
        _ = a(qkv)
        #expect(Array(y[0..<c]) == before)
    }

    @Test func crossEntropyWithMask() {
        var rng = SeededRandom(seed: 13)
        let n = 5, v = 37
        var logits = Buffer(n * v, &rng, scale: 2).data
        let targets: [Int32] = [3, 0, 36, 7, 7]
        let weights: [Float] = [1, 0, 2, 1, 0]
        var losses = [Float](repeating: 0, count: n), lse = losses
        func f(_ x: [Float]) -> Double {
            var y = x
            CrossEntropy.forward(losses: &losses, lse: &lse, logits: &y, targets: targets, weights: weights,
                                 n: n, v: v, probsInPlace: false)
            return zip(losses, weights).reduce(0.0) { $0 + Double($1.0 * $1.1) } / 4
        }
        _ = f(logits)
        var d = logits
        CrossEntropy.forward(losses: &losses, lse: &lse, logits: &d, targets: targets, weights: weights,
                             n: n, v: v, probsInPlace: true)
        CrossEntropy.backward(logits: &d, lse: lse, targets: targets, weights: weights, dlossPerWeight: 0.25,
                              n: n, v: v, probsInPlace: true)
        #expect(worstError(&logits, analytic: d, eps: 1e-2, samples: 185, loss: f) < 1e-3)
        #expect(losses[1] == 0 && losses[4] == 0)
        #expect(d[v..<(2 * v)].allSatisfy { $0 == 0 })
    }

    @Test func linearWithLoRA() throws {
        var rng = SeededRandom(seed: 14)
        let n = 7, i = 9, o = 6
        let lin = Linear(prefix: "m", inFeatures: i, outFeatures: o)
        lin.lora = LoRA(path: "m", inFeatures: i, outFeatures: o, rank: 3, alpha: 6, rsLoRA: false)
        for p in lin.parameters { p.fillNormal(std: 0.5, rng: &rng); p.isTrainable = true }
        var x = Buffer(n * i, &rng).data
        let r = Buffer(n * o, &rng).data
        var out = [Float](repeating: 0, count: n * o), u = [Float](repeating: 0, count: n * 3)
        func f(_ x: [Float]) -> Double { lin.forward(out: &out, inp: x, n: n, loraU: &u); return dotD(out, r) }
        _ = f(x)
        var dx = [Float](repeating: 0, count: n * i), du = [Float](repeating: 0, count: n * 3)
        lin.backward(dout: r, inp: x, n: n, dinp: &dx, addToInput: false, accumulate: false, loraU: u, loraDU: &du)
        #expect(worstError(&x, analytic: dx) { f($0) } < 1e-3)
        for p in lin.parameters {
            var values = Array(p.values)
            let analytic = Array(UnsafeBufferPointer(start: p.grad!, count: p.count))
            let err = worstError(&values, analytic: analytic) { v in
                p.values.update(fromContentsOf: v)
                return f(x)
            }
            p.values.update(fromContentsOf: values)
            #expect(err < 1e-3, "\(p.name)")
        }
    }

    /// The whole model, including embeddings (tied with the output), residuals, virtual prompt
    /// tokens, LoRA and bottleneck adapters, against finite differences of the model loss.
    @Test func wholeModel() throws {
        let config = GPTConfig(vocabSize: 23, contextLength: 12, layers: 2, heads: 2, embedding: 8)
        let model = try GPTModel.random(config: config, seed: 3)
        var rng = SeededRandom(seed: 15)
        for p in model.baseParameters { p.fillNormal(std: 0.4, rng: &rng) }
        model.prompt = Parameter(name: "prompt_embeddings", shape: [2, 8])
        model.prompt!.fillNormal(std: 0.5, rng: &rng)
        model.prompt!.isTrainable = true
        try model.addLoRA(targets: ["c_fc"], rank: 2, alpha: 3, seed: 1)
        try model.addAdapters(size: 3, activation: .gelu, layers: [1], seed: 2)
        try model.addAdapters(size: 2, positions: [.mlp], activation: .relu, layers: [0], seed: 2)
        model.setTrainable { _ in true }
        for p in model.loraModules.map(\.b) + model.adapters.map(\.up.weight) { p.fillNormal(std: 0.3, rng: &rng) }
        let batch = Batch.from(sequences: [[1, 5, 7, 9, 2, 22], [4, 4, 3]], weights: [[0, 0, 1, 1, 1, 1], [1, 1, 1]],
                               length: 5)
        let acts = Activations(model: model, batchSize: 2, length: 5)
        try model.forward(batch, acts)
        model.backward(acts)
        for p in model.parameters {
            var values = Array(p.values)
            let analytic = Array(UnsafeBufferPointer(start: p.grad!, count: p.count))
            let err = worstError(&values, analytic: analytic, eps: 2e-3, samples: 12) { v in
                p.values.update(fromContentsOf: v)
                return Double((try? model.forward(batch, acts)) ?? .nan)
            }
            p.values.update(fromContentsOf: values)
            #expect(err < 5e-3, "\(p.name): \(err)")
        }
    }
}
