import FTCore
import Foundation
import Testing
@testable import FTTokenizer

@Suite struct EncodingTests {
    @Test func facts() throws {
        let o200k = try loadEncoding("o200k_base")
        let cl100k = try loadEncoding("cl100k_base")
        #expect(o200k.rankCount == 199_998)
        #expect(o200k.vocabularySize == 200_019)
        #expect(cl100k.rankCount == 100_256)
        #expect(cl100k.vocabularySize == 100_277)
        #expect(o200k.specialTokenID("<|endoftext|>") == 199_999)
        #expect(o200k.specialTokenID("<|endofprompt|>") == 200_018)
        #expect(cl100k.specialTokenID("<|endoftext|>") == 100_257)
        #expect(cl100k.specialTokenID("<|fim_prefix|>") == 100_258)
        #expect(cl100k.specialTokenID("<|endofprompt|>") == 100_276)
        // encode_ordinary treats special-token text as plain text.
        #expect(cl100k.encode("<|endoftext|>") == [27, 91, 8862, 728, 428, 91, 29])
        #expect(o200k.encode("<|endoftext|>") == [27, 91, 419, 1440, 919, 91, 29])
        #expect(cl100k.encode("a<|endoftext|>b", allowedSpecial: ["<|endoftext|>"]) == cl100k.encode("a") + [100_257] + cl100k.encode("b"))
        #expect(o200k.decode([199_999]) == "<|endoftext|>")
        #expect(o200k.tokenBytes(199_999) == Array("<|endoftext|>".utf8))
        #expect(o200k.tokenBytes(200_500) == nil)
        #expect(o200k.encode("") == [])
        #expect(o200k.count("") == 0)
        #expect(try Encoding.load(named: "o200k_base", searchPaths: []) === o200k, "cached per name")
    }

    @Test func tokenBytesShowBoundaries() throws {
        let enc = try loadEncoding("o200k_base")
        let ids = enc.encode("Hello, 세계! 👋")
        let pieces = ids.map { enc.tokenBytes($0)! }
        #expect(pieces.reduce([], +) == Array("Hello, 세계! 👋".utf8))
        #expect(enc.decodeBytes(ids) == Array("Hello, 세계! 👋".utf8))
        #expect(ids.allSatisfy { enc.rank(of: enc.tokenBytes($0)!) == $0 })
    }

    @Test func modelResolution() {
        let cases: [(String, String?)] = [
            ("gpt-4o-mini-2024-07-18", "o200k_base"), ("gpt-4o", "o200k_base"), ("gpt-4o-2024-08-06", "o200k_base"),
            ("ft:gpt-4o-mini-2024-07-18:org::id", "o200k_base"), ("ft:gpt-4.1-2025-04-14:acme:custom:abc123", "o200k_base"),
            ("gpt-4.1-nano-2025-04-14", "o200k_base"), ("o4-mini-2025-04-16", "o200k_base"), ("o1", "o200k_base"),
            ("o3-mini", "o200k_base"), ("gpt-5", "o200k_base"), ("gpt-5.1-codex", "o200k_base"),
            ("gpt-4-0613", "cl100k_base"), ("gpt-4", "cl100k_base"), ("gpt-3.5-turbo-0125", "cl100k_base"),
            ("ft:gpt-3.5-turbo-0613:org::x", "cl100k_base"), ("babbage-002", "cl100k_base"),
            ("ft:davinci-002:org::x", "cl100k_base"), ("gpt-35-turbo", "cl100k_base"),
            ("text-embedding-3-small", "cl100k_base"), ("GPT-4o", "o200k_base"),
            ("llama-3", nil), ("o1x", nil), ("", nil), ("ft:", nil), ("davinci", nil),
        ]
        for (model, expected) in cases { #expect(Encoding.forModel(model) == expected, "\(model)") }
    }

    @Test func missingEncodingSaysWhereItLooked() {
        let dir = NSTemporaryDirectory() + "ftsh-tok-missing-\(getpid())"
        do {
            _ = try EncodingCatalog.locate("cl100k_base", in: [dir + "/a", dir + "/b"])
            Issue.record("found a rank file in an empty folder")
        } catch {
            #expect(error.id == "tokenizer.missing-encoding")
            #expect(error.message.contains(dir + "/a, " + dir + "/b"))
            #expect(error.notes.joined().contains("scripts/fetch-encodings"))
        }
        #expect(throws: Diagnostic.self) { _ = try Encoding.load(named: "p50k_base", searchPaths: [dir]) }
    }

    @Test func searchPathOrder() {
        let paths = EncodingCatalog.searchPaths(environment: ["FTSH_ENCODINGS_DIR": "/x/enc", "HOME": "/home/u"])
        #expect(paths.first == "/x/enc")
        #expect(paths.last == "/home/u/.cache/ftsh/encodings")
        #expect(paths.count == 3 && paths[1].hasSuffix("/share/ftsh/encodings"))
        let xdg = EncodingCatalog.searchPaths(environment: ["HOME": "/home/u", "XDG_CACHE_HOME": "/c"])
        #expect(xdg.last == "/c/ftsh/encodings")
        #expect(xdg.count == 2)
    }

    @Test func badRankFilesAreLocated() throws {
        let dir = NSTemporaryDirectory() + "ftsh-tok-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var all = ""
        for b in 0..<256 { all += Base64.encode([UInt8(b)]) + " \(b)\n" }
        let cases: [(String, String, Int)] = [
            ("YQ== 0\nYg==1\n", "expected a space", 2),
            ("YQ== 0\n!!!! 1\n", "invalid base64", 2),
            ("YQ== 0\nYg== x\n", "expected a rank", 2),
            (all + "YQ== 300\n", "has two ranks", 0),
            (all + "YWI= 5\n", "appears twice", 0),
            ("YQ== 0\n", "byte 0 has no token", 0),
        ]
        for (i, (text, message, line)) in cases.enumerated() {
            let path = dir + "/bad\(i).tiktoken"
            try AtomicFile.write(text, to: path, overwrite: true)
            do {
                _ = try Encoding(name: "custom", ranksFile: path, pattern: .r50k)
                Issue.record("case \(i) loaded")
            } catch {
                #expect(error.id == "tokenizer.bad-rank-file")
                #expect(error.message.contains(message), "case \(i): \(error.message)")
                if line > 0 { #expect(error.location?.line == line, "case \(i)") }
            }
        }
        // A file with the right format but the wrong size for a known name is refused.
        let path = dir + "/o200k_base.tiktoken"
        try AtomicFile.write(all, to: path, overwrite: true)
        #expect(throws: Diagnostic.self) { _ = try Encoding(name: "o200k_base", ranksFile: path, pattern: .o200k) }
    }
}
