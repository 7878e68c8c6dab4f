import FTCore

/// The training pass: forward through every layer keeping what backward needs, then backward in
/// reverse, computing gradients only for trainable tensors and stopping below the lowest one.
extension GPTModel {
    /// Runs the model on `batch` and returns the mean loss over weighted targets
    /// (Σ w·loss / Σ w; 0 when no target is weighted). With `keepLogits` the logits stay
    /// readable in `acts` (tests, evaluation); otherwise they are turned into probabilities for
    /// the backward pass. `dropoutSeed` makes it a training pass for LoRA dropout: each product's
    /// mask derives from that seed and the product's name (so a step's masks can be drawn again
    /// on resume); without it the LoRA branches see their whole input, as in evaluation.
    @discardableResult
    public func forward(_ batch: Batch, _ acts: Activations, keepLogits: Bool = false,
                        dropoutSeed: UInt64? = nil) throws(Diagnostic) -> Float {
        guard acts.fits(self) else {
            throw .error("activation buffers were made for a different model layout", id: "internal.activations")
        }
        guard batch.size == acts.batchSize, batch.length == acts.length else {
            throw .error("batch is \(batch.size)×\(batch.length) but buffers are \(acts.batchSize)×\(acts.length)",
                         id: "internal.batch-shape")
        }
        guard acts.positions <= config.contextLength else {
            throw .error("sequence of \(acts.positions) positions exceeds the model's context of \(config.contextLength)",
                         id: "model.too-long")
        }
        try batch.validate(vocabSize: config.vocabSize)
        let P = acts.promptCount, T = acts.length, TP = acts.positions
        var wsum: Float = 0
        for b in 0..<batch.size {
            for p in 0..<P {
                acts.tokens[b * TP + p] = Int32(-p - 1)
                acts.targets[b * TP + p] = 0
                acts.weights[b * TP + p] = 0
            }
            for t in 0..<T {
                let i = b * TP + P + t, j = b * T + t
                acts.tokens[i] = batch.inputs[j]
                acts.targets[i] = batch.targets[j]
                acts.weights[i] = batch.weights[j]
                wsum += batch.weights[j]
            }
        }
        acts.lossWeightSum = wsum
        runForward(acts, computeLoss: true, keepLogits: keepLogits, dropoutSeed: dropoutSeed)
        guard wsum > 0 else { return 0 }
        var total: Float = 0
        for i in 0..<acts.rows where acts.weights[i] != 0 { total += acts.weights[i] * acts.losses[i] }
        return total / wsum
    }

    /// The input of product `k`'s LoRA branch in layer buffers `L`: a fresh dropped-out copy of
    /// `x` when training with dropout, else nil (the branch reads `x` itself).
    func loraInput(_ lin: Linear, _ L: Activations.Layer, _ k: Int, _ x: UnsafePointer<Float>, n: Int,
                   dropoutSeed: UInt64?) -> UnsafePointer<Float>? {
        guard let seed = dropoutSeed, let lora = lin.lora, lora.dropout > 0,
              let out = L.loraX[k], let mask = L.loraMask[k] else { return nil }
        var rng = SeededRandom(seed: seed).derived("lora-dropout:" + lin.path)
        LoRADropout.draw(out: out, mask: mask, inp: x, count: n * lin.inFeatures, p: lora.dropout, rng: &rng)
        return UnsafePointer(out)
    }

