import FTCore
import Foundation

/// A deterministic chat JSONL for the benchmark: system, user and assistant turns (a quarter of
/// the examples multi-turn), English with some Korean, a few assistant messages with weight 0.
enum Corpus {
    static let english = """
    the model learns from examples and each example shows one conversation with a clear answer while training \
    data should be varied short precise and honest about what the assistant knows weather rain wind forecast \
    recipe flour butter oven minutes city river mountain capital population history language grammar question \
    because however therefore although meanwhile tokens epochs learning rate validation loss accuracy adapter \
    please explain briefly compare summarise translate list steps carefully 2026 42 3.5 100% e.g. (see below)
    """.split(separator: " ").map(String.init)
    static let korean = "모델은 예제에서 배우며 각 예제는 하나의 대화를 보여 줍니다 날씨 요리 지리 역사 질문 답변 학습 검증 손실 정확도 간단히 설명해 주세요".split(separator: " ").map(String.init)
    static let systems = ["You are a helpful assistant.", "You answer in one short paragraph.", "당신은 친절한 조수입니다."]

    static func sentence(_ rng: inout SeededRandom, words: Int) -> String {
        var out: [String] = []
        out.reserveCapacity(words)
        let korean = rng.nextInt(below: 5) == 0
        for _ in 0..<words {
            let pool = korean && rng.nextInt(below: 2) == 0 ? Self.korean : Self.english
            out.append(pool[rng.nextInt(below: pool.count)])
        }
        return out.joined(separator: " ") + "."
    }

    static func message(_ role: String, _ content: String, weight: Int? = nil) -> String {
        var s = #"{"role":"\#(role)","content":\#(JSON.quote(content))"#
        if let weight { s += #","weight":\#(weight)"# }
        return s + "}"
    }

    /// Writes the corpus unless a file of that name exists already.
    static func generate(at path: String, targetBytes: Int, seed: UInt64) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        var rng = SeededRandom(seed: seed)
        var out = ""
        out.reserveCapacity(targetBytes + 10_000)
        while out.utf8.count < targetBytes {
            var ms = [message("system", systems[rng.nextInt(below: systems.count)])]
            let turns = rng.nextInt(below: 4) == 0 ? 2 + rng.nextInt(below: 2) : 1
            for t in 0..<turns {
                ms.append(message("user", sentence(&rng, words: 8 + rng.nextInt(below: 50))))
                let w: Int? = t < turns - 1 && rng.nextInt(below: 3) == 0 ? 0 : nil
                ms.append(message("assistant", sentence(&rng, words: 20 + rng.nextInt(below: 180)), weight: w))
            }
            out += #"{"messages":["# + ms.joined(separator: ",") + "]}\n"
        }
        try AtomicFile.write(out, to: path, overwrite: true)
    }
}
