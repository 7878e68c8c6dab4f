import FTCore
import Foundation
import Testing
@testable import FTTokenizer

/// The HF byte-level BPE against HF `tokenizers` itself (tools/reference/tokenizer_hf_golden.py).
@Suite struct GPT2TokenizerTests {
    static let folder = goldenDir + "/gpt2-tiny"

    @Test func vocabAndMergesMatchHF() throws {
        let tok = try GPT2Tokenizer(vocabFile: Self.folder + "/vocab.json", mergesFile: Self.folder + "/merges.txt")
        try check(tok)
    }

    @Test func tokenizerJSONMatchesHF() throws {
        let tok = try GPT2Tokenizer(tokenizerJSON: Self.folder + "/tokenizer.json")
        #expect(tok.endOfTextID == 0)
        #expect(tok.vocabularySize == 700)
        try check(tok)
        #expect(tok.encode("<|endoftext|>") == [0])
        #expect(tok.encodeOrdinary("<|endoftext|>").count > 1)
    }

    @Test func folderPrefersTokenizerJSON() throws {
        let tok = try GPT2Tokenizer.load(folder: Self.folder)
        #expect(tok.addedTokens["<|endoftext|>"] == 0)
    }

    func check(_ tok: GPT2Tokenizer) throws {
        var failures = 0
        let cases = try readGolden("gpt2_tiny.jsonl")
        #expect(cases.count > 2000)
        for c in cases {
            let ids = tok.encode(c.text)
            if ids != c.ids {
                failures += 1
                if failures <= 5 { Issue.record("gpt2_tiny.jsonl:\(c.line): \(c.text.debugDescription.prefix(60)) → \(ids.prefix(12)) expected \(c.ids.prefix(12))") }
            }
            #expect(tok.decode(ids) == c.text)
        }
        #expect(failures == 0)
    }

    @Test func byteLevelMapIsABijection() {
        let chars = Set(ByteLevel.byteToUnicode)
        #expect(chars.count == 256)
        #expect(ByteLevel.byteToUnicode[32] == "Ġ")
        #expect(ByteLevel.byteToUnicode[10] == "Ċ")
        #expect(ByteLevel.byteToUnicode[65] == "A")
    }

    @Test func badFilesAreDiagnosed() throws {
        let dir = NSTemporaryDirectory() + "ftsh-gpt2-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write("[1, 2]", to: dir + "/vocab.json", overwrite: true)
        try AtomicFile.write("#version: 0.2\na b\n", to: dir + "/merges.txt", overwrite: true)
        #expect { _ = try GPT2Tokenizer.load(folder: dir) } throws: { ($0 as? Diagnostic)?.id == "tokenizer.bad-vocab" }
        var vocab = Record()
        for (b, c) in ByteLevel.byteToUnicode.enumerated() { vocab[String(c)] = .int(b) }
        try AtomicFile.write(JSON.encode(.record(vocab)), to: dir + "/vocab.json", overwrite: true)
        try AtomicFile.write("#version: 0.2\na b\n", to: dir + "/merges.txt", overwrite: true)
        #expect { _ = try GPT2Tokenizer.load(folder: dir) } throws: {
            guard let d = $0 as? Diagnostic else { return false }
            return d.id == "tokenizer.bad-merges" && d.message.contains("vocabulary lacks")
        }
        try AtomicFile.write("#version: 0.2\na b\nab\n", to: dir + "/merges.txt", overwrite: true)
        #expect { _ = try GPT2Tokenizer.load(folder: dir) } throws: {
            ($0 as? Diagnostic)?.location?.line == 3
        }
        try AtomicFile.write("{\"model\": {\"type\": \"WordPiece\"}}", to: dir + "/tokenizer.json", overwrite: true)
        #expect { _ = try GPT2Tokenizer.load(folder: dir) } throws: { ($0 as? Diagnostic)?.id == "tokenizer.unsupported" }
    }
}
