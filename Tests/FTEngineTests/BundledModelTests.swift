import FTCore
@testable import FTEngine
import FTTokenizer
import Foundation
import Testing

/// The bundled base model share/models/tiny: it loads offline as an HF GPT-2 folder, its
/// tokenizer is a real GPT-2 tokenizer for both languages, and it has learned English and Korean
/// (far better than chance on sentences it never saw).
@Suite struct BundledModelTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../share/models/tiny").standardized.path

    /// Mean next-token loss of `text` (nats per token) under the model.
    func loss(_ model: GPTModel, _ ids: [Int]) throws -> Double {
        let gen = Generator(model: model)
        var total = 0.0
        for i in 0..<(ids.count - 1) {
            let logits = try gen.feed([ids[i]])
            let m = Double(logits.max()!)
            let logSum = m + log(logits.reduce(0.0) { $0 + exp(Double($1) - m) })
            total += logSum - Double(logits[ids[i + 1]])
        }
        return total / Double(ids.count - 1)
    }

    @Test func loadsWithItsTokenizer() throws {
        let model = try HFCheckpoint.load(folder: Self.folder)
        let tokenizer = try GPT2Tokenizer.load(folder: Self.folder)
        #expect(tokenizer.vocabularySize == model.config.vocabSize)
        #expect(tokenizer.endOfTextID == model.config.eosTokenId)
        let weights = try SafetensorsFile(path: Self.folder + "/model.safetensors")
        #expect(weights.entries.values.allSatisfy { $0.dtype == .f16 })
        for text in ["The quick brown fox jumps over the lazy dog.", "한국어 문장도 바이트 단위로 나뉩니다. 🙂"] {
            #expect(tokenizer.decode(tokenizer.encode(text)) == text)
        }
    }

    @Test func predictsUnseenEnglishAndKorean() throws {
        let model = try HFCheckpoint.load(folder: Self.folder)
        let tokenizer = try GPT2Tokenizer.load(folder: Self.folder)
        let uniform = log(Double(model.config.vocabSize))
        // Sentences written for this test, in neither the corpus nor its held-out split.
        let english = "The people went out of the city and sat down by the river, and they ate bread together."
        let korean = "우리는 아침에 일어나서 밥을 먹고 학교에 갔습니다. 선생님은 친절하게 설명해 주셨습니다."
        let en = try loss(model, tokenizer.encode(english))
        let ko = try loss(model, tokenizer.encode(korean))
        // Chance is ln 8192 = 9.01; the model gives about 3.35 and 5.28 on these.
        #expect(en < 0.5 * uniform, "English loss \(en) against chance \(uniform)")
        #expect(ko < 0.65 * uniform, "Korean loss \(ko) against chance \(uniform)")
    }

    @Test func greedyContinuationIsRepeatableAndDecodes() throws {
        let model = try HFCheckpoint.load(folder: Self.folder)
        let tokenizer = try GPT2Tokenizer.load(folder: Self.folder)
        var rng = SeededRandom(seed: 1)
        let prompt = tokenizer.encode("And God said,")
        let a = try Generator(model: model).generate(prompt: prompt, options: .init(temperature: 0, maxNewTokens: 12), rng: &rng)
        let b = try Generator(model: model).generate(prompt: prompt, options: .init(temperature: 0, maxNewTokens: 12), rng: &rng)
        #expect(a == b)
        #expect(a.count == 12)
        // A model that learned English continues with words, not stray bytes.
        let text = tokenizer.decode(a)
        #expect(text.unicodeScalars.filter { CharacterSet.letters.contains($0) }.count >= 10, "\(text)")
    }
}
