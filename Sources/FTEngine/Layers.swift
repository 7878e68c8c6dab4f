import Foundation

/// Forward and backward passes of GPT-2's element-wise layers, written by hand on raw buffers.
/// Shapes are given in comments with N = B·T rows. Every backward *adds* into input gradients
/// (`dinp += …`) so branches that share an input (residual stream, tied embeddings) just sum;
/// parameter gradients are written or added according to `accumulate`.
enum Layers {
    // MARK: Embedding

    /// out[B,T,C] = wte[token] + wpe[t]. A negative token id -k-1 picks row k of `prompt`
    /// (virtual tokens of prompt tuning), which still gets its position embedding, as PEFT does.
    static func embeddingForward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                                 wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>,
                                 prompt: UnsafePointer<Float>?, b: Int, t: Int, c: Int, positionOffset: Int = 0) {
        let so = SharedPointer(out), st = SharedPointer(UnsafeMutablePointer(mutating: tokens))
        let swte = SharedPointer(UnsafeMutablePointer(mutating: wte)), swpe = SharedPointer(UnsafeMutablePointer(mutating: wpe))
        let sp = prompt.map { SharedPointer(UnsafeMutablePointer(mutating: $0)) }
        parallelRanges(b * t, grain: 64) { rows in
            for r in rows {
                let id = Int(st.p[r])
                let src = id >= 0 ? swte.p + id * c : sp!.p + (-id - 1) * c
                let pos = swpe.p + (r % t + positionOffset) * c
                let o = so.p + r * c
                for i in 0..<c { o[i] = src[i] + pos[i] }
            }
        }
    }

    /// dwte[token] += dout, dwpe[t] += dout, dprompt[k] += dout. Split over channels, so the
    /// scatter-add into shared rows never races and always sums in row order.
    static func embeddingBackward(dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>,
                                  dwte: UnsafeMutablePointer<Float>?, dwpe: UnsafeMutablePointer<Float>?,
                                  dprompt: UnsafeMutablePointer<Float>?, b: Int, t: Int, c: Int) {
        let sd = SharedPointer(UnsafeMutablePointer(mutating: dout)), st = SharedPointer(UnsafeMutablePointer(mutating: tokens))
        let gw = dwte.map(SharedPointer.init), gp = dwpe.map(SharedPointer.init), gq = dprompt.map(SharedPointer.init)
        parallelRanges(c, grain: 16) { cols in
            for r in 0..<(b * t) {
                let g = sd.p + r * c
                let id = Int(st.p[r])
                if id >= 0 {
                    if let gw { let d = gw.p + id * c; for i in cols { d[i] += g[i] } }
                } else if let gq {
                    let d = gq.p + (-id - 1) * c; for i in cols { d[i] += g[i] }
                }
                if let gp { let d = gp.p + (r % t) * c; for i in cols { d[i] += g[i] } }
            }
        }
    }

    // MARK: LayerNorm

    /// out[N,C] = (x − mean)·rstd·w + b; keeps mean[N] and rstd[N] for the backward pass.
    static func layerNormForward(out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                 rstd: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                 w: UnsafePointer<Float>, bias: UnsafePointer<Float>, n: Int, c: Int, eps: Float) {
        let so = SharedPointer(out), sm = SharedPointer(mean), sr = SharedPointer(rstd)
        let si = SharedPointer(UnsafeMutablePointer(mutating: inp))
        let sw = SharedPointer(UnsafeMutablePointer(mutating: w)), sb = SharedPointer(UnsafeMutablePointer(mutating: bias))
        parallelRanges(n, grain: 16) { rows in
            for r in rows {
                let x = si.p + r * c
                let mu = sum(x, c) / Float(c)
                var v: Float = 0
                for i in 0..<c { let d = x[i] - mu; v += d * d }
                let rs = 1 / (v / Float(c) + eps).squareRoot()
                let o = so.p + r * c
                for i in 0..<c { o[i] = (x[i] - mu) * rs * sw.p[i] + sb.p[i] }
                sm.p[r] = mu
                sr.p[r] = rs
            }
        }
    }

    /// dinp += ∂/∂x; dw, db (if trainable) get Σ over rows, through per-worker partial sums in
    /// `scratch` (≥ 2·C·threads floats) added in worker order.
    static func layerNormBackward(dinp: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                                  db: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                                  inp: UnsafePointer<Float>, w: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                  rstd: UnsafePointer<Float>, n: Int, c: Int, accumulate: Bool,
                                  scratch: UnsafeMutablePointer<Float>) {
        let workers = max(1, min(EngineThreads.count, n / 16))
        let needParams = dw != nil || db != nil
        if needParams { scratch.update(repeating: 0, count: 2 * c * workers) }
        let sdi = dinp.map(SharedPointer.init), sdo = SharedPointer(UnsafeMutablePointer(mutating: dout))
        let si = SharedPointer(UnsafeMutablePointer(mutating: inp)), sw = SharedPointer(UnsafeMutablePointer(mutating: w))
        let sm = SharedPointer(UnsafeMutablePointer(mutating: mean)), sr = SharedPointer(UnsafeMutablePointer(mutating: rstd))
        let ss = SharedPointer(scratch)
        parallelWorkers(n, workers: workers) { worker, rows in
            let pw = ss.p + worker * 2 * c, pb = pw + c
            for r in rows {
                let x = si.p + r * c, g = sdo.p + r * c
                let mu = sm.p[r], rs = sr.p[r]
                var meanD: Float = 0, meanDN: Float = 0
                for i in 0..<c {
                    let norm = (x[i] - mu) * rs
                    let dn = g[i] * sw.p[i]
                    meanD += dn
                    meanDN += dn * norm
                }
                meanD /= Float(c)
                meanDN /= Float(c)
                if needParams {
                    for i in 0..<c {
                        let norm = (x[i] - mu) * rs
                        pw[i] += g[i] * norm
                        pb[i] += g[i]
                    }
                }
                if let sdi {
                    let d = sdi.p + r * c
                    for i in 0..<c {
                        let norm = (x[i] - mu) * rs
                        d[i] += rs * (g[i] * sw.p[i] - meanD - norm * meanDN)
                    }
                }
            }
        }
        if needParams {
            for i in 0..<c {
                var sw: Float = 0, sb: Float = 0
                for k in 0..<workers { sw += scratch[k * 2 * c + i]; sb += scratch[k * 2 * c + c + i] }
                if let dw { dw[i] = (accumulate ? dw[i] : 0) + sw }
                if let db { db[i] = (accumulate ? db[i] : 0) + sb }
            }
        }
    }

    // MARK: Bias

    /// out[N,C] row i = bias (before a product with beta = 1), or a copy of `residual` plus bias.
    static func broadcastRows(out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                              residual: UnsafePointer<Float>?, n: Int, c: Int) {
        let so = SharedPointer(out)
        let sb = bias.map { SharedPointer(UnsafeMutablePointer(mutating: $0)) }
        let sr = residual.map { SharedPointer(UnsafeMutablePointer(mutating: $0)) }
        parallelRanges(n, grain: 32) { rows in
            for r in rows {
                let o = so.p + r * c
                switch (sb, sr) {
                case let (b?, res?): let x = res.p + r * c; for i in 0..<c { o[i] = x[i] + b.p[i] }
                case let (b?, nil): o.update(from: b.p, count: c)
                case let (nil, res?): o.update(from: res.p + r * c, count: c)
                case (nil, nil): o.update(repeating: 0, count: c)
                }
            }
        }
    }

    /// db[C] (+)= Σ_rows dout[N,C]; split over columns so each column sums in row order.
    static func biasBackward(db: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, n: Int, c: Int, accumulate: Bool) {
        let sdb = SharedPointer(db), sd = SharedPointer(UnsafeMutablePointer(mutating: dout))
        parallelRanges((c + 15) / 16, grain: 8) { blocks in
            let c0 = blocks.lowerBound * 16, c1 = min(c, blocks.upperBound * 16)
            if !accumulate { (sdb.p + c0).update(repeating: 0, count: c1 - c0) }
            for r in 0..<n {
                let g = sd.p + r * c
                for i in c0..<c1 { sdb.p[i] += g[i] }
            }
        }
    }

    // MARK: GELU (tanh form, "gelu_new")

    static let geluScale = Float((2.0 / Double.pi).squareRoot())

    /// out[n] = 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³)))
    static func geluForward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        let so = SharedPointer(out), si = SharedPointer(UnsafeMutablePointer(mutating: inp))
        parallelRanges((n + 15) / 16, grain: 256) { r in
            let k = V16(repeating: geluScale), a = V16(repeating: 0.044715), half = V16(repeating: 0.5)
            let lo = r.lowerBound * 16, hi = min(n, r.upperBound * 16)
            var i = lo
            while i + 16 <= hi {
                let x = load16(si.p, i)
                let th = vtanh(k * (x + a * x * x * x))
                store16(half * x * (V16(repeating: 1) + th), so.p, i)
                i += 16
            }
            while i < hi {
                let x = si.p[i]
                so.p[i] = 0.5 * x * (1 + vtanh(V16(repeating: geluScale * (x + 0.044715 * x * x * x)))[0])
                i += 1
            }
        }
    }

    /// dinp[n] = gelu'(x)·dout (written, not added: the product before it is the only consumer).
    /// May run in place (dinp == dout).
    static func geluBackward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                             dout: UnsafePointer<Float>, n: Int) {
        let sdi = SharedPointer(dinp), si = SharedPointer(UnsafeMutablePointer(mutating: inp))
        let sd = SharedPointer(UnsafeMutablePointer(mutating: dout))
        @inline(__always) func local(_ x: V16) -> V16 {
            let k = V16(repeating: geluScale), a = V16(repeating: 0.044715), half = V16(repeating: 0.5)
            let one = V16(repeating: 1)
            let th = vtanh(k * (x + a * x * x * x))
            return half * (one + th) + half * x * (one - th * th) * k * (one + V16(repeating: 3 * 0.044715) * x * x)
        }
        parallelRanges((n + 15) / 16, grain: 256) { r in
            let lo = r.lowerBound * 16, hi = min(n, r.upperBound * 16)
            var i = lo
            while i + 16 <= hi {
                store16(local(load16(si.p, i)) * load16(sd.p, i), sdi.p, i)
                i += 16
            }
            while i < hi {
                sdi.p[i] = local(V16(repeating: si.p[i]))[0] * sd.p[i]
                i += 1
            }
        }
    }
}
