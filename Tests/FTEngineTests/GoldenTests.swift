import Foundation
import Testing
import FTCore
@testable import FTEngine

/// Golden files written by tools/reference/engine_golden.py with HF transformers (torch).
enum Golden {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    static var modelFolder: String { dir + "/tiny-gpt2" }
    static func expected() throws -> SafetensorsFile { try SafetensorsFile(path: dir + "/expected.safetensors") }

    static func batch(_ e: SafetensorsFile) throws -> Batch {
        let inputs = try e.floats("inputs").map { Int32($0) }
        let targets = try e.floats("targets").map { Int32($0) }
        let weights = try e.floats("weights")
        let shape = e.entries["inputs"]!.shape
        return Batch(size: shape[0], length: shape[1], inputs: inputs, targets: targets, weights: weights)
    }
}

func maxAbsDiff(_ a: UnsafeBufferPointer<Float>, _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
    return m
}

@Suite struct GoldenTests {
    @Test func logitsAndLossMatchTransformers() throws {
        let model = try HFCheckpoint.load(folder: Golden.modelFolder)
        let e = try Golden.expected()
        let batch = try Golden.batch(e)
        let acts = Activations(model: model, batchSize: batch.size, length: batch.length)
        let loss = try model.forward(batch, acts, keepLogits: true)
        let want = try e.floats("logits")
        let got = UnsafeBufferPointer(start: acts.logits, count: want.count)
        let diff = maxAbsDiff(got, want)
        #expect(diff < 1e-4, "max |Δlogit| = \(diff)")
        let wantLoss = try e.floats("loss")[0]
        #expect(abs(loss - wantLoss) / wantLoss < 1e-5, "loss \(loss) vs \(wantLoss)")
        let tokenLosses = try e.floats("token_losses")
        for (i, l) in acts.tokenLosses.enumerated() { #expect(abs(l - tokenLosses[i]) < 1e-4) }
    }

    @Test(arguments: [true, false]) func gradientsMatchTransformers(keepLogits: Bool) throws {
        let model = try HFCheckpoint.load(folder: Golden.modelFolder)
        let e = try Golden.expected()
        let batch = try Golden.batch(e)
        let acts = Activations(model: model, batchSize: batch.size, length: batch.length)
        try model.forward(batch, acts, keepLogits: keepLogits)
        model.backward(acts)
        for p in model.baseParameters {
            let want = try e.floats("grad." + p.name)
            let got = UnsafeBufferPointer(start: p.grad!, count: p.count)
            let scale = want.map(abs).max()! + 1e-6
            let diff = maxAbsDiff(got, want)
            #expect(diff / scale < 1e-4, "\(p.name): max |Δ| \(diff), max |g| \(scale)")
        }
    }

    @Test func tenAdamWStepsMatchTorch() throws {
        let model = try HFCheckpoint.load(folder: Golden.modelFolder)
        let e = try Golden.expected()
        let batch = try Golden.batch(e)
        let options = TrainingOptions(steps: 10, learningRate: 1e-2, warmupSteps: 2, decay: .cosine, minLRRatio: 0.1,
                                      weightDecay: 0.1, gradClip: 1.0)
        let trainer = Trainer(model: model, options: options)
        var losses: [Float] = [], norms: [Float] = []
        try trainer.run(nextBatch: { _ in [batch] }) { event in
            if case .step(let r) = event { losses.append(r.loss); norms.append(r.gradNorm) }
            return .proceed
        }
        let want = try e.floats("adamw_losses"), wantNorms = try e.floats("adamw_grad_norms")
        #expect(losses.count == 10)
        for i in 0..<10 {
            #expect(abs(losses[i] - want[i]) / want[i] < 1e-3, "step \(i + 1): \(losses[i]) vs \(want[i])")
            #expect(abs(norms[i] - wantNorms[i]) / wantNorms[i] < 1e-3, "norm \(i + 1): \(norms[i]) vs \(wantNorms[i])")
        }
        let final = try trainer.evaluate([batch])
        let wantFinal = try e.floats("adamw_final_loss")[0]
        #expect(abs(final - wantFinal) / wantFinal < 1e-3, "final \(final) vs \(wantFinal)")
        let w = try e.floats("adamw_final.transformer.h.1.mlp.c_fc.weight")
        let got = model.blocks[1].fc.weight.values
        #expect(maxAbsDiff(UnsafeBufferPointer(got), w) < 1e-3)
    }

    @Test func greedyGenerationMatchesTorch() throws {
        // The golden continuation was produced by the model after the ten steps above.
        let model = try HFCheckpoint.load(folder: Golden.modelFolder)
        let e = try Golden.expected()
        let batch = try Golden.batch(e)
        let trainer = Trainer(model: model, options: TrainingOptions(
            steps: 10, learningRate: 1e-2, warmupSteps: 2, decay: .cosine, minLRRatio: 0.1, weightDecay: 0.1, gradClip: 1.0))
        try trainer.run(nextBatch: { _ in [batch] }) { _ in .proceed }
        let prompt = try e.floats("greedy_prompt").map { Int($0) }
        let want = try e.floats("greedy_output").map { Int($0) }
        var rng = SeededRandom(seed: 1)
        let gen = Generator(model: model)
        let out = try gen.generate(prompt: prompt, options: SamplingOptions(temperature: 0, maxNewTokens: want.count - prompt.count),
                                   rng: &rng)
        #expect(prompt + out == want)
    }

    @Test func loraLossAndGradientsMatchTorch() throws {
        let model = try HFCheckpoint.load(folder: Golden.modelFolder)
        let e = try Golden.expected()
        let batch = try Golden.batch(e)
        let lora = try SafetensorsFile(path: Golden.dir + "/lora.safetensors")
        let modules = try model.addLoRA(targets: ["c_attn", "mlp.c_proj"], rank: 4, alpha: 8, seed: 7)
        #expect(modules.count == 4)
        for m in modules {
            try lora.read(m.a.name, into: m.a.value)
            try lora.read(m.b.name, into: m.b.value)
        }
        #expect(model.trainableParameters.count == 8)
        let acts = Activations(model: model, batchSize: batch.size, length: batch.length)
        let loss = try model.forward(batch, acts)
        model.backward(acts)
        let wantLoss = try lora.floats("loss")[0]
        #expect(abs(loss - wantLoss) / wantLoss < 1e-5)
        for m in modules {
            for p in [m.a, m.b] {
                let want = try lora.floats("grad." + p.name)
                let scale = want.map(abs).max()! + 1e-6
                let diff = maxAbsDiff(UnsafeBufferPointer(start: p.grad!, count: p.count), want)
                #expect(diff / scale < 1e-4, "\(p.name): \(diff)")
            }
        }
        for p in model.baseParameters { #expect(p.grad == nil) }
        // Merging folds the deltas in: same logits without the adapters.
        try model.forward(batch, acts, keepLogits: true)
        let before = Array(UnsafeBufferPointer(start: acts.logits, count: batch.size * batch.length * 64))
        model.mergeLoRA()
        let merged = Activations(model: model, batchSize: batch.size, length: batch.length)
        try model.forward(batch, merged, keepLogits: true)
        #expect(maxAbsDiff(UnsafeBufferPointer(start: merged.logits, count: before.count), before) < 1e-4)
    }
}
