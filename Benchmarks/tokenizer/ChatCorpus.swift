import FTCore
import Foundation

/// A deterministic synthetic chat JSONL in the fine-tuning format: English and Korean prose,
/// some code, numbers, URLs and emoji, so every branch of the pre-tokenizers gets exercised.
enum ChatCorpus {
    static let english = """
    the of and to in is you that it he was for on are as with his they at be this have from or one \
    had by word but not what all were we when your can said there use an each which she do how their \
    if will up other about out many then them these so some her would make like him into time has look \
    two more write go see number no way could people my than first water been call who oil its now find \
    long down day did get come made may part model training data fine-tuning loss epoch learning rate \
    batch token tokenizer dataset validation evaluation accuracy gradient optimizer adapter prompt \
    completion assistant system user example answer question because however therefore although \
    customer support refund order shipping account password update please thanks sorry issue problem
    """.split(separator: " ").map(String.init)

    static let korean = """
    안녕하세요 감사합니다 모델 데이터 학습 평가 손실 정확도 질문 답변 고객 주문 배송 환불 계정 비밀번호 \
    변경 확인 문제 해결 방법 설명 예시 결과 파인튜닝 사전 학습된 특정 작업 맞게 추가로 과정 입니다 \
    합니다 있습니다 없습니다 그리고 하지만 그래서 오늘 내일 어제 시간 사람 회사 제품 서비스 이용 \
    도움 필요 요청 처리 완료 진행 중 먼저 다음 마지막 정말 아주 조금 많이 빠르게 천천히 다시
    """.split(separator: " ").map(String.init)

    static let code = [
        "def add(a, b):\n    return a + b\n",
        "for (int i = 0; i < n; i++) {\n\tsum += x[i];\n}\n",
        "let total = items.reduce(0) { $0 + $1.price }",
        "SELECT id, name FROM users WHERE created_at > '2024-01-01';",
        "```json\n{\"role\": \"assistant\", \"content\": \"ok\"}\n```",
        "git commit -m \"fix: handle empty input\" && git push origin main",
    ]

    static let emoji = ["😊", "👍", "🙏", "🎉", "❤️", "👨‍👩‍👧", "🇰🇷", "✅", "🤔", "🚀"]
    static let punctuation = [".", ".", ".", "?", "!", ",", ",", ":", ";", "…", " -", "!!", "?!"]

    static func sentence(_ rng: inout SeededRandom, korean: Bool) -> String {
        let words = korean ? ChatCorpus.korean : english
        var s = ""
        let n = 4 + rng.nextInt(below: 14)
        for i in 0..<n {
            if i > 0 { s += rng.nextInt(below: 12) == 0 ? ", " : " " }
            var w = words[rng.nextInt(below: words.count)]
            if i == 0 && !korean { w = w.prefix(1).uppercased() + w.dropFirst() }
            switch rng.nextInt(below: 40) {
            case 0: w = String(rng.nextInt(below: 100_000))
            case 1: w = "\(rng.nextInt(below: 2030))-\(1 + rng.nextInt(below: 12))-\(1 + rng.nextInt(below: 28))"
            case 2: w = w.uppercased()
            case 3: w += "'s"
            case 4: w = "\"" + w + "\""
            case 5: w = emoji[rng.nextInt(below: emoji.count)]
            case 6: w = "https://example.com/" + w + "/" + String(rng.nextInt(below: 1000))
            case 7: w = String((0..<(3 + rng.nextInt(below: 6))).map { _ in
                Character(Unicode.Scalar(UInt8(97 + rng.nextInt(below: 26)))) })  // an unseen word
            default: break
            }
            s += w
        }
        return s + punctuation[rng.nextInt(below: punctuation.count)]
    }

    static func message(_ rng: inout SeededRandom, sentences: Int) -> String {
        let korean = rng.nextInt(below: 2) == 0
        var parts: [String] = []
        for _ in 0..<sentences {
            if rng.nextInt(below: 25) == 0 { parts.append(code[rng.nextInt(below: code.count)]); continue }
            parts.append(sentence(&rng, korean: rng.nextInt(below: 8) == 0 ? !korean : korean))
        }
        return parts.joined(separator: rng.nextInt(below: 4) == 0 ? "\n\n" : " ")
    }

    /// Writes about `targetBytes` of JSONL to `path` (unless a file of that size is there).
    static func generate(at path: String, targetBytes: Int, seed: UInt64) throws {
        if let attrs = try? FileManager.default.attributesOfItem(atPath: path),
           let size = attrs[.size] as? Int, size >= targetBytes { return }
        var rng = SeededRandom(seed: seed)
        var out = Data()
        out.reserveCapacity(targetBytes + 4096)
        while out.count < targetBytes {
            let prompt = rng.nextInt(below: 3) == 0
                ? "당신은 친절한 고객 지원 도우미입니다." : "You are a helpful customer support assistant."
            let system: Value = .record(["role": "system", "content": .string(prompt)])
            var messages: [Value] = [system]
            for _ in 0..<(1 + rng.nextInt(below: 3)) {
                let user = message(&rng, sentences: 1 + rng.nextInt(below: 3))
                messages.append(.record(["role": "user", "content": .string(user)]))
                let reply = message(&rng, sentences: 1 + rng.nextInt(below: 6))
                messages.append(.record(["role": "assistant", "content": .string(reply)]))
            }
            let line: Value = .record(["messages": .list(messages)])
            out.append(contentsOf: Array(JSON.encode(line).utf8))
            out.append(0x0A)
        }
        try AtomicFile.write(out, to: path, overwrite: true)
    }

    /// Every message content of the file, in order.
    static func contents(of path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostic.error("cannot read \(path)", id: "bench.io")
        }
        var texts: [String] = []
        var lineNo = 0
        for line in data.split(separator: 0x0A) {
            lineNo += 1
            let v = try JSON.decode(bytes: Array(line), file: path, line: lineNo)
            for m in v["messages"]?.listValue ?? [] {
                if let c = m["content"]?.stringValue { texts.append(c) }
            }
        }
        return texts
    }
}
