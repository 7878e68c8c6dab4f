import Foundation
import Testing
import FTCore
@testable import FTEngine

let smallConfig = GPTConfig(vocabSize: 40, contextLength: 16, layers: 3, heads: 2, embedding: 16)

func smallBatch(seed: UInt64 = 5, rows: Int = 3, length: Int = 10) -> Batch {
    var rng = SeededRandom(seed: seed)
    let seqs = (0..<rows).map { r in (0...(length - r)).map { _ in rng.nextInt(below: 40) } }
    return Batch.from(sequences: seqs, length: length)
}

@Suite struct TrainingTests {
    @Test func trainingIsBitForBitRepeatable() throws {
        func run() throws -> ([Float], [Float]) {
            let model = try GPTModel.random(config: smallConfig, seed: 9)
            let trainer = Trainer(model: model, options: TrainingOptions(steps: 6, learningRate: 3e-3, warmupSteps: 2))
            var losses: [Float] = []
            try trainer.run(nextBatch: { _ in [smallBatch()] }) { e in
                if case .step(let r) = e { losses.append(r.loss) }
                return .proceed
            }
            return (losses, Array(model.blocks[2].fc.weight.values))
        }
        let a = try run(), b = try run()
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
        #expect(a.0.last! < a.0.first!)
    }

    @Test func batchBuilderShiftsPadsAndMasks() {
        let b = Batch.from(sequences: [[1, 2, 3, 4], [7, 8]], weights: [[0, 0, 1, 1], [1, 1]], length: 4, pad: 9)
        #expect(b.inputs == [1, 2, 3, 9, 7, 9, 9, 9])
        #expect(b.targets == [2, 3, 4, 9, 8, 9, 9, 9])
        #expect(b.weights == [0, 1, 1, 0, 1, 0, 0, 0])
        #expect(b.weightedTokens == 3)
    }

    /// Padding on the right changes nothing for the real tokens.
    @Test func paddingDoesNotChangeTheLoss() throws {
        let model = try GPTModel.random(config: smallConfig, seed: 2)
        let seq = [3, 14, 15, 9, 26, 5]
        let tight = Batch.from(sequences: [seq], length: 5)
        let padded = Batch.from(sequences: [seq, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], weights: [[1, 1, 1, 1, 1, 1], [Float](repeating: 0, count: 10)], length: 9)
        let l1 = try model.forward(tight, Activations(model: model, batchSize: 1, length: 5))
        let l2 = try model.forward(padded, Activations(model: model, batchSize: 2, length: 9))
        #expect(abs(l1 - l2) < 1e-6)
    }

