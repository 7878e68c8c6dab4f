import FTCore
import Foundation

/// How the next token is chosen. `temperature` 0 is greedy (the first most likely id).
public struct SamplingOptions: Sendable, Equatable {
    public var temperature: Float
    public var topK: Int?
    public var topP: Float?
    public var maxNewTokens: Int
    /// Generation ends after emitting one of these (e.g. the end-of-text id).
    public var stopTokens: Set<Int>

    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil, maxNewTokens: Int = 64,
                stopTokens: Set<Int> = []) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.stopTokens = stopTokens
    }

    public static let greedy = SamplingOptions(temperature: 0)
}

/// Autoregressive decoding with a key/value cache: the prompt is run once, then each new token
/// costs one position through the network. Keeps its own buffers, independent of training.
public final class Generator: @unchecked Sendable {
    public let model: GPTModel
    public let capacity: Int
    public private(set) var length = 0
    let c: Int, h: Int, v: Int, heads: Int
    private var buffers: [UnsafeMutablePointer<Float>] = []
    let kCache: UnsafeMutablePointer<Float>, vCache: UnsafeMutablePointer<Float> // [L,capacity,C]
    let x, ln, attY, res, qkv, fch, gelu: UnsafeMutablePointer<Float>           // [capacity, …]
    let loraU: UnsafeMutablePointer<Float>
    let adH, adPre, adPost: UnsafeMutablePointer<Float>   // bottleneck adapters: [capacity,C], [capacity,r]
    let scores: UnsafeMutablePointer<Float>                                        // [threads,capacity]
    let lnMean, lnRstd: UnsafeMutablePointer<Float>
    let logits: UnsafeMutablePointer<Float>
    let tokenIds: UnsafeMutablePointer<Int32>
    let promptCount: Int

