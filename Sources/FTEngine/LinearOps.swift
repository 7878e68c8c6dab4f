/// Forward and backward of `Linear` (with its LoRA branch) as matrix products. N rows of
/// in-features go in; no product copies or transposes a buffer: the transposes are sgemm flags.
extension Linear {
    /// out[N,out] = residual + x[N,in]·W + b (+ s·(x'·Aᵀ)·Bᵀ), where x' is `loraInput` (the
    /// dropped-out input while training with LoRA dropout) or x. `loraU` [N,r] keeps x'·Aᵀ for
    /// the backward pass.
    func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int,
                 residual: UnsafePointer<Float>? = nil, loraU: UnsafeMutablePointer<Float>? = nil,
                 loraInput: UnsafePointer<Float>? = nil) {
        Layers.broadcastRows(out: out, bias: bias.map { UnsafePointer($0.value) }, residual: residual,
                             n: n, c: outFeatures)
        gemm(transA: false, transB: false, m: n, n: outFeatures, k: inFeatures,
             a: inp, lda: inFeatures, b: weight.value, ldb: outFeatures, beta: 1, c: out, ldc: outFeatures)
        if let lora, let u = loraU {
            let r = lora.rank
            // u[N,r] = x'·Aᵀ ; out += s·u·Bᵀ
            gemm(transA: false, transB: true, m: n, n: r, k: inFeatures,
                 a: loraInput ?? inp, lda: inFeatures, b: lora.a.value, ldb: inFeatures, beta: 0, c: u, ldc: r)
            gemm(transA: false, transB: true, m: n, n: outFeatures, k: r, alpha: lora.scale,
                 a: u, lda: r, b: lora.b.value, ldb: r, beta: 1, c: out, ldc: outFeatures)
        }
    }

    /// Given dout[N,out]: parameter gradients of the trainable tensors (written, or added with
    /// `accumulate`), and dinp[N,in] written (`addToInput` false), added, or skipped (nil).
    /// After a forward pass with LoRA dropout, `loraInput` is the dropped-out input it used and
    /// `loraMask` [N,in] the mask (0 or 1/(1−p)) that made it; `loraScratch` [N,in] then holds
    /// the branch's input gradient before the mask.
    func backward(dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, n: Int,
                  dinp: UnsafeMutablePointer<Float>?, addToInput: Bool, accumulate: Bool,
                  loraU: UnsafePointer<Float>? = nil, loraDU: UnsafeMutablePointer<Float>? = nil,
                  loraInput: UnsafePointer<Float>? = nil, loraMask: UnsafePointer<Float>? = nil,
                  loraScratch: UnsafeMutablePointer<Float>? = nil) {
        let pb: Float = accumulate ? 1 : 0
        if let gw = weight.grad {
            // dW[in,out] = xᵀ·dout
            gemm(transA: true, transB: false, m: inFeatures, n: outFeatures, k: n,
                 a: inp, lda: inFeatures, b: dout, ldb: outFeatures, beta: pb, c: gw, ldc: outFeatures)
        }
        if let bias, let gb = bias.grad {
            Layers.biasBackward(db: gb, dout: dout, n: n, c: outFeatures, accumulate: accumulate)
        }
        if let dinp {
            // dx[N,in] (+)= dout·Wᵀ
            gemm(transA: false, transB: true, m: n, n: inFeatures, k: outFeatures,
                 a: dout, lda: outFeatures, b: weight.value, ldb: outFeatures,
                 beta: addToInput ? 1 : 0, c: dinp, ldc: inFeatures)
        }
        if let lora, let u = loraU, let du = loraDU {
            let r = lora.rank, s = lora.scale
            if let gB = lora.b.grad {
                // dB[out,r] = s·doutᵀ·u
                gemm(transA: true, transB: false, m: outFeatures, n: r, k: n, alpha: s,
                     a: dout, lda: outFeatures, b: u, ldb: r, beta: pb, c: gB, ldc: r)
            }
            let needDU = lora.a.grad != nil || dinp != nil
            if needDU {
                // du[N,r] = s·dout·B
                gemm(transA: false, transB: false, m: n, n: r, k: outFeatures, alpha: s,
                     a: dout, lda: outFeatures, b: lora.b.value, ldb: r, beta: 0, c: du, ldc: r)
            }
            if let gA = lora.a.grad {
                // dA[r,in] = duᵀ·x'
                gemm(transA: true, transB: false, m: r, n: inFeatures, k: n,
                     a: du, lda: r, b: loraInput ?? inp, ldb: inFeatures, beta: pb, c: gA, ldc: inFeatures)
            }
            if let dinp {
                if let mask = loraMask, let g = loraScratch {
                    // dx += (du·A) ⊙ mask: x' = x ⊙ mask
                    gemm(transA: false, transB: false, m: n, n: inFeatures, k: r,
                         a: du, lda: r, b: lora.a.value, ldb: inFeatures, beta: 0, c: g, ldc: inFeatures)
                    LoRADropout.addMasked(into: dinp, g, mask, count: n * inFeatures)
                } else {
                    // dx += du·A
                    gemm(transA: false, transB: false, m: n, n: inFeatures, k: r,
                         a: du, lda: r, b: lora.a.value, ldb: inFeatures, beta: 1, c: dinp, ldc: inFeatures)
                }
            }
        }
    }

    /// Parameters of this layer including the LoRA pair.
    var parameters: [Parameter] {
        var ps = [weight]
        if let bias { ps.append(bias) }
        if let lora { ps += [lora.a, lora.b] }
        return ps
    }
}
