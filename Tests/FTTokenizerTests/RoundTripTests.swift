import FTCore
import Testing
@testable import FTTokenizer

/// Property checks on seeded random text that mixes scripts: decoding the ids gives the text
/// back, `count` agrees with `encode`, and the two merge strategies agree.
@Suite struct RoundTripTests {
    static let alphabet: [String] = {
        var a = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n\r'.,;:!?-/()\"<|>").map(String.init)
        a += ["가", "힣", "한", "국", "ㄱ", "中", "文", "日", "あ", "カ", "😀", "👍", "🏽", "\u{200D}", "\u{FE0F}", "🇰", "🇷",
              "\u{301}", "\u{94D}", "ि", "ʰ", "ǅ", "ß", "ſ", "\u{A0}", "\u{3000}", "\u{2028}", "\u{85}", "²", "½", "Ⅻ", "٣",
              "α", "Ж", "ع", "ש", "ก", "’", "…", "€", "<|endoftext|>", "   ", "\n\n"]
        return a
    }()

    static func randomText(_ rng: inout SeededRandom, maxLength: Int) -> String {
        var s = ""
        for _ in 0..<rng.nextInt(below: maxLength + 1) {
            if rng.nextInt(below: 50) == 0 {
                // Any scalar at all, including unassigned and private-use ones.
                var v = UInt32(rng.nextInt(below: 0x110000))
                if (0xD800..<0xE000).contains(v) { v = 0xFFFD }
                s.unicodeScalars.append(Unicode.Scalar(v)!)
            } else {
                s += alphabet[rng.nextInt(below: alphabet.count)]
            }
        }
        return s
    }

    @Test(arguments: ["o200k_base", "cl100k_base"])
    func decodeEncodeIsIdentity(_ name: String) throws {
        let enc = try loadEncoding(name)
        var rng = SeededRandom(seed: 7).derived("roundtrip-" + name)
        for _ in 0..<3000 {
            let text = Self.randomText(&rng, maxLength: 60)
            let ids = enc.encode(text)
            #expect(enc.decode(ids) == text)
            #expect(enc.count(text) == ids.count)
            #expect(ids.allSatisfy { $0 >= 0 && $0 < enc.rankCount })
        }
    }

    @Test(arguments: ["o200k_base", "cl100k_base"])
    func heapAndLinearMergesAgree(_ name: String) throws {
        let enc = try loadEncoding(name)
        var rng = SeededRandom(seed: 11).derived("merge-" + name)
        for _ in 0..<2000 {
            let text = Self.randomText(&rng, maxLength: 30)
            let bytes = Array(text.utf8)
            if bytes.count < 2 { continue }
            let linear = enc.table.mergeTokens(bytes, heap: false)
            #expect(linear == enc.table.mergeTokens(bytes, heap: true), "\(text.debugDescription)")
            #expect(enc.decodeBytes(linear) == bytes)
        }
    }

    /// A megabyte-long single piece goes through the heap merge and still round-trips.
    @Test func megabyteWord() throws {
        let enc = try loadEncoding("o200k_base")
        var rng = SeededRandom(seed: 3)
        var letters = [UInt8](repeating: 0, count: 1_000_000)
        for i in letters.indices { letters[i] = UInt8(97 + rng.nextInt(below: 26)) }
        let word = String(decoding: letters, as: UTF8.self)
        #expect(enc.pattern.pieces(String(word.prefix(1000))).count == 1)
        let ids = enc.encode(word)
        #expect(ids.count > 100_000)
        #expect(enc.decodeBytes(ids) == letters)
        #expect(enc.count(word) == ids.count)
    }
}
