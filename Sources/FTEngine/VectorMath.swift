import CBLAS

/// Row-major matrix products and small vector helpers used by every layer.
///
/// `gemm` computes C[M,N] = alpha·op(A)·op(B) + beta·C with op = transpose when asked. The product
/// is cut into `EngineThreads.count` slices along its larger output dimension, each slice a
/// single-threaded `cblas_sgemm`; slices write disjoint parts of C, so the result does not depend
/// on timing.
@inline(__always)
func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    EngineThreads.configureBLAS()
    let ta = transA ? CblasTrans : CblasNoTrans
    let tb = transB ? CblasTrans : CblasNoTrans
    let flops = m * n * k
    let threads = flops < 1 << 17 ? 1 : EngineThreads.count
    if EngineThreads.blasThreads > 1 {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                    b, Int32(ldb), beta, c, Int32(ldc))
        return
    }
    if threads == 1 {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                    b, Int32(ldb), beta, c, Int32(ldc))
        return
    }
    let sa = SharedPointer(UnsafeMutablePointer(mutating: a))
    let sb = SharedPointer(UnsafeMutablePointer(mutating: b))
    let sc = SharedPointer(c)
    if n >= m {
        // Slice columns of C (and of op(B)) in blocks of 16 so slices stay vector-aligned.
        let blocks = (n + 15) / 16
        parallelWorkers(blocks, workers: threads) { _, r in
            let n0 = r.lowerBound * 16, n1 = min(n, r.upperBound * 16)
            if n1 <= n0 { return }
            let bOff = transB ? n0 * ldb : n0
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n1 - n0), Int32(k), alpha, sa.p, Int32(lda),
                        sb.p + bOff, Int32(ldb), beta, sc.p + n0, Int32(ldc))
        }
    } else {
        let blocks = (m + 7) / 8
        parallelWorkers(blocks, workers: threads) { _, r in
            let m0 = r.lowerBound * 8, m1 = min(m, r.upperBound * 8)
            if m1 <= m0 { return }
            let aOff = transA ? m0 : m0 * lda
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m1 - m0), Int32(n), Int32(k), alpha, sa.p + aOff, Int32(lda),
                        sb.p, Int32(ldb), beta, sc.p + m0 * ldc, Int32(ldc))
        }
    }
}

typealias V16 = SIMD16<Float>

@inline(__always) func load16(_ p: UnsafePointer<Float>, _ i: Int) -> V16 {
    UnsafeRawPointer(p + i).loadUnaligned(as: V16.self)
}

@inline(__always) func store16(_ v: V16, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V16.self)
}

/// Σ a[i]·b[i] with fused multiply-adds in two vector accumulators.
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var s0 = V16(), s1 = V16()
    var i = 0
    while i + 32 <= n {
        s0 += load16(a, i) * load16(b, i)
        s1 += load16(a, i + 16) * load16(b, i + 16)
        i += 32
    }
    if i + 16 <= n { s0 += load16(a, i) * load16(b, i); i += 16 }
    var s = (s0 + s1).sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// y[i] += alpha·x[i]
@inline(__always)
func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let va = V16(repeating: alpha)
    var i = 0
    while i + 16 <= n {
        store16(load16(y, i) + va * load16(x, i), y, i)
        i += 16
    }
    while i < n { y[i] += alpha * x[i]; i += 1 }
}

/// Σ x[i]
@inline(__always)
func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var s0 = V16(), s1 = V16()
    var i = 0
    while i + 32 <= n { s0 += load16(x, i); s1 += load16(x, i + 16); i += 32 }
    if i + 16 <= n { s0 += load16(x, i); i += 16 }
    var s = (s0 + s1).sum()
    while i < n { s += x[i]; i += 1 }
    return s
}

/// Σ x[i]² in single precision vector lanes.
@inline(__always)
func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    dot(x, x, n)
}

typealias U16 = SIMD16<UInt32>

