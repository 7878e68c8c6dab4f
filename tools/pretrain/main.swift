// Pretrains ftsh's bundled base model `tiny` from the corpus scripts/build-corpus assembles:
// trains a byte-level BPE on the training split, pretrains a small GPT-2 from a seeded random
// start, measures the held-out loss of the saved (fp16) weights, and writes an HF GPT-2 folder.
//
//   swift run -c release --scratch-path .build-tiny pretrain-tiny [--corpus DIR] [--out DIR]
//       [--vocab 8192] [--layers 4] [--heads 4] [--embd 256] [--ctx 128] [--batch 16]
//       [--steps 3000] [--lr 2e-3] [--warmup 150] [--min-lr-ratio 0.1] [--wd 0.1]
//       [--seed 20261126] [--threads 2] [--eval-every 500] [--bench N] [--force]
//   pretrain-tiny --logits FOLDER --text TEXT    (JSON: token ids and next-token logits at each
//       position, from ftsh's tokenizer and engine; tools/pretrain/hf_check.py compares them
//       with transformers)
//
// Every random choice (initialisation, batch offsets, samples) comes from --seed, so the same
// corpus, options and thread count give the same weights on one machine.
import FTCore
import FTEngine
import FTTokenizer
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("pretrain-tiny: \(message)\n".utf8))
    exit(2)
}

func parseOptions() -> PretrainOptions {
    var o = PretrainOptions()
    let args = Array(CommandLine.arguments.dropFirst())
    var i = 0
    func value() -> String {
        guard i + 1 < args.count else { fail("\(args[i]) needs a value") }
        i += 1
        return args[i]
    }
    func int() -> Int { let v = value(); guard let n = Int(v), n >= 0 else { fail("\(args[i - 1]): bad number \(v)") }; return n }
    func float() -> Float { let v = value(); guard let x = Float(v), x.isFinite else { fail("\(args[i - 1]): bad number \(v)") }; return x }
    while i < args.count {
        switch args[i] {
        case "--corpus": o.corpus = value()
        case "--out": o.out = value()
        case "--vocab": o.vocab = int()
        case "--layers": o.layers = int()
        case "--heads": o.heads = int()
        case "--embd": o.embd = int()
        case "--ctx": o.ctx = int()
        case "--batch": o.batch = int()
        case "--steps": o.steps = int()
        case "--lr": o.lr = float()
        case "--warmup": o.warmup = int()
        case "--min-lr-ratio": o.minLRRatio = float()
        case "--wd": o.wd = float()
        case "--seed": o.seed = UInt64(int())
        case "--threads": o.threads = int()
        case "--eval-every": o.evalEvery = int()
        case "--bench": o.bench = int()
        case "--force": o.force = true
        case "--logits": o.logitsFolder = value()
        case "--text": o.text = value()
        default: fail("unknown option \(args[i])")
        }
        i += 1
    }
    return o
}

func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }

/// Token ids of `text` under the folder's tokenizer and the logits after each of them.
func printLogits(folder: String, text: String) throws(Diagnostic) {
    let model = try HFCheckpoint.load(folder: folder)
    let tokenizer = try GPT2Tokenizer.load(folder: folder)
    let ids = tokenizer.encode(text)
    let gen = Generator(model: model)
    var rows: [Value] = []
    for id in ids {
        let logits = try gen.feed([id])
        rows.append(.list(logits.map { .number(Double($0)) }))
    }
    say(JSON.encode(.record(["tokens": .list(ids.map { .int($0) }), "logits": .list(rows)])))
}

do {
    let options = parseOptions()
    if let folder = options.logitsFolder {
        try printLogits(folder: folder, text: options.text)
    } else {
        try Pretraining.run(options, say: say)
    }
} catch {
    fail(error.description)
}
