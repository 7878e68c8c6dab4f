import FTCore
import Foundation
import Testing
@testable import FTEval

/// Every metric against the reference packages' own output on the golden corpus.
/// Tolerance: 1e-9 absolute on every score (BLEU and chrF on their 0–100 scale, ROUGE and SQuAD
/// F1 on 0–1). That is far tighter than the two decimals sacrebleu prints, so the raw floats are
/// what is compared; counts, lengths, tokens and stems must be equal exactly.
@Suite struct GoldenMetricTests {
    @Test func corpusIsLoaded() {
        #expect(Golden.pairs.count > 200)
        #expect(Golden.corpus.count >= 7)
    }

    @Test func squadNormalisationExactMatchAndF1() {
        for p in Golden.pairs {
            let pred = p.string("prediction"), refs = p.strings("references")
            #expect(SQuAD.normalize(pred).unicodeScalars.elementsEqual(p.string("squad_normalized").unicodeScalars),
                    "\(p.label): normalised \(SQuAD.normalize(pred).debugDescription)")
            #expect((SQuAD.exactMatch(pred, references: refs) ? 1.0 : 0.0) == p.number("squad_em"), "\(p.label)")
            let f1 = SQuAD.f1(pred, references: refs)
            #expect(close(f1, p.number("squad_f1")), "\(p.label): f1 \(f1) vs \(p.number("squad_f1"))")
            #expect(ExactMatch.matches(pred, references: refs) == (p["exact_match"]?.boolValue ?? false), "\(p.label)")
        }
    }

    @Test func tokenizer13a() {
        for p in Golden.pairs {
            let ours = BLEU.tokenize(p.string("prediction"))
            #expect(ours.map { Array($0.unicodeScalars) } == p.strings("tokens_13a").map { Array($0.unicodeScalars) },
                    "\(p.label): \(ours) vs \(p.strings("tokens_13a"))")
        }
    }

    @Test func sentenceBLEU() {
        for p in Golden.pairs {
            let s = BLEU.sentence(p.string("prediction"), references: p.strings("references"))
            let g = p.record("bleu")
            #expect(close(s.score, g.number("score")), "\(p.label): \(s.score) vs \(g.number("score"))")
            #expect(s.statistics.matches == g.numbers("counts").map { Int($0) }, "\(p.label) counts")
            #expect(s.statistics.totals == g.numbers("totals").map { Int($0) }, "\(p.label) totals")
            #expect(s.statistics.hypothesisLength == Int(g.number("sys_len")), "\(p.label) sys_len")
            #expect(s.statistics.referenceLength == Int(g.number("ref_len")), "\(p.label) ref_len")
            #expect(close(s.brevityPenalty, g.number("bp")), "\(p.label) bp")
            for (a, b) in zip(s.precisions, g.numbers("precisions")) { #expect(close(a, b), "\(p.label) precisions") }
        }
    }

    @Test func sentenceCHRF() {
        for p in Golden.pairs {
            let pred = p.string("prediction"), refs = p.strings("references")
            let c = CHRF.sentence(pred, references: refs).score
            let cpp = CHRF.sentence(pred, references: refs, wordOrder: 2).score
            #expect(close(c, p.number("chrf")), "\(p.label): chrF \(c) vs \(p.number("chrf"))")
            #expect(close(cpp, p.number("chrf++")), "\(p.label): chrF++ \(cpp) vs \(p.number("chrf++"))")
        }
    }

    @Test func rougeTokens() {
        for p in Golden.pairs {
            let pred = p.string("prediction")
            #expect(Rouge.tokenize(pred) == p.strings("rouge_tokens"), "\(p.label)")
            #expect(Rouge.tokenize(pred, stemmer: true) == p.strings("rouge_tokens_stemmed"), "\(p.label) stemmed")
        }
    }

    @Test(arguments: [false, true])
    func rougeScores(stemmer: Bool) {
        let key = stemmer ? "rouge_stem" : "rouge"
        for p in Golden.pairs {
            let scores = Rouge.score(p.string("prediction"), references: p.strings("references"), stemmer: stemmer)
            for kind in Rouge.Kind.allCases {
                let g = p.record(key).numbers(kind.rawValue)
                guard let s = scores[kind], g.count == 3 else { Issue.record("\(p.label): no \(kind)"); continue }
                #expect(close(s.precision, g[0]) && close(s.recall, g[1]) && close(s.fmeasure, g[2]),
                        "\(p.label) \(key).\(kind): \([s.precision, s.recall, s.fmeasure]) vs \(g)")
            }
        }
    }

    @Test func porterStemmer() {
        let stems = Golden.lines("porter.jsonl")
        #expect(stems.count > 1000)
        var wrong: [String] = []
        for s in stems where PorterStemmer.stem(s.string("word")) != s.string("stem") {
            wrong.append("\(s.string("word")) → \(PorterStemmer.stem(s.string("word"))), expected \(s.string("stem"))")
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong stems: \(wrong.prefix(20))")
    }

    @Test func corpusScores() {
        for c in Golden.corpus {
            let ids = c.numbers("ids").map { Int($0) }
            let rows = ids.map { Golden.pairs[$0] }
            let hyps = rows.map { $0.string("prediction") }, refs = rows.map { $0.strings("references") }
            let name = c.string("subset")

            let b = BLEU.corpus(hyps, references: refs), g = c.record("bleu")
            #expect(close(b.score, g.number("score")), "\(name): BLEU \(b.score) vs \(g.number("score"))")
            #expect(b.statistics.matches == g.numbers("counts").map { Int($0) }, "\(name) counts")
            #expect(b.statistics.totals == g.numbers("totals").map { Int($0) }, "\(name) totals")
            #expect(b.statistics.referenceLength == Int(g.number("ref_len")), "\(name) ref_len")

            let chrf = CHRF.corpus(hyps, references: refs).score
            let chrfpp = CHRF.corpus(hyps, references: refs, wordOrder: 2).score
            #expect(close(chrf, c.number("chrf")), "\(name): chrF \(chrf) vs \(c.number("chrf"))")
            #expect(close(chrfpp, c.number("chrf++")), "\(name): chrF++ \(chrfpp) vs \(c.number("chrf++"))")
        }
    }
}
