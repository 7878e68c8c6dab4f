import FTCore
import Foundation
import Testing
@testable import FTEval

@Suite struct CompareTests {
    /// References and two systems: B gets lines 0–9 right that A got wrong, A gets line 10
    /// right that B gets wrong, and both agree on the rest.
    static let refs = (0..<40).map { "the answer to question \($0) is \($0 * 7)" }
    static let a: [String] = refs.enumerated().map { i, r in
        i < 10 ? "no idea about \(i)" : i == 10 ? r : i % 2 == 0 ? r : "the answer is \(i)"
    }
    static let b: [String] = refs.enumerated().map { i, r in
        i < 10 ? r : i == 10 ? "something else" : i % 2 == 0 ? r : "the answer is \(i)"
    }

    func reports(_ metrics: [Metric]) throws -> (MetricReport, MetricReport) {
        let ea = zip(Self.a, Self.refs).map { Example(prediction: $0, reference: $1) }
        let eb = zip(Self.b, Self.refs).map { Example(prediction: $0, reference: $1) }
        return (try Evaluation.score(ea, metrics: metrics), try Evaluation.score(eb, metrics: metrics))
    }

    @Test func winsTiesLossesAndFlips() throws {
        let (ra, rb) = try reports([.exactMatch])
        let c = try Compare.compare(ra["exact_match"]!, rb["exact_match"]!, random: SeededRandom(seed: 1))
        #expect(c.wins == 10 && c.losses == 1 && c.ties == 29)
        #expect(c.failToPass == Array(0..<10))
        #expect(c.passToFail == [10])
        #expect(c.threshold == 100)
        #expect(close(c.delta, 100 * 9 / 40.0))
        // Most changed: all eleven changed lines have |Δ| = 100; ties go by index.
        #expect(c.mostChanged.map(\.index) == Array(0...9))
        let all = try Compare.compare(ra["exact_match"]!, rb["exact_match"]!, random: SeededRandom(seed: 1), top: 20)
        #expect(all.mostChanged.map(\.index) == Array(0...10))
        #expect(all.mostChanged.last?.delta == -100)
    }

    @Test func bootstrapIsSeededAndSensible() throws {
        let (ra, rb) = try reports([.exactMatch, .bleu, .chrF, .squadF1])
        let one = try Compare.compare(ra, rb, random: SeededRandom(seed: 42), samples: 500)
        let again = try Compare.compare(ra, rb, random: SeededRandom(seed: 42), samples: 500)
        let other = try Compare.compare(ra, rb, random: SeededRandom(seed: 43), samples: 500)
        #expect(one == again)
        #expect(one.map(\.low) != other.map(\.low))
        for c in one {
            #expect(c.low <= c.delta && c.delta <= c.high, "\(c.metric): \(c.low) \(c.delta) \(c.high)")
            #expect(c.low > 0, "\(c.metric): B is better on 10 of 11 changed lines, the interval should exclude 0")
            #expect(c.isSignificant && c.probabilityBBetter > 0.95)
        }
        // A metric's interval does not depend on which other metrics were compared.
        let alone = try Compare.compare(ra["bleu"]!, rb["bleu"]!, random: SeededRandom(seed: 42), samples: 500)
        #expect(alone == one.first { $0.metric == "bleu" })
    }

    @Test func identicalSystemsGiveAZeroInterval() throws {
        let (ra, _) = try reports([.bleu, .rouge(.rougeL, .rougeScore, stemmed: false)])
        for c in try Compare.compare(ra, ra, random: SeededRandom(seed: 7), samples: 200) {
            #expect(c.delta == 0 && c.low == 0 && c.high == 0 && c.ties == 40 && c.mostChanged.isEmpty)
            #expect(!c.isSignificant && c.probabilityBBetter == 0)
        }
    }

    /// Corpus BLEU over a resample is recomputed from summed statistics: over all lines once
    /// it is exactly the corpus score, and over one line repeated it is that line's corpus BLEU.
    @Test func resampledCorpusScoresUseStatistics() throws {
        let (ra, _) = try reports([.bleu, .chrF])
        for r in ra.results {
            #expect(r.corpusScore(over: Array(0..<40)) == r.corpus)
            let single = r.metric == .bleu
                ? BLEU.corpus([Self.a[7], Self.a[7]], references: [[Self.refs[7]], [Self.refs[7]]]).score
                : CHRF.corpus([Self.a[7], Self.a[7]], references: [[Self.refs[7]], [Self.refs[7]]]).score
            #expect(close(r.corpusScore(over: [7, 7]), single))
        }
    }

    @Test func percentileInterpolates() {
        #expect(Compare.percentile([0, 10], 0.25) == 2.5)
        #expect(Compare.percentile([1, 2, 3, 4, 5], 0.5) == 3)
        #expect(Compare.percentile([5], 0.975) == 5)
    }

    @Test func mismatchedInputsAreErrors() throws {
        let (ra, _) = try reports([.bleu, .exactMatch])
        let short = try Evaluation.score([Example(prediction: "a", reference: "a")], metrics: [.bleu])
        expectDiagnostic("eval.mismatched-lengths") { _ = try Compare.compare(ra, short, random: SeededRandom(seed: 1)) }
        expectDiagnostic("eval.mismatched-metrics") {
            _ = try Compare.compare(ra["bleu"]!, ra["exact_match"]!, random: SeededRandom(seed: 1))
        }
        expectDiagnostic("usage.bad-samples") {
            _ = try Compare.compare(ra["bleu"]!, ra["bleu"]!, random: SeededRandom(seed: 1), samples: 0)
        }
    }

    @Test func valueHasTheFieldsThePluginPrints() throws {
        let (ra, rb) = try reports([.exactMatch])
        let v = try Compare.compare(ra["exact_match"]!, rb["exact_match"]!, random: SeededRandom(seed: 1), samples: 50).toValue()
        for key in ["metric", "a", "b", "delta", "ci_low", "ci_high", "wins", "ties", "losses", "pass_to_fail",
                    "fail_to_pass", "most_changed"] {
            #expect(v[key] != nil, "\(key)")
        }
        #expect(v["fail_to_pass"] == .list((0..<10).map { .int($0) }))
    }
}