    @Test func accumulatedMicroBatchesEqualOneBatch() throws {
        let m1 = try GPTModel.random(config: smallConfig, seed: 4)
        let m2 = try GPTModel.random(config: smallConfig, seed: 4)
        let whole = smallBatch(rows: 4, length: 8)
        func rows(_ r: Range<Int>) -> Batch {
            Batch(size: r.count, length: 8, inputs: Array(whole.inputs[(r.lowerBound * 8)..<(r.upperBound * 8)]),
                  targets: Array(whole.targets[(r.lowerBound * 8)..<(r.upperBound * 8)]),
                  weights: Array(whole.weights[(r.lowerBound * 8)..<(r.upperBound * 8)]))
        }
        let t1 = Trainer(model: m1, options: TrainingOptions(steps: 1, learningRate: 1e-2))
        let t2 = Trainer(model: m2, options: TrainingOptions(steps: 1, learningRate: 1e-2))
        let r1 = try t1.step([whole])
        let r2 = try t2.step([rows(0..<2), rows(2..<4)])
        #expect(abs(r1.loss - r2.loss) < 1e-5)
        #expect(abs(r1.gradNorm - r2.gradNorm) / r1.gradNorm < 1e-4)
        for (a, b) in zip(m1.parameters, m2.parameters) {
            for i in 0..<a.count { #expect(abs(a.value[i] - b.value[i]) < 1e-5) }
        }
    }

    /// Freezing lower blocks gives the same upper gradients as full training, and computes
    /// nothing for the frozen tensors.
    @Test func frozenLowerBlocksStopBackwardEarly() throws {
        let full = try GPTModel.random(config: smallConfig, seed: 8)
        let part = try GPTModel.random(config: smallConfig, seed: 8)
        part.setTrainable { $0.name.hasPrefix("transformer.h.2.") || $0.name.hasPrefix("transformer.ln_f") }
        #expect(part.lowestTrainableBlock == 2)
        let batch = smallBatch()
        for m in [full, part] {
            let a = Activations(model: m, batchSize: batch.size, length: batch.length)
            try m.forward(batch, a)
            m.backward(a)
        }
        for (f, p) in zip(full.parameters, part.parameters) {
            if p.isTrainable {
                for i in 0..<p.count { #expect(abs(f.grad![i] - p.grad![i]) <= 1e-6 + 1e-5 * abs(f.grad![i])) }
            } else {
                #expect(p.grad == nil)
            }
        }
        // Only trainable tensors move.
        let before = Array(part.blocks[0].fc.weight.values)
        let trainer = Trainer(model: part, options: TrainingOptions(steps: 2, learningRate: 1e-2))
        _ = try trainer.step([batch])
        #expect(Array(part.blocks[0].fc.weight.values) == before)
    }

    @Test func callbackCanStopAndEventsArrive() throws {
        let model = try GPTModel.random(config: smallConfig, seed: 1)
        let trainer = Trainer(model: model, options: TrainingOptions(steps: 50, learningRate: 1e-3, evalEvery: 2))
        var events: [TrainingEvent] = []
        let taken = try trainer.run(nextBatch: { _ in [smallBatch()] }, evaluation: [smallBatch(seed: 99)]) { e in
            events.append(e)
            if case .step(let r) = e, r.step == 3 { return .stop }
            return .proceed
        }
        #expect(taken == 3)
        #expect(events.count == 5) // step 1, step 2, eval at 2, step 3 (stop), finished
        if case .evaluation(let s, let l) = events[2] { #expect(s == 2 && l > 0) } else { Issue.record("no evaluation") }
        #expect(events.last == .finished(steps: 3, stopped: true))
        if case .step(let r) = events[0] {
            #expect(r.step == 1 && r.totalSteps == 50 && r.tokens == smallBatch().weightedTokens && r.learningRate > 0)
        }
    }

    @Test func scheduleWarmsUpThenDecays() {
        let s = LRSchedule(peak: 1, warmupSteps: 4, totalSteps: 14, decay: .cosine, minRatio: 0.1)
        #expect(s.rate(at: 0) == 0.25 && s.rate(at: 3) == 1)
        #expect(abs(s.rate(at: 9) - 0.55) < 1e-6)
        #expect(abs(s.rate(at: 14) - 0.1) < 1e-6)
        let lin = LRSchedule(peak: 2, totalSteps: 10, decay: .linear)
        #expect(lin.rate(at: 5) == 1)
        #expect(clipFactor(norm: 4, maxNorm: 1) < 0.25 && clipFactor(norm: 0.5, maxNorm: 1) == 1)
    }

    @Test func memoryReportMatchesAllocationsAndShrinksWithLoRA() throws {
        let model = try GPTModel.random(config: smallConfig, seed: 1)
        let full = MemoryReport(model: model, batchSize: 3, length: 10)
        #expect(full.activations == Activations(model: model, batchSize: 3, length: 10).byteCount)
        #expect(full.gradients == full.weights && full.optimizer == 2 * full.weights)
        try model.addLoRA(targets: ["c_attn"], rank: 2, alpha: 4, seed: 1)
        let lora = MemoryReport(model: model, batchSize: 3, length: 10)
        #expect(lora.activations == Activations(model: model, batchSize: 3, length: 10).byteCount)
        #expect(lora.gradients == 4 * 3 * (2 * 16 + 48 * 2))
        #expect(lora.total < full.total)
        expectDiagnostic("model.tokenizer-mismatch") { try smallConfig.checkTokenizer(vocabularySize: 41) }
        try smallConfig.checkTokenizer(vocabularySize: 40)
    }

    @Test func badBatchesAreRejected() throws {
        let model = try GPTModel.random(config: smallConfig, seed: 1)
        let a = Activations(model: model, batchSize: 1, length: 4)
        let bad = Batch(size: 1, length: 4, inputs: [1, 2, 40, 3], targets: [0, 0, 0, 0], weights: [1, 1, 1, 1])
        expectDiagnostic("model.bad-token") { try model.forward(bad, a) }
        let long = Activations(model: model, batchSize: 1, length: 17)
        expectDiagnostic("model.too-long") { try model.forward(Batch.from(sequences: [Array(0...17)], length: 17), long) }
    }
}

@Suite struct GenerationTests {
    @Test func cachedDecodingMatchesFullForward() throws {
        let model = try GPTModel.random(config: smallConfig, seed: 21)
        var rng = SeededRandom(seed: 3)
        for p in model.baseParameters { p.fillNormal(std: 0.3, rng: &rng) }
        let tokens = [4, 8, 15, 16, 23, 2]
        let gen = Generator(model: model)
        try gen.feed(Array(tokens[0..<3]))
        try gen.feed([tokens[3]])
        let last = Array(try gen.feed(Array(tokens[4...])))
        let a = Activations(model: model, batchSize: 1, length: tokens.count)
        try model.forward(Batch(size: 1, length: tokens.count, inputs: tokens.map(Int32.init), targets: [Int32](repeating: 0, count: 6),
                                weights: [Float](repeating: 0, count: 6)), a, keepLogits: true)
        let full = Array(a.logits(row: 0, position: tokens.count - 1))
        for i in 0..<40 { #expect(abs(full[i] - last[i]) < 1e-4) }
    }

    @Test func samplingIsSeededAndRespectsTopKAndTopP() {
        let logits: [Float] = [0, 3, 2.5, -1, 1]
        do {
            let l = logits
            var rng = SeededRandom(seed: 1)
            #expect(Sampler.choose(logits: l, options: .greedy, rng: &rng) == 1)
            var seen = Set<Int>()
            for _ in 0..<300 { seen.insert(Sampler.choose(logits: l, options: SamplingOptions(temperature: 1, topK: 2), rng: &rng)) }
            #expect(seen == [1, 2])
            seen = []
            for _ in 0..<300 { seen.insert(Sampler.choose(logits: l, options: SamplingOptions(temperature: 1, topP: 0.5), rng: &rng)) }
            #expect(seen == [1])
            var r1 = SeededRandom(seed: 7), r2 = SeededRandom(seed: 7)
            let a = (0..<20).map { _ in Sampler.choose(logits: l, options: SamplingOptions(temperature: 2), rng: &r1) }
            let b = (0..<20).map { _ in Sampler.choose(logits: l, options: SamplingOptions(temperature: 2), rng: &r2) }
            #expect(a == b && Set(a).count > 2)
        }
    }

    @Test func generationStopsAtStopTokenAndContext() throws {
        let model = try GPTModel.random(config: smallConfig, seed: 2)
        var rng = SeededRandom(seed: 1)
        let gen = Generator(model: model)
        let out = try gen.generate(prompt: [1, 2], options: SamplingOptions(temperature: 1, maxNewTokens: 100), rng: &rng)
        #expect(out.count == 15) // 16 positions: 2 prompt tokens predict 15 more
        let first = try gen.generate(prompt: [1, 2], options: .greedy, rng: &rng)[0]
        let stopped = try gen.generate(prompt: [1, 2], options: SamplingOptions(temperature: 0, maxNewTokens: 10, stopTokens: [first]), rng: &rng)
        #expect(stopped == [first])
        expectDiagnostic("model.bad-token") { _ = try gen.generate(prompt: [99], options: .greedy, rng: &rng) }
    }
}
