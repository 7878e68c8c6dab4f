import FTCore
import FTTokenizer
import Foundation
import Testing
@testable import FTData

/// OpenAI's rank files: `$FTSH_ENCODINGS_DIR`, else the `shared/encodings` folder beside the checkout.
let encodingsDir: String = {
    if let d = ProcessInfo.processInfo.environment["FTSH_ENCODINGS_DIR"], !d.isEmpty { return d }
    return URL(fileURLWithPath: repoRoot + "/../shared/encodings").standardizedFileURL.path
}()
let encodingsAvailable = FileManager.default.fileExists(atPath: encodingsDir + "/o200k_base.tiktoken")

func node(_ json: String) throws -> JSONNode { try JSONLineParser.parse(Array(json.utf8)) }

@Suite struct AccountingTests {
    @Test func cookbookAccountingByHand() throws {
        let ex = try node(#"{"messages": [{"role": "system", "content": "a b"}, {"role": "user", "content": "c"}, {"role": "assistant", "content": "d e f", "name": "x"}]}"#)
        let t = try #require(TokenAccounting.tokens(of: ex, format: .chat, counter: WordCounter()))
        // 3 (reply) + [3 + 1 + 2] + [3 + 1 + 1] + [3 + 1 + 3 + 1 + 1 (name)]
        #expect(t.total == 23)
        #expect(t.trained == 3)
        #expect(t.messages == 3)
        #expect(t.perMessage.map(\.role) == ["system", "user", "assistant"])
        #expect(t.perMessage.map(\.tokens) == [2, 1, 3])
    }

    @Test func weightZeroIsNotTrainedAndWeightIsNotCounted() throws {
        let ex = try node(#"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a b", "weight": 0}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "c", "weight": 1}]}"#)
        let t = try #require(TokenAccounting.tokens(of: ex, format: .chat, counter: WordCounter()))
        #expect(t.trained == 1)
        #expect(t.total == 3 + 5 + 6 + 5 + 5)
    }

    @Test func toolCallsCountAsTheirJSONText() throws {
        let ex = try node(#"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}]}"#)
        let t = try #require(TokenAccounting.tokens(of: ex, format: .chat, counter: WordCounter()))
        // The compact JSON of tool_calls has no spaces: one "word".
        #expect(t.trained == 1)
        #expect(t.total == 3 + 5 + (3 + 1 + 1))
    }

    @Test func completionAndPreference() throws {
        let c = try #require(TokenAccounting.tokens(of: try node(#"{"prompt": "a b c", "completion": " d e"}"#), format: .completion, counter: WordCounter()))
        #expect(c.total == 5 && c.trained == 2)
        let p = try #require(TokenAccounting.tokens(of: try node(prefOK), format: .preference, counter: WordCounter()))
        // input user (3+1+1) + preferred (3+1+1) + 3; trained: "good" + "bad"
        #expect(p.total == 13)
        #expect(p.trained == 2)
    }

    @Test func defaultEpochsRule() {
        let cases: [(Int, Int)] = [(1, 25), (3, 25), (10, 10), (20, 5), (33, 3), (34, 3), (8333, 3), (8334, 2), (12_500, 2), (25_001, 1), (100_000, 1)]
        for (n, epochs) in cases { #expect(TrainingEstimate.defaultEpochs(examples: n) == epochs, "N=\(n)") }
    }

    @Test func billedTokensAndCost() {
        #expect(TrainingEstimate.billedTokens(exampleTokens: [10, 100, 5000], maxTokensPerExample: 4096, epochs: 3) == 12_618)
        #expect(TrainingEstimate.cost(tokens: 2_000_000, perMillion: 3) == 6)
        let est = CostEstimate(exampleTokens: Array(repeating: 1000, count: 10), model: PriceTable.builtin.info(for: "gpt-4o")!,
                               prices: .builtin)
        #expect(est.epochs == 10)
        #expect(est.billedTokens == 100_000)
        #expect(est.cost == 2.5)
    }

    @Test func distributionMatchesNumpy() {
        let d = Distribution(Array(1...10))
        #expect(d.median == 5.5)
        #expect(abs(d.p10 - 1.9) < 1e-12)
        #expect(abs(d.p90 - 9.1) < 1e-12)
        #expect(d.mean == 5.5)
        #expect(d.histogram.counts == Array(repeating: 1, count: 10))
        let one = Distribution([7])
        #expect(one.min == 7 && one.max == 7 && one.p10 == 7 && one.histogram.counts == [1])
        #expect(Distribution([]).count == 0)
    }

    /// Quantiles from value counts equal those from the sorted list (numpy's linear rule).
    @Test func distributionFromFrequenciesMatchesTheSortedList() {
        var rng = SeededRandom(seed: 5)
        let values = (0..<997).map { _ in 20 + rng.nextInt(below: 300) }
        let sorted = values.sorted()
        func q(_ p: Double) -> Double {
            let pos = p * Double(sorted.count - 1), i = Int(pos), f = pos - Double(i)
            return Double(sorted[i]) + (Double(sorted[i + 1]) - Double(sorted[i])) * f
        }
        let d = Distribution(values)
        #expect(abs(d.p10 - q(0.1)) < 1e-9 && abs(d.p90 - q(0.9)) < 1e-9 && d.median == q(0.5))
        #expect(d.histogram.counts.reduce(0, +) == 997)
        #expect(d.min == sorted.first && d.max == sorted.last && d.sum == values.reduce(0, +))
    }

    @Test func modelLookup() throws {
        let t = PriceTable.builtin
        #expect(t.info(for: "ft:gpt-4o-mini-2024-07-18:acme::abc123")?.model == "gpt-4o-mini-2024-07-18")
        #expect(t.info(for: "gpt-4o")?.model == "gpt-4o-2024-08-06")
        #expect(t.info(for: "gpt-4o-mini")?.model == "gpt-4o-mini-2024-07-18")
        #expect(t.info(for: "gpt-3.5-turbo")?.maxTokensPerExample == 16_385)
        #expect(t.info(for: "gpt-9") == nil)
    }

    @Test func userPricesOverlayTheBuiltinTable() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.path + "/ftsh", withIntermediateDirectories: true)
        _ = dir.file("ftsh/prices.json", #"{"as_of": "2027-01-01", "models": [{"model": "gpt-4o-2024-08-06", "training_per_1m": 20, "max_tokens_per_example": 65536}, {"model": "my-model-2027-01-01", "encoding": "cl100k_base", "training_per_1m": 1.5}]}"#)
        let t = try PriceTable.standard(paths: Paths(environment: ["XDG_CONFIG_HOME": dir.path, "HOME": dir.path]))
        #expect(t.asOf == "2027-01-01")
        #expect(t.info(for: "gpt-4o")?.trainingPerMillion == 20)
        #expect(t.info(for: "my-model")?.encoding == "cl100k_base")
        #expect(t.info(for: "gpt-4o-mini")?.trainingPerMillion == 3)
        _ = dir.file("ftsh/prices.json", #"{"models": [{"model": "x", "training_per_1m": "cheap"}]}"#)
        #expect(throws: Diagnostic.self) { _ = try PriceTable.standard(paths: Paths(environment: ["XDG_CONFIG_HOME": dir.path, "HOME": dir.path])) }
    }

    @Test func checkReportCarriesTheEstimate() throws {
        let r = try check(validLines(20).joined(separator: "\n"), options: CheckOptions(model: "gpt-4o-mini", counter: WordCounter()))
        let t = try #require(r.tokens)
        // Each line: 3 + (3+1+3) + (3+1+3) + (3+1+3) = 24 tokens, 3 trained.
        #expect(t.perExample.min == 24 && t.perExample.max == 24)
        #expect(t.trainedTokens == 60)
        #expect(r.epochs == 5)
        #expect(r.billedTokens == 5 * 20 * 24)
        #expect(r.cost == Double(5 * 20 * 24) / 1_000_000 * 3)
        #expect(t.perRole.map(\.role) == ["assistant", "system", "user"])
        let v = r.toValue()
        #expect(v["epochs"] == .int(5))
        #expect(v["tokens"]?["per_example"]?["median"] == .number(24))
    }

    /// The cookbook notebook's counts, computed by tiktoken (tools/reference/data_token_counts.py).
    @Test(.enabled(if: encodingsAvailable), arguments: ["o200k_base", "cl100k_base"])
    func matchesTheCookbookWithTiktoken(_ encodingName: String) throws {
        let golden = try JSON.decode(String(contentsOfFile: repoRoot + "/Tests/FTDataTests/Golden/token_counts.json", encoding: .utf8))
        let enc = try Encoding.load(named: encodingName, searchPaths: [encodingsDir])
        for file in ["qa-en.jsonl", "qa-ko.jsonl", "extra"] {
            let g = try #require(golden["files"]?[file]?[encodingName])
            let examples: [JSONNode]
            if file == "extra" {
                examples = (golden["extra"]?.listValue ?? []).map { JSONNode(value: $0) }
            } else {
                examples = try DataLoader.load(path: repoRoot + "/share/data/" + file).dataset.examples.map(\.node)
            }
            let counts = examples.map { TokenAccounting.tokens(of: $0, format: .chat, counter: enc)! }
            #expect(counts.map { Value.int($0.total) } == g["totals"]?.listValue, "\(file)")
            #expect(counts.map { Value.int($0.trained) } == g["assistant"]?.listValue, "\(file)")
            let d = Distribution(counts.map(\.total))
            let s = try #require(g["total_stats"])
            #expect(abs(d.mean - s["mean"]!.numberValue!) < 1e-9)
            #expect(abs(d.p10 - s["p10"]!.numberValue!) < 1e-9)
            #expect(abs(d.p90 - s["p90"]!.numberValue!) < 1e-9)
            #expect(d.median == s["median"]!.numberValue!)
        }
    }
}
