import Foundation

/// Causal multi-head self-attention over the fused q|k|v rows that `c_attn` produces.
///
/// qkv[B,T,3C] holds for each position q (channels 0..<C), k (C..<2C), v (2C..<3C); head h owns
/// channels h·hs..<(h+1)·hs of each, so one head's q, k and v are [T,hs] matrices with row
/// stride 3C and every product below is an sgemm on strided views, no copies. att[B,NH,T,T]
/// keeps the softmax probabilities (zero above the diagonal) for the backward pass. Work is split
/// over (b, h) pairs, which touch disjoint slices of every buffer.
enum Attention {
    static func forward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                        qkv: UnsafePointer<Float>, b: Int, t: Int, c: Int, heads: Int) {
        let hs = c / heads
        let scale = 1 / Float(hs).squareRoot()
        let so = SharedPointer(out), sa = SharedPointer(att), sq = SharedPointer(UnsafeMutablePointer(mutating: qkv))
        EngineThreads.configureBLAS()
        parallelWorkers(b * heads, workers: EngineThreads.blasThreads > 1 ? 1 : EngineThreads.count) { _, pairs in
            for pair in pairs {
                let bi = pair / heads, h = pair % heads
                let q = sq.p + bi * t * 3 * c + h * hs, k = q + c, v = q + 2 * c
                let a = sa.p + pair * t * t
                // scores[T,T] = q·kᵀ/√hs
                gemmSerial(transA: false, transB: true, m: t, n: t, k: hs, alpha: scale, a: q, lda: 3 * c,
                           b: k, ldb: 3 * c, beta: 0, c: a, ldc: t)
                for ti in 0..<t {
                    let row = a + ti * t
                    let total = expShiftInPlace(row, ti + 1, shift: maxValue(row, ti + 1))
                    scaleInPlace(row, ti + 1, by: 1 / total)
                    if ti + 1 < t { (row + ti + 1).update(repeating: 0, count: t - ti - 1) }
                }
                // y[T,hs] = att·v
                gemmSerial(transA: false, transB: false, m: t, n: hs, k: t, a: a, lda: t, b: v, ldb: 3 * c,
                           beta: 0, c: so.p + bi * t * c + h * hs, ldc: c)
            }
        }
    }

    /// dqkv[B,T,3C] = ∂loss/∂qkv given dout[B,T,C] (written, not added). `scratch` holds T·T
    /// floats per worker for ∂loss/∂att of one head.
    static func backward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, att: UnsafePointer<Float>,
                         qkv: UnsafePointer<Float>, b: Int, t: Int, c: Int, heads: Int,
                         scratch: UnsafeMutablePointer<Float>) {
        let hs = c / heads
        let scale = 1 / Float(hs).squareRoot()
        let sdq = SharedPointer(dqkv), sdo = SharedPointer(UnsafeMutablePointer(mutating: dout))
        let sa = SharedPointer(UnsafeMutablePointer(mutating: att)), sq = SharedPointer(UnsafeMutablePointer(mutating: qkv))
        let ss = SharedPointer(scratch)
        EngineThreads.configureBLAS()
        parallelWorkers(b * heads, workers: EngineThreads.blasThreads > 1 ? 1 : EngineThreads.count) { worker, pairs in
            let datt = ss.p + worker * t * t
            for pair in pairs {
                let bi = pair / heads, h = pair % heads
                let q = sq.p + bi * t * 3 * c + h * hs, k = q + c, v = q + 2 * c
                let dq = sdq.p + bi * t * 3 * c + h * hs, dk = dq + c, dv = dq + 2 * c
                let g = sdo.p + bi * t * c + h * hs
                let a = sa.p + pair * t * t
                // datt[T,T] = dy·vᵀ ; dv[T,hs] = attᵀ·dy
                gemmSerial(transA: false, transB: true, m: t, n: t, k: hs, a: g, lda: c, b: v, ldb: 3 * c,
                           beta: 0, c: datt, ldc: t)
                gemmSerial(transA: true, transB: false, m: t, n: hs, k: t, a: a, lda: t, b: g, ldb: c,
                           beta: 0, c: dv, ldc: 3 * c)
                // through the softmax: ds = att ⊙ (datt − Σ att·datt), times the score scale
                for ti in 0..<t {
                    let row = a + ti * t, d = datt + ti * t
                    let weighted = dot(row, d, ti + 1)
                    for j in 0...ti { d[j] = row[j] * (d[j] - weighted) * scale }
                    if ti + 1 < t { (d + ti + 1).update(repeating: 0, count: t - ti - 1) }
                }
                // dq = ds·k ; dk = dsᵀ·q
                gemmSerial(transA: false, transB: false, m: t, n: hs, k: t, a: datt, lda: t, b: k, ldb: 3 * c,
                           beta: 0, c: dq, ldc: 3 * c)
                gemmSerial(transA: true, transB: false, m: t, n: hs, k: t, a: datt, lda: t, b: q, ldb: 3 * c,
                           beta: 0, c: dk, ldc: 3 * c)
            }
        }
    }
}
