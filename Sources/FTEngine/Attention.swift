import Foundation

/// Causal multi-head self-attention over the fused q|k|v rows that `c_attn` produces.
///
/// qkv[B,T,3C] holds for each position q (channels 0..<C), k (C..<2C), v (2C..<3C); head h owns
/// channels h·hs..<(h+1)·hs of each. att[B,NH,T,T] keeps the softmax probabilities (row t is
/// valid up to column t) for the backward pass. Work is split over (b, h) pairs, which touch
/// disjoint slices of every buffer.
enum Attention {
    static func forward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                        qkv: UnsafePointer<Float>, b: Int, t: Int, c: Int, heads: Int) {
        let hs = c / heads
        let scale = 1 / Float(hs).squareRoot()
        let so = SharedPointer(out), sa = SharedPointer(att), sq = SharedPointer(UnsafeMutablePointer(mutating: qkv))
        parallelRanges(b * heads) { pairs in
            for pair in pairs {
                let bi = pair / heads, h = pair % heads
                let base = sq.p + bi * t * 3 * c
                for ti in 0..<t {
                    let q = base + ti * 3 * c + h * hs
                    let row = sa.p + ((bi * heads + h) * t + ti) * t
                    var maxv = -Float.infinity
                    for t2 in 0...ti {
                        let s = dot(q, base + t2 * 3 * c + c + h * hs, hs) * scale
                        row[t2] = s
                        if s > maxv { maxv = s }
                    }
                    let total = expShiftInPlace(row, ti + 1, shift: maxv)
                    scaleInPlace(row, ti + 1, by: 1 / total)
                    let o = so.p + (bi * t + ti) * c + h * hs
                    o.update(repeating: 0, count: hs)
                    for t2 in 0...ti { axpy(row[t2], base + t2 * 3 * c + 2 * c + h * hs, o, hs) }
                }
            }
        }
    }

    /// dqkv[B,T,3C] = ∂loss/∂qkv given dout[B,T,C] (written, not added). `scratch` holds
    /// T floats per worker for one row of ∂loss/∂att.
    static func backward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, att: UnsafePointer<Float>,
                         qkv: UnsafePointer<Float>, b: Int, t: Int, c: Int, heads: Int,
                         scratch: UnsafeMutablePointer<Float>) {
        let hs = c / heads
        let scale = 1 / Float(hs).squareRoot()
        let sdq = SharedPointer(dqkv), sdo = SharedPointer(UnsafeMutablePointer(mutating: dout))
        let sa = SharedPointer(UnsafeMutablePointer(mutating: att)), sq = SharedPointer(UnsafeMutablePointer(mutating: qkv))
        let ss = SharedPointer(scratch)
        parallelWorkers(b * heads, workers: EngineThreads.count) { worker, pairs in
            let datt = ss.p + worker * t
            for pair in pairs {
                let bi = pair / heads, h = pair % heads
                let base = sq.p + bi * t * 3 * c
                let dbase = sdq.p + bi * t * 3 * c
                for ti in 0..<t {
                    let d = dbase + ti * 3 * c + h * hs
                    d.update(repeating: 0, count: hs)
                    (d + c).update(repeating: 0, count: hs)
                    (d + 2 * c).update(repeating: 0, count: hs)
                }
                for ti in 0..<t {
                    let row = sa.p + ((bi * heads + h) * t + ti) * t
                    let g = sdo.p + (bi * t + ti) * c + h * hs
                    // through out = Σ att·v
                    var weighted: Float = 0
                    for t2 in 0...ti {
                        let v = base + t2 * 3 * c + 2 * c + h * hs
                        let da = dot(g, v, hs)
                        datt[t2] = da
                        weighted += da * row[t2]
                        axpy(row[t2], g, dbase + t2 * 3 * c + 2 * c + h * hs, hs)
                    }
                    // through the softmax, then the scaled scores q·k
                    let q = base + ti * 3 * c + h * hs
                    let dq = dbase + ti * 3 * c + h * hs
                    for t2 in 0...ti {
                        let dpre = row[t2] * (datt[t2] - weighted) * scale
                        axpy(dpre, base + t2 * 3 * c + c + h * hs, dq, hs)
                        axpy(dpre, q, dbase + t2 * 3 * c + c + h * hs, hs)
                    }
                }
            }
        }
    }
}
