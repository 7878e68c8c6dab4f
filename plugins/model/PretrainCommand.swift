import Foundation
import FTCore
import FTEngine
import FTPluginKit

/// `model pretrain`: a small GPT from plain text, the way ftsh's bundled `tiny` was made.
enum PretrainCommand {
    static let spec = CommandSpec(["model", "pretrain"], summary: "Pretrain a small GPT (tokenizer and weights) from a text corpus.",
        discussion: "Reads the corpus folder scripts/build-corpus writes (train.txt, valid.txt, and valid-en.txt / valid-ko.txt when present; documents end with a <|endoftext|> line), trains a byte-level BPE on the training split, pretrains a GPT-2 from a seeded random start with AdamW (warm-up, cosine decay), measures the held-out loss and perplexity of the saved fp16 weights, and writes an HF GPT-2 folder with pretrain-report.json. scripts/pretrain-tiny.ftsh is the recipe of the bundled model.",
        arguments: [ArgumentSpec("out", "Folder to write the model into.", type: .path, completion: .directory)],
        flags: [
            FlagSpec("corpus", "Corpus folder (default ~/.cache/ftsh/corpus).", type: .path, completion: .directory),
            FlagSpec("vocab", "Vocabulary size, <|endoftext|> included.", type: .int, default: .int(8192)),
            FlagSpec("layers", "Transformer blocks.", type: .int, default: .int(4)),
            FlagSpec("heads", "Attention heads.", type: .int, default: .int(4)),
            FlagSpec("dims", "Embedding size.", type: .int, default: .int(192)),
            FlagSpec("context", "Context length in tokens.", type: .int, default: .int(256)),
            FlagSpec("batch", "Windows per step.", type: .int, default: .int(8)),
            FlagSpec("steps", "Training steps.", type: .int, default: .int(1200)),
            FlagSpec("lr", "Peak learning rate.", type: .number, default: .number(2e-3)),
            FlagSpec("warmup", "Warm-up steps.", type: .int, default: .int(100)),
            FlagSpec("min-lr-ratio", "Final learning rate as a fraction of the peak.", type: .number, default: .number(0.1)),
            FlagSpec("weight-decay", "AdamW's decoupled weight decay.", type: .number, default: .number(0.1)),
            FlagSpec("seed", "Seed of the initialisation, batches and samples.", type: .int, default: .int(20261126)),
            FlagSpec("eval-every", "Steps between held-out reports.", type: .int, default: .int(300)),
            FlagSpec("force", "Replace model files already in the folder."),
        ],
        examples: ["model pretrain my-tiny --steps 200", "model pretrain share/models/tiny --force"]) { inv, ctx in
        var o = PretrainOptions()
        o.out = ctx.resolve(inv.string("out")!)
        if let c = inv.string("corpus") { o.corpus = ctx.resolve(c) } else { o.corpus = Paths(environment: ctx.environment).cache + "/corpus" }
        func positive(_ name: String) throws(Diagnostic) -> Int {
            guard let n = inv.int(name), n > 0 else { throw inv.error("--\(name) must be a positive integer", id: "usage.bad-argument", at: name) }
            return n
        }
        o.vocab = try positive("vocab")
        o.layers = try positive("layers")
        o.heads = try positive("heads")
        o.embd = try positive("dims")
        o.ctx = try positive("context")
        o.batch = try positive("batch")
        o.steps = try positive("steps")
        o.evalEvery = try positive("eval-every")
        o.warmup = max(0, inv.int("warmup") ?? 0)
        o.lr = Float(inv.number("lr") ?? 2e-3)
        o.minLRRatio = Float(inv.number("min-lr-ratio") ?? 0.1)
        o.wd = Float(inv.number("weight-decay") ?? 0.1)
        o.seed = UInt64(max(0, inv.int("seed") ?? 0))
        o.force = inv.flag("force")
        guard o.embd % o.heads == 0 else {
            throw inv.error("--dims (\(o.embd)) must be a multiple of --heads (\(o.heads))", id: "usage.bad-argument", at: "dims")
        }
        guard FileManager.default.fileExists(atPath: o.corpus + "/train.txt") else {
            throw inv.error("no corpus at \(inv.string("corpus") ?? o.corpus): run scripts/build-corpus, or give --corpus DIR with train.txt and valid.txt",
                            id: "model.no-corpus", at: inv.has("corpus") ? "corpus" : nil)
        }
        try Pretraining.run(o) { line in ctx.print(line) }
        let report = (try? JSON.decode(String(contentsOfFile: o.out + "/pretrain-report.json", encoding: .utf8))) ?? .null
        return report["heldout"] ?? .null
    }
}
