import FTCore

/// Inverted dropout on the input of a LoRA branch, PEFT's `lora_dropout`: while training, the
/// low-rank path sees x ⊙ mask with mask 0 (probability p) or 1/(1−p), so its expected input is
/// x and evaluation needs no rescaling; the frozen product keeps the whole x.
enum LoRADropout {
    /// out[i] = inp[i]·mask[i] with a fresh mask. One draw per element in index order from
    /// `rng`, so a mask depends only on the generator, never on the thread count.
    static func draw(out: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                     count: Int, p: Float, rng: inout SeededRandom) {
        let keep = 1 / (1 - p)
        for i in 0..<count {
            let m: Float = rng.nextFloat() < p ? 0 : keep
            mask[i] = m
            out[i] = inp[i] * m
        }
    }

    /// d[i] += g[i]·mask[i]: the branch's input gradient back through the mask.
    static func addMasked(into d: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ mask: UnsafePointer<Float>,
                          count: Int) {
        let sd = SharedPointer(d), sg = SharedPointer(UnsafeMutablePointer(mutating: g))
        let sm = SharedPointer(UnsafeMutablePointer(mutating: mask))
        parallelRanges((count + 15) / 16, grain: 256) { r in
            let lo = r.lowerBound * 16, hi = min(count, r.upperBound * 16)
            var i = lo
            while i + 16 <= hi {
                store16(load16(sd.p, i) + load16(sg.p, i) * load16(sm.p, i), sd.p, i)
                i += 16
            }
            while i < hi { sd.p[i] += sg.p[i] * sm.p[i]; i += 1 }
        }
    }
}
