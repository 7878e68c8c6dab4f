import Foundation
import Testing
import FTCore
@testable import FTEngine

/// LoRA dropout as PEFT defines it: inverted dropout on the low-rank branch's input, only in
/// training passes, masks drawn from the seeded generator.
@Suite struct LoRADropoutTests {
    let config = GPTConfig(vocabSize: 29, contextLength: 12, layers: 2, heads: 2, embedding: 8)

    /// A random model with LoRA (B random too, so the branch matters) on every product.
    func model(dropout: Float, seed: UInt64 = 3) throws -> GPTModel {
        let m = try GPTModel.random(config: config, seed: seed)
        var rng = SeededRandom(seed: seed + 100)
        for p in m.baseParameters { p.fillNormal(std: 0.4, rng: &rng) }
        try m.addLoRA(targets: ["c_attn", "attn.c_proj", "c_fc", "mlp.c_proj"], rank: 2, alpha: 3, dropout: dropout, seed: 1)
        for l in m.loraModules { l.b.fillNormal(std: 0.3, rng: &rng) }
        return m
    }

    let batch = Batch.from(sequences: [[1, 5, 7, 9, 2, 22], [4, 4, 3, 28]], weights: [[0, 0, 1, 1, 1, 1], [1, 1, 1, 1]], length: 5)

    func gradients(_ m: GPTModel) -> [[Float]] {
        m.trainableParameters.map { Array(UnsafeBufferPointer(start: $0.grad!, count: $0.count)) }
    }

