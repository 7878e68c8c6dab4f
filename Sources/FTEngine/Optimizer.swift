import FTCore
import Foundation

/// AdamW (Loshchilov & Hutter): Adam moments with bias correction, and weight decay applied to
/// the weights directly (decoupled) rather than through the gradient. Tensors whose `decays` is
/// false (biases, LayerNorm gains) get no decay. Moments live here, one pair per trainable
/// tensor, created on first use; the update is one fused pass per tensor.
public final class AdamW: @unchecked Sendable {
    public var beta1: Float
    public var beta2: Float
    public var eps: Float
    public var weightDecay: Float
    /// Updates done so far (the bias-correction exponent of the next step is step+1).
    public private(set) var step = 0
    private var moments: [ObjectIdentifier: (m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, n: Int)] = [:]

    public init(beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }

    deinit {
        for (_, s) in moments { s.m.deallocate(); s.v.deallocate() }
    }

    /// Bytes of moment state.
    public var stateBytes: Int { moments.values.reduce(0) { $0 + 8 * $1.n } }

    /// One update of every trainable tensor in `parameters` at learning rate `lr`, using each
    /// gradient multiplied by `gradScale` (the clipping factor, so clipping costs no extra pass).
    public func update(_ parameters: [Parameter], lr: Float, gradScale: Float = 1) {
        step += 1
        let bc1 = 1 - powf(beta1, Float(step)), bc2 = 1 - powf(beta2, Float(step))
        let b1 = beta1, b2 = beta2, eps = eps
        for p in parameters {
            guard let g = p.grad else { continue }
            let state = moments(for: p)
            let decay = p.decays ? 1 - lr * weightDecay : 1
            let sp = SharedPointer(p.value), sg = SharedPointer(g)
            let sm = SharedPointer(state.m), sv = SharedPointer(state.v)
            let stepSize = lr / bc1, rbc2 = 1 / bc2.squareRoot()
            parallelRanges((p.count + 15) / 16, grain: 1 << 10) { blocks in
                let lo = blocks.lowerBound * 16, hi = min(p.count, blocks.upperBound * 16)
                let vb1 = V16(repeating: b1), vb2 = V16(repeating: b2), c1 = V16(repeating: 1 - b1), c2 = V16(repeating: 1 - b2)
                let vgs = V16(repeating: gradScale), vdecay = V16(repeating: decay), vstep = V16(repeating: stepSize)
                let vr = V16(repeating: rbc2), veps = V16(repeating: eps)
                var i = lo
                while i + 16 <= hi {
                    let g = load16(sg.p, i) * vgs
                    let m = vb1 * load16(sm.p, i) + c1 * g
                    let v = vb2 * load16(sv.p, i) + c2 * g * g
                    store16(m, sm.p, i)
                    store16(v, sv.p, i)
                    store16(load16(sp.p, i) * vdecay - vstep * m / (v.squareRoot() * vr + veps), sp.p, i)
                    i += 16
                }
                while i < hi {
                    let g = sg.p[i] * gradScale
                    let m = b1 * sm.p[i] + (1 - b1) * g
                    let v = b2 * sv.p[i] + (1 - b2) * g * g
                    sm.p[i] = m
                    sv.p[i] = v
                    sp.p[i] = sp.p[i] * decay - stepSize * m / (v.squareRoot() * rbc2 + eps)
                    i += 1
                }
            }
        }
    }

    private func moments(for p: Parameter) -> (m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, n: Int) {
        if let s = moments[ObjectIdentifier(p)] { return s }
        let m = UnsafeMutablePointer<Float>.allocate(capacity: max(p.count, 1))
        let v = UnsafeMutablePointer<Float>.allocate(capacity: max(p.count, 1))
        m.initialize(repeating: 0, count: max(p.count, 1))
        v.initialize(repeating: 0, count: max(p.count, 1))
        moments[ObjectIdentifier(p)] = (m, v, p.count)
        return (m, v, p.count)
    }

    /// The moment buffers of `p` (zeros when new), so a run can save and restore its state.
    public func momentBuffers(for p: Parameter) -> (m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>) {
        let s = moments(for: p)
        return (s.m, s.v)
    }

    /// Sets the update count (the bias-correction exponent) of a resumed run.
    public func restore(step: Int) { self.step = step }

    /// Forgets the moments and the step count.
    public func reset() {
        for (_, s) in moments { s.m.deallocate(); s.v.deallocate() }
        moments = [:]
        step = 0
    }
}

/// The L2 norm of all gradients together, summed per worker slice in a fixed order (so it is
/// repeatable), in double precision across tensors.
public func gradientNorm(_ parameters: [Parameter]) -> Float {
    var total: Double = 0
    for p in parameters {
        guard let g = p.grad else { continue }
        let workers = min(EngineThreads.count, max(1, p.count >> 14))
        var partial = [Double](repeating: 0, count: workers)
        let sg = SharedPointer(g)
        partial.withUnsafeMutableBufferPointer { buf in
            let sb = SharedPointer(buf.baseAddress!)
            parallelWorkers(p.count, workers: workers) { w, r in
                var s: Double = 0
                var i = r.lowerBound
                while i < r.upperBound {
                    let end = min(r.upperBound, i + 4096)
                    s += Double(sumOfSquares(sg.p + i, end - i))
                    i = end
                }
                sb.p[w] = s
            }
        }
        for s in partial { total += s }
    }
    return Float(total.squareRoot())
}

/// The factor that brings a gradient of norm `norm` down to `maxNorm` (1 when already below),
/// computed as torch's `clip_grad_norm_` does: maxNorm / (norm + 1e-6), capped at 1.
public func clipFactor(norm: Float, maxNorm: Float?) -> Float {
    guard let maxNorm, maxNorm > 0, norm.isFinite else { return 1 }
    return min(1, maxNorm / (norm + 1e-6))
}

/// Learning rate over training: linear warm-up from 0 to `peak` over `warmupSteps`, then a decay
/// to `peak·minRatio` by `totalSteps`.
public struct LRSchedule: Sendable, Equatable {
    public enum Decay: String, Sendable, CaseIterable { case constant, linear, cosine }
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var decay: Decay
    public var minRatio: Float

    public init(peak: Float, warmupSteps: Int = 0, totalSteps: Int, decay: Decay = .cosine, minRatio: Float = 0) {
        self.peak = peak
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(1, totalSteps)
        self.decay = decay
        self.minRatio = minRatio
    }

    /// Rate for 0-based `step` (the step about to be taken).
    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Float(step - warmupSteps) / Float(span))
        let floor = peak * minRatio
        switch decay {
        case .constant: return peak
        case .linear: return floor + (peak - floor) * (1 - progress)
        case .cosine: return floor + (peak - floor) * 0.5 * (1 + cosf(Float.pi * progress))
        }
    }
}