    public init(model: GPTModel, capacity: Int? = nil) {
        self.model = model
        let cfg = model.config
        self.capacity = min(capacity ?? cfg.contextLength, cfg.contextLength)
        c = cfg.embedding; h = cfg.inner; v = cfg.vocabSize; heads = cfg.heads
        promptCount = model.prompt?.shape[0] ?? 0
        let n = self.capacity
        var bufs: [UnsafeMutablePointer<Float>] = []
        func f(_ k: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(k, 1))
            p.initialize(repeating: 0, count: max(k, 1)); bufs.append(p); return p
        }
        kCache = f(cfg.layers * n * c); vCache = f(cfg.layers * n * c)
        x = f(n * c); ln = f(n * c); attY = f(n * c); res = f(n * c); qkv = f(n * 3 * c)
        fch = f(n * h); gelu = f(n * h)
        loraU = f(n * (model.loraModules.map(\.rank).max() ?? 1))
        let adapterSize = model.adapters.map(\.size).max() ?? 1
        adH = f(n * c); adPre = f(n * adapterSize); adPost = f(n * adapterSize)
        scores = f(EngineThreads.count * n)
        lnMean = f(n); lnRstd = f(n); logits = f(v)
        tokenIds = .allocate(capacity: n)
        buffers = bufs
    }

    deinit { for p in buffers { p.deallocate() }; tokenIds.deallocate() }

    public func reset() { length = 0 }

    /// Appends `tokens` to the context and returns the logits for the token after the last one
    /// (a copy: it stays valid whatever happens to the generator). The first call also feeds
    /// the model's virtual prompt tokens.
    @discardableResult
    public func feed(_ tokens: [Int]) throws(Diagnostic) -> [Float] {
        var ids: [Int32] = []
        if length == 0 { ids = (0..<promptCount).map { Int32(-$0 - 1) } }
        for t in tokens {
            guard t >= 0 && t < v else {
                throw .error("token id \(t) is outside the vocabulary (\(v))", id: "model.bad-token")
            }
            ids.append(Int32(t))
        }
        guard !ids.isEmpty else { throw .error("nothing to feed the model", id: "model.empty-prompt") }
        guard length + ids.count <= capacity else {
            throw .error("context full: \(length + ids.count) positions exceed \(capacity)", id: "model.too-long")
        }
        for (i, id) in ids.enumerated() { tokenIds[i] = id }
        run(count: ids.count)
        return Array(UnsafeBufferPointer(start: logits, count: v))
    }

    private func run(count n: Int) {
        let cfg = model.config, eps = Float(cfg.layerNormEpsilon), pos0 = length
        Layers.embeddingForward(out: x, tokens: tokenIds, wte: model.wte.value, wpe: model.wpe.value,
                                prompt: model.prompt.map { UnsafePointer($0.value) }, b: 1, t: n, c: c,
                                positionOffset: pos0)
        for (l, blk) in model.blocks.enumerated() {
            Layers.layerNormForward(out: ln, mean: lnMean, rstd: lnRstd, inp: x, w: blk.ln1Weight.value,
                                    bias: blk.ln1Bias.value, n: n, c: c, eps: eps)
            blk.attn.forward(out: qkv, inp: ln, n: n, loraU: loraU)
            let kc = kCache + l * capacity * c, vc = vCache + l * capacity * c
            for i in 0..<n {
                (kc + (pos0 + i) * c).update(from: qkv + i * 3 * c + c, count: c)
                (vc + (pos0 + i) * c).update(from: qkv + i * 3 * c + 2 * c, count: c)
            }
            cachedAttention(n: n, pos0: pos0, kc: kc, vc: vc)
            if let ad = blk.attnAdapter {
                blk.attnProj.forward(out: adH, inp: attY, n: n, loraU: loraU)
                ad.forward(out: res, h: adH, residual: x, pre: adPre, post: adPost, n: n)
            } else {
                blk.attnProj.forward(out: res, inp: attY, n: n, residual: x, loraU: loraU)
            }
            Layers.layerNormForward(out: ln, mean: lnMean, rstd: lnRstd, inp: res, w: blk.ln2Weight.value,
                                    bias: blk.ln2Bias.value, n: n, c: c, eps: eps)
            blk.fc.forward(out: fch, inp: ln, n: n, loraU: loraU)
            Layers.geluForward(out: gelu, inp: fch, n: n * h)
            if let ad = blk.mlpAdapter {
                blk.fcProj.forward(out: adH, inp: gelu, n: n, loraU: loraU)
                ad.forward(out: x, h: adH, residual: res, pre: adPre, post: adPost, n: n)
            } else {
                blk.fcProj.forward(out: x, inp: gelu, n: n, residual: res, loraU: loraU)
            }
        }
        let last = x + (n - 1) * c
        Layers.layerNormForward(out: ln, mean: lnMean, rstd: lnRstd, inp: last, w: model.lnfWeight.value,
                                bias: model.lnfBias.value, n: 1, c: c, eps: eps)
        gemm(transA: false, transB: true, m: 1, n: v, k: c, a: ln, lda: c, b: model.wte.value, ldb: c,
             beta: 0, c: logits, ldc: v)
        length += n
    }

    /// attY[i] for the n new queries against all cached keys up to their own position.
    private func cachedAttention(n: Int, pos0: Int, kc: UnsafeMutablePointer<Float>, vc: UnsafeMutablePointer<Float>) {
        let hs = c / heads, scale = 1 / Float(hs).squareRoot(), c = c, cap = capacity
        let sq = SharedPointer(qkv), sk = SharedPointer(kc), sv = SharedPointer(vc)
        let so = SharedPointer(attY), ss = SharedPointer(scores)
        parallelWorkers(n * heads, workers: EngineThreads.count) { w, items in
            let row = ss.p + w * cap
            for item in items {
                let i = item / heads, hd = item % heads
                let q = sq.p + i * 3 * c + hd * hs
                let upto = pos0 + i
                var maxv = -Float.infinity
                for t in 0...upto {
                    let s = dot(q, sk.p + t * c + hd * hs, hs) * scale
                    row[t] = s
                    if s > maxv { maxv = s }
                }
                let total = expShiftInPlace(row, upto + 1, shift: maxv)
                let o = so.p + i * c + hd * hs
                o.update(repeating: 0, count: hs)
                let inv = 1 / total
                for t in 0...upto { axpy(row[t] * inv, sv.p + t * c + hd * hs, o, hs) }
            }
        }
    }

    /// Continues `prompt` (token ids) and returns the new ids. `onToken` sees each id as it is
    /// chosen and may return false to stop.
    public func generate(prompt: [Int], options: SamplingOptions, rng: inout SeededRandom,
                         onToken: (Int) -> Bool = { _ in true }) throws(Diagnostic) -> [Int] {
        reset()
        var logits = try feed(prompt)
        var out: [Int] = []
        while out.count < options.maxNewTokens {
            let next = Sampler.choose(logits: logits, options: options, rng: &rng)
            out.append(next)
            // The callback sees a stop token too, so callers can tell an end-of-text from a limit.
            let goOn = onToken(next)
            if options.stopTokens.contains(next) || !goOn { break }
            if length >= capacity { break }
            logits = try feed([next])
        }
        return out
    }
}

/// Turns logits into one token id.
public enum Sampler {
    public static func choose(logits: [Float], options: SamplingOptions, rng: inout SeededRandom) -> Int {
        let n = logits.count
        if options.temperature <= 0 {
            var best = 0
            for i in 1..<n where logits[i] > logits[best] { best = i }
            return best
        }
        // Candidates by falling logit (ties by id), cut by top-k, then by top-p mass.
        var order = Array(0..<n)
        order.sort { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        if let k = options.topK, k > 0, k < n { order.removeLast(n - k) }
        let t = Double(options.temperature)
        let maxv = Double(logits[order[0]])
        var probs = order.map { exp((Double(logits[$0]) - maxv) / t) }
        var total = probs.reduce(0, +)
        if let p = options.topP, p > 0, p < 1 {
            var acc = 0.0, keep = probs.count
            for (i, q) in probs.enumerated() {
                acc += q / total
                if acc >= Double(p) { keep = i + 1; break }
            }
            probs.removeLast(probs.count - keep)
            order.removeLast(order.count - keep)
            total = probs.reduce(0, +)
        }
        var u = rng.nextDouble() * total
        for (i, q) in probs.enumerated() {
            u -= q
            if u < 0 { return order[i] }
        }
        return order[probs.count - 1]
    }
}
