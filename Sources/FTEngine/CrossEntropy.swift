import Foundation

/// Softmax cross-entropy over the vocabulary, fused with its gradient. A per-token weight
/// (0 for prompt, padding and virtual tokens) masks the loss, so only completion tokens teach.
enum CrossEntropy {
    /// losses[N] = logsumexp(logits[r]) − logits[r, target[r]] where weight[r] ≠ 0, else 0.
    /// Keeps lse[N]; with `probsInPlace` the logits of weighted rows are replaced by
    /// e^(logit − max) and lse[r] holds 1/Σ instead, so the backward pass needs neither an exp
    /// nor a separate normalising pass.
    static func forward(losses: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                        logits: UnsafeMutablePointer<Float>, targets: UnsafePointer<Int32>,
                        weights: UnsafePointer<Float>, n: Int, v: Int, probsInPlace: Bool) {
        let sl = SharedPointer(losses), se = SharedPointer(lse), sg = SharedPointer(logits)
        let st = SharedPointer(UnsafeMutablePointer(mutating: targets)), sw = SharedPointer(UnsafeMutablePointer(mutating: weights))
        parallelRanges(n) { rows in
            for r in rows {
                guard sw.p[r] != 0 else { sl.p[r] = 0; se.p[r] = 0; continue }
                let x = sg.p + r * v
                let maxv = maxValue(x, v)
                let total = probsInPlace ? expShiftInPlace(x, v, shift: maxv) : expShiftSum(x, v, shift: maxv)
                let l = maxv + logf(total)
                let target = Int(st.p[r])
                if probsInPlace {
                    sl.p[r] = -logf(x[target] / total)
                    se.p[r] = 1 / total
                } else {
                    sl.p[r] = l - x[target]
                    se.p[r] = l
                }
            }
        }
    }

    /// logits[N,V] ← ∂loss/∂logits = (softmax − onehot(target))·dloss[r]; rows with weight 0
    /// become zero.
    static func backward(logits: UnsafeMutablePointer<Float>, lse: UnsafePointer<Float>,
                         targets: UnsafePointer<Int32>, weights: UnsafePointer<Float>, dlossPerWeight: Float,
                         n: Int, v: Int, probsInPlace: Bool) {
        let sg = SharedPointer(logits), se = SharedPointer(UnsafeMutablePointer(mutating: lse))
        let st = SharedPointer(UnsafeMutablePointer(mutating: targets)), sw = SharedPointer(UnsafeMutablePointer(mutating: weights))
        parallelRanges(n) { rows in
            for r in rows {
                let x = sg.p + r * v
                let w = sw.p[r]
                guard w != 0 else { x.update(repeating: 0, count: v); continue }
                let d = w * dlossPerWeight
                if probsInPlace {
                    scaleInPlace(x, v, by: d * se.p[r])
                } else {
                    _ = expShiftInPlace(x, v, shift: se.p[r])
                    scaleInPlace(x, v, by: d)
                }
                x[Int(st.p[r])] -= d
            }
        }
    }
}
