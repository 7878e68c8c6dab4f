import FTCore
import Testing
@testable import FTEval

/// BLEU with one reference packs token ids into one key per n-gram; with several it clips by
/// the maximum count over the references in hash tables. For one reference both must agree.
@Suite struct BLEUPathTests {
    @Test func singleReferencePathAgreesWithTheGeneralOne() {
        var rng = SeededRandom(seed: 11)
        let words = ["the", "a", "cat", "sat", "1,000", "2.5", "(see", "below).", "학습", "&amp;", "don't", "-", "x-1", "—", "\n"]
        func text() -> String { (0..<rng.nextInt(below: 30)).map { _ in words[rng.nextInt(below: words.count)] }.joined(separator: " ") }
        var scorer = BLEUScorer()
        for trial in 0..<400 {
            let hyp = text(), ref = text()
            let packed = scorer.singleReference(hyp, ref)
            #expect(packed != nil)
            #expect(packed == scorer.multipleReferences(hyp, references: [ref]), "trial \(trial): \(hyp.debugDescription) vs \(ref.debugDescription)")
        }
    }
}