// Lane-wise max and min as a compare and a blend. The standard library's pointwiseMax/Min on
// SIMD16<Float> go lane by lane through memory (IEEE maximum's NaN rules), which made them the
// hottest instructions of the softmax; for the finite values here the results are the same.
@inline(__always) func vmax(_ a: V16, _ b: V16) -> V16 { a.replacing(with: b, where: b .> a) }
@inline(__always) func vmin(_ a: V16, _ b: V16) -> V16 { a.replacing(with: b, where: b .< a) }

/// e^x for 16 lanes: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 Taylor polynomial
/// (relative error below 2e-7 over the range), 2^n put straight into the exponent bits.
/// Inputs are clamped to [−87, 88], where e^x is a normal float.
@inline(__always)
func vexp(_ x: V16) -> V16 {
    let xc = vmin(vmax(x, V16(repeating: -87)), V16(repeating: 88))
    let magic = V16(repeating: 12582912) // 1.5·2^23: adding it rounds to an integer
    let shifted = xc * V16(repeating: 1.44269504088896341) + magic
    let n = shifted - magic
    let r = xc - n * V16(repeating: 0.693145751953125) - n * V16(repeating: 1.428606765330187e-06)
    var p = V16(repeating: 1.0 / 720)
    p = p * r + V16(repeating: 1.0 / 120)
    p = p * r + V16(repeating: 1.0 / 24)
    p = p * r + V16(repeating: 1.0 / 6)
    p = p * r + V16(repeating: 0.5)
    p = p * r + V16(repeating: 1)
    p = p * r + V16(repeating: 1)
    let nBits = unsafeBitCast(shifted, to: U16.self) &- unsafeBitCast(magic, to: U16.self)
    let scale = unsafeBitCast((nBits &+ U16(repeating: 127)) &<< U16(repeating: 23), to: V16.self)
    return p * scale
}

/// tanh for 16 lanes as 1 − 2/(e^{2u} + 1); absolute error about 1e-7.
@inline(__always)
func vtanh(_ u: V16) -> V16 {
    let one = V16(repeating: 1)
    return one - V16(repeating: 2) / (vexp(u + u) + one)
}

/// Scalar e^x through the vector routine's arithmetic (same results as the lanes).
@inline(__always)
func sexp(_ x: Float) -> Float { vexp(V16(repeating: x))[0] }

/// x[i] ← e^(x[i] − shift) for i < n; returns Σ of the new values.
@inline(__always)
func expShiftInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int, shift: Float) -> Float {
    let vs = V16(repeating: shift)
    var acc = V16()
    var i = 0
    while i + 16 <= n {
        let e = vexp(load16(x, i) - vs)
        store16(e, x, i)
        acc += e
        i += 16
    }
    var s = acc.sum()
    while i < n { let e = sexp(x[i] - shift); x[i] = e; s += e; i += 1 }
    return s
}

/// Σ e^(x[i] − shift) without writing.
@inline(__always)
func expShiftSum(_ x: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
    let vs = V16(repeating: shift)
    var acc = V16()
    var i = 0
    while i + 16 <= n { acc += vexp(load16(x, i) - vs); i += 16 }
    var s = acc.sum()
    while i < n { s += sexp(x[i] - shift); i += 1 }
    return s
}

/// max x[i] (−∞ for n = 0).
@inline(__always)
func maxValue(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = V16(repeating: -.infinity)
    var i = 0
    while i + 16 <= n { m = vmax(m, load16(x, i)); i += 16 }
    var s = m.max()
    while i < n { s = Swift.max(s, x[i]); i += 1 }
    return s
}

/// x[i] *= a
@inline(__always)
func scaleInPlace(_ x: UnsafeMutablePointer<Float>, _ n: Int, by a: Float) {
    let va = V16(repeating: a)
    var i = 0
    while i + 16 <= n { store16(load16(x, i) * va, x, i); i += 16 }
    while i < n { x[i] *= a; i += 1 }
}

/// One single-threaded `cblas_sgemm` (row-major), for callers already running on a worker.
@inline(__always)
func gemmSerial(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