    func runForward(_ a: Activations, computeLoss: Bool, keepLogits: Bool, dropoutSeed: UInt64? = nil) {
        let n = a.rows, c = config.embedding, h = config.inner, eps = Float(config.layerNormEpsilon)
        a.dropoutActive = dropoutSeed != nil
        func dropped(_ lin: Linear, _ L: Activations.Layer, _ k: Int, _ x: UnsafePointer<Float>) -> UnsafePointer<Float>? {
            loraInput(lin, L, k, x, n: n, dropoutSeed: dropoutSeed)
        }
        Layers.embeddingForward(out: a.encoded, tokens: a.tokens, wte: wte.value, wpe: wpe.value,
                                prompt: prompt.map { UnsafePointer($0.value) }, b: a.batchSize, t: a.positions, c: c)
        var x = UnsafePointer(a.encoded)
        for (l, blk) in blocks.enumerated() {
            let L = a.layers[l]
            Layers.layerNormForward(out: L.ln1, mean: L.ln1Mean, rstd: L.ln1Rstd, inp: x,
                                    w: blk.ln1Weight.value, bias: blk.ln1Bias.value, n: n, c: c, eps: eps)
            blk.attn.forward(out: L.qkv, inp: L.ln1, n: n, loraU: L.loraU[0], loraInput: dropped(blk.attn, L, 0, L.ln1))
            Attention.forward(out: L.attY, att: L.att, qkv: L.qkv, b: a.batchSize, t: a.positions, c: c, heads: config.heads)
            if let ad = blk.attnAdapter {
                blk.attnProj.forward(out: L.adapterH[0]!, inp: L.attY, n: n, loraU: L.loraU[1],
                                     loraInput: dropped(blk.attnProj, L, 1, L.attY))
                ad.forward(out: L.res2, h: L.adapterH[0]!, residual: x, pre: L.adapterPre[0]!, post: L.adapterPost[0]!, n: n)
            } else {
                blk.attnProj.forward(out: L.res2, inp: L.attY, n: n, residual: x, loraU: L.loraU[1],
                                     loraInput: dropped(blk.attnProj, L, 1, L.attY))
            }
            Layers.layerNormForward(out: L.ln2, mean: L.ln2Mean, rstd: L.ln2Rstd, inp: L.res2,
                                    w: blk.ln2Weight.value, bias: blk.ln2Bias.value, n: n, c: c, eps: eps)
            blk.fc.forward(out: L.fch, inp: L.ln2, n: n, loraU: L.loraU[2], loraInput: dropped(blk.fc, L, 2, L.ln2))
            Layers.geluForward(out: L.fchGelu, inp: L.fch, n: n * h)
            if let ad = blk.mlpAdapter {
                blk.fcProj.forward(out: L.adapterH[1]!, inp: L.fchGelu, n: n, loraU: L.loraU[3],
                                   loraInput: dropped(blk.fcProj, L, 3, L.fchGelu))
                ad.forward(out: L.res3, h: L.adapterH[1]!, residual: L.res2, pre: L.adapterPre[1]!, post: L.adapterPost[1]!, n: n)
            } else {
                blk.fcProj.forward(out: L.res3, inp: L.fchGelu, n: n, residual: L.res2, loraU: L.loraU[3],
                                   loraInput: dropped(blk.fcProj, L, 3, L.fchGelu))
            }
            x = UnsafePointer(L.res3)
        }
        Layers.layerNormForward(out: a.lnf, mean: a.lnfMean, rstd: a.lnfRstd, inp: x,
                                w: lnfWeight.value, bias: lnfBias.value, n: n, c: c, eps: eps)
        // logits[N,V] = lnf[N,C]·wteᵀ
        gemm(transA: false, transB: true, m: n, n: config.vocabSize, k: c, a: a.lnf, lda: c,
             b: wte.value, ldb: c, beta: 0, c: a.logits, ldc: config.vocabSize)
        a.probsInPlace = false
        if computeLoss {
            CrossEntropy.forward(losses: a.losses, lse: a.lse, logits: a.logits, targets: a.targets, weights: a.weights,
                                 n: n, v: config.vocabSize, probsInPlace: !keepLogits)
            a.probsInPlace = !keepLogits
        }
    }

