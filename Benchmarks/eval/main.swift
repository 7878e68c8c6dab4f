// bench-eval: BLEU, chrF and ROUGE on 2,000 prediction/reference pairs against sacrebleu 2.6.0 and
// rouge-score 0.1.2 (tools/bench/eval_peer.py), measured in the same run.
//
//   swift run -c release --scratch-path .build-eval bench-eval [--pairs 2000] [--runs 5] [--python python3]
//
// Both sides score the same generated pairs (English, Korean, numbers, punctuation) single-threaded,
// timing only the scoring (the peer clears sacrebleu's tokenizer caches before each run); figures
// are medians in milliseconds. Each side's scores are printed too and must agree. The machine may
// be shared with other work: rerun when the numbers look noisy.
import FTCore
import FTEval
import Foundation

var pairCount = 2000, runs = 5, python = "python3"
var args = Array(CommandLine.arguments.dropFirst())
while args.count >= 2 {
    let flag = args.removeFirst(), value = args.removeFirst()
    switch flag {
    case "--pairs": pairCount = Int(value) ?? pairCount
    case "--runs": runs = max(1, Int(value) ?? runs)
    case "--python": python = value
    default: FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8)); exit(2)
    }
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

// Pairs: a reference of 8–30 words and a prediction with drops, swaps and substitutions.
let english = "the a model data training loss was is on of to and for with valid step learning rate small large fine tuning results improved quickly slowly because however".split(separator: " ").map(String.init)
let korean = "모델 데이터 학습 손실 검증 결과 빠르게 천천히 개선 되었다 그리고 하지만 작은 큰".split(separator: " ").map(String.init)
let extras = ["1", "2.5", "1,000", "2024-01-05", "12%", "(see", "below)", "e.g.,", "don't", "—", "…", "!"]
var rng = SeededRandom(seed: 2024).derived("bench-eval")
var examples: [Example] = []
for _ in 0..<pairCount {
    var words: [String] = []
    for _ in 0..<(8 + rng.nextInt(below: 23)) {
        let r = rng.nextDouble()
        let pool = r < 0.7 ? english : r < 0.9 ? korean : extras
        words.append(pool[rng.nextInt(below: pool.count)])
    }
    var pred = words
    for _ in 0..<rng.nextInt(below: 6) {
        let op = rng.nextInt(below: 3)
        if op == 0 && pred.count > 1 { pred.remove(at: rng.nextInt(below: pred.count)) }
        else if op == 1 && pred.count > 1 { let i = rng.nextInt(below: pred.count - 1); pred.swapAt(i, i + 1) }
        else { pred.insert(english[rng.nextInt(below: english.count)], at: rng.nextInt(below: pred.count + 1)) }
    }
    let sentenceEnd = rng.nextInt(below: 4) == 0 ? ".\n" : " "
    examples.append(Example(prediction: pred.joined(separator: " "), reference: words.joined(separator: " ") + sentenceEnd + "End."))
}
let hyps = examples.map(\.prediction), refs = examples.map(\.references)

let file = NSTemporaryDirectory() + "ftsh-bench-eval-\(getpid()).jsonl"
let jsonl = examples.map { JSON.encode(.record(["prediction": .string($0.prediction), "reference": .string($0.references[0])])) }
try! (jsonl.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
defer { try? FileManager.default.removeItem(atPath: file) }

let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = [python, repo + "/tools/bench/eval_peer.py", file, String(runs)]
let pipe = Pipe()
process.standardOutput = pipe
try! process.run()
let peerData = pipe.fileHandleForReading.readDataToEndOfFile()
process.waitUntilExit()
guard process.terminationStatus == 0, let peer = try? JSON.decode(String(decoding: peerData, as: UTF8.self)) else {
    print("peer failed (is `pip install sacrebleu rouge-score` done?)"); exit(1)
}

@MainActor func time(_ body: () -> Double) -> (Double, Double) {
    var times: [Double] = [], value = 0.0
    for _ in 0..<runs { let t = now(); value = body(); times.append(now() - t) }
    return (times.sorted()[times.count / 2], value)
}
func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }
@MainActor func rougeL(_ stem: Bool, _ tokenizer: Rouge.Tokenizer = .rougeScore) -> Double {
    var s = RougeScorer(tokenizer: tokenizer, stemmer: stem)
    return mean(examples.map { s.score($0.prediction, references: $0.references)[.rougeL]!.fmeasure })
}
let ours: [(String, (Double, Double))] = [
    ("sentence_bleu", time { mean(examples.map { BLEU.sentence($0.prediction, references: $0.references).score }) }),
    ("corpus_bleu", time { BLEU.corpus(hyps, references: refs).score }),
    ("sentence_chrf", time { mean(examples.map { CHRF.sentence($0.prediction, references: $0.references).score }) }),
    ("corpus_chrf", time { CHRF.corpus(hyps, references: refs).score }),
    ("corpus_chrf++", time { CHRF.corpus(hyps, references: refs, wordOrder: 2).score }),
    ("rouge", time { rougeL(false) }),
    ("rouge_stem", time { rougeL(true) }),
]
print("metric          pairs  ftsh ms  python ms   ratio   ftsh score        python score")
for (name, (t, v)) in ours {
    let pt = peer[name]?.numberValue ?? .nan, pv = peer["values"]?[name]?.numberValue ?? .nan
    let agree = abs(v - pv) <= 1e-9 * max(1, abs(pv)) ? "" : "  MISMATCH"
    print(name.padding(toLength: 14, withPad: " ", startingAt: 0)
          + String(format: " %6d %8.1f %10.1f %6.1fx   %-16.10g %-16.10g", pairCount, t * 1000, pt * 1000, pt / t, v, pv) + agree)
}
print("(rouge rows: all four ROUGE kinds per pair; scores shown are mean rougeL F)")
// rouge-score has no Unicode tokenizer, so these have no peer; the Korean words count here.
for (name, stem) in [("rouge_unicode", false), ("rouge_unicode_stem", true)] {
    let (t, v) = time { rougeL(stem, .unicode) }
    print(name.padding(toLength: 18, withPad: " ", startingAt: 0) + String(format: " %6d %8.1f   (ftsh only)   %.10g", pairCount, t * 1000, v))
}
