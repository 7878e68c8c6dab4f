import FTCore
import Foundation
import Testing
@testable import FTTokenizer

@Suite struct BPETrainerTests {
    static let corpus: [String] = {
        var rng = SeededRandom(seed: 42).derived("bpe-corpus")
        let words = ["the", "model", "learns", "from", "data", "training", "tokens", "fine", "tuning", "모델", "학습",
                     "데이터", "lower", "lowest", "newer", "newest", "wider", "widest", "123", "4567", "!", "?", "\n"]
        return (0..<400).map { _ in
            (0..<(3 + rng.nextInt(below: 12))).map { _ in words[rng.nextInt(below: words.count)] }.joined(separator: " ")
        }
    }()

    @Test func firstMergeIsTheMostFrequentPair() throws {
        let bpe = try BPETrainer(vocabularySize: 257, minimumFrequency: 1).train(["aaabdaaabac"])
        #expect(bpe.tokens.count == 257)
        #expect(bpe.tokens[256] == Array("aa".utf8))
        #expect(bpe.merges == [TrainedBPE.Merge(left: 97, right: 97, result: 256)])
        // Ties go to the smaller pair of ids: (a, b) = (97, 98) before (aa, a) = (256, 97).
        let more = try BPETrainer(vocabularySize: 258, minimumFrequency: 1).train(["aaabdaaabac"])
        #expect(more.tokens[257] == Array("ab".utf8))
    }

    @Test func stopsAtMinimumFrequency() throws {
        let bpe = try BPETrainer(vocabularySize: 10_000, minimumFrequency: 2).train(["abcd", "abxy"])
        #expect(bpe.tokens.count == 257)
        #expect(bpe.tokens[256] == Array("ab".utf8))
    }

    @Test func trainedVocabularyEncodesAndRoundTrips() throws {
        let bpe = try BPETrainer(vocabularySize: 320).train(Self.corpus)
        #expect(bpe.tokens.count == 320)
        #expect(bpe.tokens.prefix(256).enumerated().allSatisfy { $0.element == [UInt8($0.offset)] })
        let enc = try bpe.encoding(name: "tiny")
        #expect(enc.vocabularySize == 321)
        #expect(enc.specialTokenID("<|endoftext|>") == 320)
        var bytes = 0, tokens = 0
        for text in Self.corpus {
            let ids = enc.encode(text)
            #expect(enc.decode(ids) == text)
            bytes += text.utf8.count
            tokens += ids.count
        }
        // Frequent words become single tokens, so the corpus compresses well.
        #expect(Double(bytes) / Double(tokens) > 3)
        // Training is deterministic.
        #expect(try BPETrainer(vocabularySize: 320).train(Self.corpus) == bpe)
        // With room to spare, training ends when every piece is one token.
        let full = try BPETrainer(vocabularySize: 5000).train(Self.corpus)
        #expect(full.tokens.count < 5000)
        let fullEncoding = try full.encoding(name: "full")
        for word in ["the", " training", " 모델", " lowest", "\n"] {
            #expect(fullEncoding.encode(word).count == 1, "\(word)")
        }
    }

    @Test func saveAndLoadAsRankFile() throws {
        let bpe = try BPETrainer(vocabularySize: 300).train(Self.corpus)
        let path = NSTemporaryDirectory() + "ftsh-bpe-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tiktoken"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try bpe.write(to: path, overwrite: false)
        #expect(throws: Diagnostic.self) { try bpe.write(to: path, overwrite: false) }
        let loaded = try Encoding(name: "tiny", ranksFile: path, pattern: .r50k, specialTokens: ["<|endoftext|>": 300])
        let direct = try bpe.encoding(name: "tiny")
        #expect(loaded.vocabularySize == direct.vocabularySize)
        for text in Self.corpus.prefix(50) { #expect(loaded.encode(text) == direct.encode(text)) }
        let (tokens, ranks) = try RankFile.parse(Array(bpe.rankFileText.utf8), file: path)
        #expect(tokens == bpe.tokens)
        #expect(ranks == Array(0..<300))
    }

    @Test func rejectsImpossibleSizes() {
        #expect(throws: Diagnostic.self) { _ = try BPETrainer(vocabularySize: 100).train(["x"]) }
    }
}

@Suite struct GPT2ExportTests {
    /// A trained vocabulary exported as vocab.json + merges.txt encodes the same under HF's
    /// pair rule as under the rank-order rule.
    @Test func exportedVocabularyEncodesTheSame() throws {
        var rng = SeededRandom(seed: 5).derived("export")
        let texts = BPETrainerTests.corpus + (0..<200).map { _ in RoundTripTests.randomText(&rng, maxLength: 40) }
        let enc = try BPETrainer(vocabularySize: 340, minimumFrequency: 1).train(texts).encoding(name: "tiny")
        let dir = NSTemporaryDirectory() + "ftsh-export-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try GPT2Tokenizer.write(enc, toFolder: dir, overwrite: false)
        let hf = try GPT2Tokenizer.load(folder: dir)
        #expect(hf.vocabularySize == enc.vocabularySize)
        #expect(hf.endOfTextID == enc.specialTokenID("<|endoftext|>"))
        for t in texts + ["<|endoftext|>"] { #expect(hf.encodeOrdinary(t) == enc.encode(t), "\(t.debugDescription)") }
    }

    @Test func modelLoadErrors() {
        #expect { _ = try Encoding.load(model: "llama-3-8b") } throws: { ($0 as? Diagnostic)?.id == "tokenizer.unknown-model" }
    }
}