    /// Gradients of `lossScale` × the last forward's mean loss into every trainable tensor:
    /// written, or added to what is there with `accumulate` (gradient accumulation over
    /// micro-batches). Call once per forward.
    public func backward(_ a: Activations, accumulate: Bool = false, lossScale: Float = 1) {
        let n = a.rows, c = config.embedding, h = config.inner, v = config.vocabSize
        let stop = lowestTrainableBlock
        if stop >= blocks.count && !lnfWeight.isTrainable && !lnfBias.isTrainable && !wte.isTrainable { return }
        let dPerWeight = a.lossWeightSum > 0 ? lossScale / a.lossWeightSum : 0
        CrossEntropy.backward(logits: a.logits, lse: a.lse, targets: a.targets, weights: a.weights,
                              dlossPerWeight: dPerWeight, n: n, v: v, probsInPlace: a.probsInPlace)
        a.probsInPlace = false
        let dlogits = UnsafePointer(a.logits)
        // dlnf[N,C] = dlogits·wte ; dwte[V,C] (+)= dlogitsᵀ·lnf
        gemm(transA: false, transB: false, m: n, n: c, k: v, a: dlogits, lda: v, b: wte.value, ldb: c,
             beta: 0, c: a.dln, ldc: c)
        if let g = wte.grad {
            gemm(transA: true, transB: false, m: v, n: c, k: n, a: dlogits, lda: v, b: a.lnf, ldb: c,
                 beta: accumulate ? 1 : 0, c: g, ldc: c)
        }
        let lastX = blocks.isEmpty ? UnsafePointer(a.encoded) : UnsafePointer(a.layers[blocks.count - 1].res3)
        a.dres.update(repeating: 0, count: n * c)
        Layers.layerNormBackward(dinp: stop < blocks.count ? a.dres : nil, dw: lnfWeight.grad, db: lnfBias.grad,
                                 dout: a.dln, inp: lastX, w: lnfWeight.value, mean: a.lnfMean, rstd: a.lnfRstd,
                                 n: n, c: c, accumulate: accumulate, scratch: a.lnScratch)
        var l = blocks.count - 1
        while l >= max(stop, 0) {
            let blk = blocks[l], L = a.layers[l]
            let x = l == 0 ? UnsafePointer(a.encoded) : UnsafePointer(a.layers[l - 1].res3)
            let below = l > stop  // does anything under this block need its input gradient?
            // What the LoRA branches saw in the forward pass, when it drew dropout masks.
            func mask(_ k: Int) -> UnsafePointer<Float>? { a.dropoutActive ? L.loraMask[k].map { UnsafePointer($0) } : nil }
            func seen(_ k: Int) -> UnsafePointer<Float>? { a.dropoutActive ? L.loraX[k].map { UnsafePointer($0) } : nil }
            // res3 = res2 + fcProj(gelu(fc(ln2(res2)))): dres flows to res2 unchanged.
            var dMLP = UnsafePointer(a.dres)
            if let ad = blk.mlpAdapter {
                ad.backward(dout: a.dres, h: L.adapterH[1]!, pre: L.adapterPre[1]!, post: L.adapterPost[1]!,
                            dh: a.adapterDH!, scratch: a.adapterScratch!, n: n, accumulate: accumulate)
                dMLP = UnsafePointer(a.adapterDH!)
            }
            blk.fcProj.backward(dout: dMLP, inp: L.fchGelu, n: n, dinp: a.dfch, addToInput: false,
                                accumulate: accumulate, loraU: L.loraU[3], loraDU: a.loraDU,
                                loraInput: seen(3), loraMask: mask(3), loraScratch: a.loraDX)
            Layers.geluBackward(dinp: a.dfch, inp: L.fch, dout: a.dfch, n: n * h)
            blk.fc.backward(dout: a.dfch, inp: L.ln2, n: n, dinp: a.dln, addToInput: false,
                            accumulate: accumulate, loraU: L.loraU[2], loraDU: a.loraDU,
                            loraInput: seen(2), loraMask: mask(2), loraScratch: a.loraDX)
            Layers.layerNormBackward(dinp: a.dres, dw: blk.ln2Weight.grad, db: blk.ln2Bias.grad, dout: a.dln,
                                     inp: L.res2, w: blk.ln2Weight.value, mean: L.ln2Mean, rstd: L.ln2Rstd,
                                     n: n, c: c, accumulate: accumulate, scratch: a.lnScratch)
            // res2 = x + attnProj(attention(attn(ln1(x)))).
            var dAttn = UnsafePointer(a.dres)
            if let ad = blk.attnAdapter {
                ad.backward(dout: a.dres, h: L.adapterH[0]!, pre: L.adapterPre[0]!, post: L.adapterPost[0]!,
                            dh: a.adapterDH!, scratch: a.adapterScratch!, n: n, accumulate: accumulate)
                dAttn = UnsafePointer(a.adapterDH!)
            }
            blk.attnProj.backward(dout: dAttn, inp: L.attY, n: n, dinp: a.dattY, addToInput: false,
                                  accumulate: accumulate, loraU: L.loraU[1], loraDU: a.loraDU,
                                  loraInput: seen(1), loraMask: mask(1), loraScratch: a.loraDX)
            Attention.backward(dqkv: a.dqkv, dout: a.dattY, att: L.att, qkv: L.qkv, b: a.batchSize,
                               t: a.positions, c: c, heads: config.heads, scratch: a.attScratch)
            let needLN1Input = below || blk.ln1Weight.isTrainable || blk.ln1Bias.isTrainable
            blk.attn.backward(dout: a.dqkv, inp: L.ln1, n: n, dinp: needLN1Input ? a.dln : nil, addToInput: false,
                              accumulate: accumulate, loraU: L.loraU[0], loraDU: a.loraDU,
                              loraInput: seen(0), loraMask: mask(0), loraScratch: a.loraDX)
            if needLN1Input {
                Layers.layerNormBackward(dinp: below ? a.dres : nil, dw: blk.ln1Weight.grad, db: blk.ln1Bias.grad,
                                         dout: a.dln, inp: x, w: blk.ln1Weight.value, mean: L.ln1Mean, rstd: L.ln1Rstd,
                                         n: n, c: c, accumulate: accumulate, scratch: a.lnScratch)
            }
            l -= 1
        }
        if stop < 0 {
            if !accumulate { wpe.zeroGrad(); prompt?.zeroGrad() }
            Layers.embeddingBackward(dout: a.dres, tokens: a.tokens, dwte: wte.grad, dwpe: wpe.grad,
                                     dprompt: prompt?.grad, b: a.batchSize, t: a.positions, c: c)
        }
    }
}
