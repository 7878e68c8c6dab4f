import Foundation
import Testing
import FTCore
@testable import FTEngine

/// PEFT interop: adapter folders PEFT wrote load here and give PEFT's logits; folders written
/// here have PEFT's names and shapes.
@Suite struct AdapterTests {
    func logits(_ model: GPTModel, _ batch: Batch) throws -> [Float] {
        let a = Activations(model: model, batchSize: batch.size, length: batch.length)
        try model.forward(batch, a, keepLogits: true)
        return Array(UnsafeBufferPointer(start: a.logits, count: a.rows * model.config.vocabSize))
    }

    @Test func peftLoRAFolderGivesPeftLogits() throws {
        let model = try HFCheckpoint.load(folder: Golden.modelFolder)
        try PEFTAdapter.load(folder: Golden.dir + "/peft-lora", into: model)
        #expect(model.loraModules.count == 4)
        #expect(model.trainableCount == 2 * (4 * 32 + 96 * 4) + 2 * (4 * 128 + 32 * 4))
        let want = try SafetensorsFile(path: Golden.dir + "/peft.safetensors").floats("lora_logits")
        let got = try logits(model, try Golden.batch(try Golden.expected()))
        #expect(maxAbsDiff(UnsafeBufferPointer(start: got, count: got.count), want) < 1e-4)

        let dir = scratchDir("peft")
        try PEFTAdapter.save(model, to: dir + "/lora", baseModel: "tiny-gpt2", overwrite: false)
        let ours = try SafetensorsFile(path: dir + "/lora/adapter_model.safetensors")
        let theirs = try SafetensorsFile(path: Golden.dir + "/peft-lora/adapter_model.safetensors")
        #expect(Set(ours.names) == Set(theirs.names))
        for n in ours.names { #expect(try ours.floats(n) == (try theirs.floats(n))) }
        let fresh = try HFCheckpoint.load(folder: Golden.modelFolder)
        try PEFTAdapter.load(folder: dir + "/lora", into: fresh)
        #expect(try logits(fresh, try Golden.batch(try Golden.expected())) == got)
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func peftPromptTuningFolderGivesPeftLogits() throws {
        let model = try HFCheckpoint.load(folder: Golden.modelFolder)
        try PEFTAdapter.load(folder: Golden.dir + "/peft-prompt", into: model)
        #expect(model.trainableParameters.map(\.name) == ["prompt_embeddings"])
        let want = try SafetensorsFile(path: Golden.dir + "/peft.safetensors").floats("prompt_logits")
        let got = try logits(model, try Golden.batch(try Golden.expected()))
        #expect(got.count == want.count) // [B, 3 + T, V]
        #expect(maxAbsDiff(UnsafeBufferPointer(start: got, count: got.count), want) < 1e-4)
    }

    @Test func badAdaptersLeaveTheModelUntouched() throws {
        let dir = scratchDir("badpeft")
        let fm = FileManager.default
        try fm.copyItem(atPath: Golden.dir + "/peft-lora", toPath: dir + "/r8")
        let cfgPath = dir + "/r8/adapter_config.json"
        let text = try String(contentsOfFile: cfgPath, encoding: .utf8).replacingOccurrences(of: "\"r\": 4", with: "\"r\": 8")
        try text.write(toFile: cfgPath, atomically: true, encoding: .utf8)
        let model = try HFCheckpoint.load(folder: Golden.modelFolder)
        expectDiagnostic("model.shape-mismatch") { try PEFTAdapter.load(folder: dir + "/r8", into: model) }
        #expect(model.loraModules.isEmpty && model.trainableCount == model.parameterCount)
        try fm.copyItem(atPath: Golden.dir + "/peft-lora", toPath: dir + "/ia3")
        let ia3 = try String(contentsOfFile: dir + "/ia3/adapter_config.json", encoding: .utf8)
            .replacingOccurrences(of: "\"peft_type\": \"LORA\"", with: "\"peft_type\": \"IA3\"")
        try ia3.write(toFile: dir + "/ia3/adapter_config.json", atomically: true, encoding: .utf8)
        expectDiagnostic("model.bad-adapter") { try PEFTAdapter.load(folder: dir + "/ia3", into: model) }
        expectDiagnostic("model.missing-file") { try PEFTAdapter.load(folder: dir + "/none", into: model) }
        try? fm.removeItem(atPath: dir)
    }

    @Test func bottleneckAdaptersStartAsIdentityTrainAndRoundTrip() throws {
        let model = try GPTModel.random(config: smallConfig, seed: 3)
        let batch = smallBatch()
        let a0 = Activations(model: model, batchSize: batch.size, length: batch.length)
        let before = try model.forward(batch, a0)
        try model.addAdapters(size: 4, activation: .gelu, seed: 5)
        #expect(model.adapters.count == 6)
        #expect(model.trainableCount == 6 * (16 * 4 + 4 + 4 * 16 + 16))
        let a1 = Activations(model: model, batchSize: batch.size, length: batch.length)
        #expect(try model.forward(batch, a1) == before) // up = 0: identity
        let trainer = Trainer(model: model, options: TrainingOptions(steps: 4, learningRate: 0.02))
        var losses: [Float] = []
        try trainer.run(nextBatch: { _ in [batch] }) { e in
            if case .step(let r) = e { losses.append(r.loss) }
            return .proceed
        }
        #expect(losses.last! < losses.first!)
        let trained = try trainer.evaluate([batch])
        let dir = scratchDir("bottleneck")
        try PEFTAdapter.save(model, to: dir + "/ad", overwrite: false)
        expectDiagnostic("model.has-adapters") { try HFCheckpoint.save(model, to: dir + "/full", overwrite: false) }
        let fresh = try GPTModel.random(config: smallConfig, seed: 3)
        try PEFTAdapter.load(folder: dir + "/ad", into: fresh)
        #expect(try Trainer(model: fresh, options: TrainingOptions(steps: 1)).evaluate([batch]) == trained)
        // Generation runs through the adapters too.
        var rng = SeededRandom(seed: 1)
        let g1 = try Generator(model: model).generate(prompt: [1, 2, 3], options: .greedy, rng: &rng)
        let g2 = try Generator(model: fresh).generate(prompt: [1, 2, 3], options: .greedy, rng: &rng)
        #expect(g1 == g2)
        let tokens = [3, 1, 4, 1, 5]
        let cached = Array(try Generator(model: model).feed(tokens))
        let full = Activations(model: model, batchSize: 1, length: 5)
        try model.forward(Batch(size: 1, length: 5, inputs: tokens.map(Int32.init), targets: [0, 0, 0, 0, 0],
                                weights: [0, 0, 0, 0, 0]), full, keepLogits: true)
        let want = Array(full.logits(row: 0, position: 4))
        #expect(maxAbsDiff(UnsafeBufferPointer(start: cached, count: cached.count), want) < 1e-4)
        try? FileManager.default.removeItem(atPath: dir)
    }

    @Test func promptTuningTrainsOnlyTheVirtualTokens() throws {
        let model = try GPTModel.random(config: smallConfig, seed: 3)
        try PEFTAdapter.addPromptTuning(to: model, count: 4, initTokens: [5, 6], seed: 1)
        #expect(Array(model.prompt!.values[0..<16]) == Array(model.wte.values[80..<96]))
        let before = Array(model.wte.values)
        let trainer = Trainer(model: model, options: TrainingOptions(steps: 5, learningRate: 0.05))
        var losses: [Float] = []
        try trainer.run(nextBatch: { _ in [smallBatch()] }) { e in
            if case .step(let r) = e { losses.append(r.loss) }
            return .proceed
        }
        #expect(losses.last! < losses.first!)
        #expect(Array(model.wte.values) == before)
    }
}