    @Test func maskDropsAboutPAndScalesTheRest() {
        let n = 40_000, p: Float = 0.25
        let x = (0..<n).map { Float($0 % 7) - 3 }
        var out = [Float](repeating: 0, count: n), mask = out, again = out, mask2 = out
        var rng = SeededRandom(seed: 5)
        LoRADropout.draw(out: &out, mask: &mask, inp: x, count: n, p: p, rng: &rng)
        let dropped = mask.filter { $0 == 0 }.count
        #expect(abs(Double(dropped) / Double(n) - 0.25) < 0.01)
        #expect(mask.allSatisfy { $0 == 0 || $0 == 1 / (1 - p) })
        for i in 0..<n { #expect(out[i] == x[i] * mask[i]) }
        var same = SeededRandom(seed: 5)
        LoRADropout.draw(out: &again, mask: &mask2, inp: x, count: n, p: p, rng: &same)
        #expect(mask2 == mask && again == out)
    }

    /// One product with a fixed mask against finite differences: x reaches the output both
    /// through W (whole) and through the masked branch.
    @Test func linearGradientsWithAFixedMask() throws {
        var rng = SeededRandom(seed: 21)
        let n = 7, i = 9, o = 6, r = 3
        let lin = Linear(prefix: "m", inFeatures: i, outFeatures: o)
        lin.lora = LoRA(path: "m", inFeatures: i, outFeatures: o, rank: r, alpha: 6, rsLoRA: false, dropout: 0.4)
        for p in lin.parameters { p.fillNormal(std: 0.5, rng: &rng); p.isTrainable = true }
        var x = Buffer(n * i, &rng).data
        let dout = Buffer(n * o, &rng).data
        var mask = [Float](repeating: 0, count: n * i), dropped = mask
        var maskRng = SeededRandom(seed: 22)
        LoRADropout.draw(out: &dropped, mask: &mask, inp: x, count: n * i, p: 0.4, rng: &maskRng)
        #expect(mask.contains(0) && mask.contains { $0 != 0 })
        var out = [Float](repeating: 0, count: n * o), u = [Float](repeating: 0, count: n * r)
        func f(_ x: [Float]) -> Double {
            let xd = zip(x, mask).map { $0 * $1 }
            lin.forward(out: &out, inp: x, n: n, loraU: &u, loraInput: xd)
            return dotD(out, dout)
        }
        _ = f(x)
        let xd = zip(x, mask).map { $0 * $1 }
        var dx = [Float](repeating: 0, count: n * i), du = [Float](repeating: 0, count: n * r)
        var scratch = [Float](repeating: 0, count: n * i)
        lin.backward(dout: dout, inp: x, n: n, dinp: &dx, addToInput: false, accumulate: false, loraU: u, loraDU: &du,
                     loraInput: xd, loraMask: mask, loraScratch: &scratch)
        #expect(worstError(&x, analytic: dx, samples: 63) { f($0) } < 1e-3)
        for p in lin.parameters {
            var values = Array(p.values)
            let analytic = Array(UnsafeBufferPointer(start: p.grad!, count: p.count))
            let err = worstError(&values, analytic: analytic, samples: 60) { v in
                p.values.update(fromContentsOf: v)
                return f(x)
            }
            p.values.update(fromContentsOf: values)
            #expect(err < 1e-3, "\(p.name)")
        }
    }

    /// The whole model with dropout on every product and every tensor trainable: a fixed
    /// dropout seed draws the same masks in each pass, so finite differences apply.
    @Test func wholeModelGradientsWithFixedMasks() throws {
        let m = try model(dropout: 0.3)
        m.setTrainable { _ in true }
        let acts = Activations(model: m, batchSize: 2, length: 5)
        try m.forward(batch, acts, dropoutSeed: 77)
        m.backward(acts)
        for p in m.parameters {
            var values = Array(p.values)
            let analytic = Array(UnsafeBufferPointer(start: p.grad!, count: p.count))
            let err = worstError(&values, analytic: analytic, eps: 2e-3, samples: 12) { v in
                p.values.update(fromContentsOf: v)
                return Double((try? m.forward(batch, acts, dropoutSeed: 77)) ?? .nan)
            }
            p.values.update(fromContentsOf: values)
            #expect(err < 5e-3, "\(p.name): \(err)")
        }
    }

    @Test func zeroDropoutIsExactlyTheUndroppedPass() throws {
        let a = try model(dropout: 0), b = try model(dropout: 0)
        let actsA = Activations(model: a, batchSize: 2, length: 5), actsB = Activations(model: b, batchSize: 2, length: 5)
        let la = try a.forward(batch, actsA)
        a.backward(actsA)
        let lb = try b.forward(batch, actsB, dropoutSeed: 123)
        b.backward(actsB)
        #expect(la == lb)
        #expect(gradients(a) == gradients(b))
        // No buffers for masks exist when nothing drops.
        #expect(actsB.loraDX == nil && actsB.layers.allSatisfy { $0.loraMask.allSatisfy { $0 == nil } })
    }

    @Test func evaluationIgnoresDropoutAndTrainingPassesDependOnlyOnTheSeed() throws {
        let plain = try model(dropout: 0), dropped = try model(dropout: 0.5)
        let ap = Activations(model: plain, batchSize: 2, length: 5), ad = Activations(model: dropped, batchSize: 2, length: 5)
        let evalPlain = try plain.forward(batch, ap)
        #expect(try dropped.forward(batch, ad) == evalPlain)
        let t1 = try dropped.forward(batch, ad, dropoutSeed: 1)
        dropped.backward(ad)
        let g1 = gradients(dropped)
        #expect(t1 != evalPlain)
        let t2 = try dropped.forward(batch, ad, dropoutSeed: 2)
        #expect(t2 != t1)
        #expect(try dropped.forward(batch, ad, dropoutSeed: 1) == t1)
        dropped.backward(ad)
        #expect(gradients(dropped) == g1)
        // A pass without a seed after a training pass is again the whole-input evaluation.
        #expect(try dropped.forward(batch, ad) == evalPlain)
    }

    @Test func trainerStepsAreRepeatableAndResumable() throws {
        func trainer() throws -> Trainer {
            let t = Trainer(model: try model(dropout: 0.3), options: TrainingOptions(steps: 4, learningRate: 1e-2))
            t.dropoutSeed = 9
            return t
        }
        func values(_ t: Trainer) -> [[Float]] { t.model.loraModules.flatMap { [Array($0.a.values), Array($0.b.values)] } }
        let whole = try trainer(), again = try trainer()
        for _ in 0..<4 { _ = try whole.step([batch]); _ = try again.step([batch]) }
        #expect(values(whole) == values(again))
        // Two steps, then a new trainer carrying on from the weights, moments and step count.
        let first = try trainer()
        for _ in 0..<2 { _ = try first.step([batch]) }
        let second = try trainer()
        second.model.copyWeights(from: first.model)
        for (p, q) in zip(second.model.trainableParameters, first.model.trainableParameters) {
            let (m, v) = second.optimizer.momentBuffers(for: p), (m0, v0) = first.optimizer.momentBuffers(for: q)
            m.update(from: m0, count: p.count)
            v.update(from: v0, count: p.count)
        }
        second.restore(stepsDone: 2)
        for _ in 0..<2 { _ = try second.step([batch]) }
        #expect(values(second) == values(whole))
        // Without dropout the same steps end elsewhere.
        let undropped = Trainer(model: try model(dropout: 0), options: TrainingOptions(steps: 4, learningRate: 1e-2))
        for _ in 0..<4 { _ = try undropped.step([batch]) }
        #expect(values(undropped) != values(whole))
        #expect(Trainer.dropoutSeed(9, step: 2) != Trainer.dropoutSeed(9, step: 3))
        #expect(Trainer.dropoutSeed(9, step: 2, micro: 1) != Trainer.dropoutSeed(9, step: 2))
    }

    @Test func peftFolderRecordsLoraDropoutAndMemoryCountsTheMasks() throws {
        let m = try model(dropout: 0.1)
        let dir = NSTemporaryDirectory() + "ftsh-lora-dropout-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try PEFTAdapter.save(m, to: dir, overwrite: false)
        let text = try String(contentsOfFile: dir + "/adapter_config.json", encoding: .utf8)
        #expect(text.contains("\"lora_dropout\": 0.1"))
        let fresh = try GPTModel.random(config: config, seed: 3)
        try PEFTAdapter.load(folder: dir, into: fresh)
        #expect(fresh.loraModules.allSatisfy { $0.dropout == 0.1 })
        #expect(MemoryReport(model: m, batchSize: 2, length: 5).activations == Activations(model: m, batchSize: 2, length: 5).byteCount)
        expectDiagnostic("model.bad-lora") {
            try GPTModel.random(config: config, seed: 1).addLoRA(targets: ["c_attn"], rank: 2, alpha: 2, dropout: 1, seed: 1)
        }
    }
}
