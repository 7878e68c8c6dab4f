import FTCore
import FTTokenizer
import Foundation

// Pretraining a small GPT from plain text: what made ftsh's bundled model `tiny`, and what
// `model pretrain` runs. The corpus is what scripts/build-corpus writes.

public struct PretrainOptions: Sendable {
    public init() {}
    public var corpus = Paths().cache + "/corpus"
    public var out = "share/models/tiny"
    public var vocab = 8192
    public var layers = 4, heads = 4, embd = 256, ctx = 128, batch = 16
    public var steps = 3000
    public var lr: Float = 2e-3, warmup = 150, minLRRatio: Float = 0.1, wd: Float = 0.1
    public var seed: UInt64 = 20261126
    public var threads = 2
    public var evalEvery = 500
    public var bench = 0
    public var force = false
    /// With --logits: print the logits of a saved model for --text and exit (parity checks).
    public var logitsFolder: String?
    public var text = ""

    /// The command line that reproduces this run (recorded in the report).
    public var commandLine: String {
        "pretrain-tiny --vocab \(vocab) --layers \(layers) --heads \(heads) --embd \(embd) --ctx \(ctx) "
            + "--batch \(batch) --steps \(steps) --lr \(lr) --warmup \(warmup) --min-lr-ratio \(minLRRatio) "
            + "--wd \(wd) --seed \(seed) --threads \(threads)"
    }
}


public enum Pretraining {
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    static func fmt(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)f", x) }

    /// Trains a byte-level BPE on the corpus's training split, pretrains a GPT-2 from a seeded
    /// random start, measures held-out loss on the saved fp16 weights and writes an HF folder
    /// (with `pretrain-report.json`). `say` receives progress lines.
    public static func run(_ o: PretrainOptions, say: (String) -> Void) throws(Diagnostic) {
        EngineThreads.count = o.threads
        let t0 = now()
        let trainDocs = try Corpus.documents(path: o.corpus + "/train.txt")
        let validDocs = try Corpus.documents(path: o.corpus + "/valid.txt")
        var heldOut: [(String, [String])] = [("all", validDocs)]
        for lang in ["en", "ko"] {
            let p = o.corpus + "/valid-\(lang).txt"
            if FileManager.default.fileExists(atPath: p) { heldOut.append((lang, try Corpus.documents(path: p))) }
        }
        say("corpus: \(trainDocs.count) training and \(validDocs.count) held-out documents")

        // Tokenizer: ranks learned from the training split only; <|endoftext|> is the id after them.
        let bpe = try BPETrainer(vocabularySize: o.vocab - 1, minimumFrequency: 2, pattern: .r50k).train(trainDocs)
        let encoding = try bpe.encoding(name: "tiny")
        let eot = encoding.specialTokens[Corpus.marker]!
        let tBPE = now()
        say("tokenizer: \(encoding.vocabularySize) ids (<|endoftext|> = \(eot)) in \(fmt(tBPE - t0, 1)) s")

        let trainStream = Corpus.tokens(trainDocs, tokenizer: encoding, endOfText: eot)
        let evalSets = heldOut.map { ($0.0, Corpus.tokens($0.1, tokenizer: encoding, endOfText: eot)) }
        let trainBytes = trainDocs.reduce(0) { $0 + $1.utf8.count }
        say("tokens: \(trainStream.count) training (\(fmt(Double(trainBytes) / Double(trainStream.count), 2)) bytes/token), "
            + evalSets.map { "\($0.1.count) held-out \($0.0)" }.joined(separator: ", "))

        let config = GPTConfig(vocabSize: encoding.vocabularySize, contextLength: o.ctx, layers: o.layers, heads: o.heads,
                               embedding: o.embd, bosTokenId: eot, eosTokenId: eot)
        let model = try GPTModel.random(config: config, seed: o.seed)
        say("model: \(o.layers) layers, \(o.heads) heads, \(o.embd) dims, context \(o.ctx), \(config.parameterCount) parameters")

        let steps = o.bench > 0 ? o.bench : o.steps
        let options = TrainingOptions(steps: steps, learningRate: o.lr, warmupSteps: min(o.warmup, steps / 2),
                                      decay: .cosine, minLRRatio: o.minLRRatio, weightDecay: o.wd,
                                      beta1: 0.9, beta2: 0.95, gradClip: 1.0, evalEvery: o.bench > 0 ? 0 : o.evalEvery)
        let trainer = Trainer(model: model, options: options)
        var sampler = WindowSampler(stream: trainStream, length: o.ctx, rng: SeededRandom(seed: o.seed).derived("batches"))
        // A fixed slice of the held-out set for progress reports; the full set is measured at the end.
        let progressEval = Array(WindowSampler.evaluationBatches(evalSets[0].1, length: o.ctx, batchSize: o.batch).prefix(16))

        var curve: [Value] = []
        var lossSum: Float = 0, lossCount = 0
        let tTrain = now()
        try trainer.run(nextBatch: { _ in [sampler.next(batchSize: o.batch)] },
                        evaluation: o.bench > 0 ? [] : progressEval) { event in
            switch event {
            case .step(let r):
                lossSum += r.loss; lossCount += 1
                if r.step % 50 == 0 || r.step == r.totalSteps {
                    let elapsed = now() - tTrain
                    say("step \(r.step)/\(r.totalSteps)  loss \(fmt(Double(lossSum / Float(lossCount))))  lr \(String(format: "%.2e", r.learningRate))"
                        + "  \(Int(Double(r.step * o.batch * o.ctx) / elapsed)) tok/s  \(fmt(elapsed, 0)) s")
                    curve.append(.record(["step": .int(r.step), "train_loss": .number(Double(lossSum / Float(lossCount)))]))
                    lossSum = 0; lossCount = 0
                }
            case .evaluation(let step, let loss):
                say("step \(step): held-out loss (first \(progressEval.count) batches) \(fmt(Double(loss)))")
                curve.append(.record(["step": .int(step), "heldout_loss_subset": .number(Double(loss))]))
            case .finished: break
            }
            return .proceed
        }
        let trainSeconds = now() - tTrain
        say("trained \(steps) steps in \(fmt(trainSeconds, 1)) s")
        if o.bench > 0 { return }

        // Save, then measure what was saved: the fp16 weights read back, as `model load` sees them.
        let tmp = NSTemporaryDirectory() + "ftsh-tiny-tokenizer-\(getpid())"
        try? FileManager.default.removeItem(atPath: tmp)
        try? FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try GPT2Tokenizer.write(encoding, toFolder: tmp, overwrite: true)
        var extra: [String: Data] = [:]
        for name in ["vocab.json", "merges.txt"] { extra[name] = FileManager.default.contents(atPath: tmp + "/" + name) }
        extra["tokenizer_config.json"] = Data(tokenizerConfig(contextLength: o.ctx).utf8)

        let fp32Loss = try trainer.evaluate(WindowSampler.evaluationBatches(evalSets[0].1, length: o.ctx, batchSize: o.batch))
        let staging = o.out + ".staging-\(getpid())"
        try HFCheckpoint.save(model, to: staging, dtype: .f16, extraFiles: extra, overwrite: false)
        let saved = try HFCheckpoint.load(folder: staging)
        let checker = Trainer(model: saved, options: TrainingOptions(steps: 1))
        var results: Record = [:]
        for (name, stream) in evalSets {
            let loss = Double(try checker.evaluate(WindowSampler.evaluationBatches(stream, length: o.ctx, batchSize: o.batch)))
            say("held-out \(name): loss \(fmt(loss)), perplexity \(fmt(exp(loss), 2)) over \(stream.count) tokens")
            results[name] = .record(["loss": .number(loss), "perplexity": .number(exp(loss)), "tokens": .int(stream.count)])
        }
        say("held-out all with fp32 weights before saving: loss \(fmt(Double(fp32Loss)))")

        let tokenizer = try GPT2Tokenizer.load(folder: staging)
        var samples: [Value] = []
        for prompt in ["In the beginning", "The meaning of", "데비안은", "이 길잡이는"] {
            var rng = SeededRandom(seed: o.seed).derived("sample:" + prompt)
            let gen = Generator(model: saved)
            let ids = try gen.generate(prompt: tokenizer.encode(prompt),
                                       options: SamplingOptions(temperature: 0.8, topK: 40, maxNewTokens: 40, stopTokens: [eot]),
                                       rng: &rng)
            let text = prompt + tokenizer.decode(ids.filter { $0 != eot })
            say("sample: \(text.replacingOccurrences(of: "\n", with: " / "))")
            samples.append(.string(text))
        }

        let report: Record = [
            "command": .string(o.commandLine),
            "corpus": .record(["train_documents": .int(trainDocs.count), "train_bytes": .int(trainBytes),
                       "train_tokens": .int(trainStream.count), "heldout_documents": .int(validDocs.count)]),
            "model": .record(["vocab_size": .int(config.vocabSize), "n_layer": .int(o.layers), "n_head": .int(o.heads),
                      "n_embd": .int(o.embd), "n_positions": .int(o.ctx), "parameters": .int(config.parameterCount)]),
            "training": .record(["steps": .int(steps), "batch_size": .int(o.batch), "tokens_seen": .int(steps * o.batch * o.ctx),
                         "epochs": .number(Double(steps * o.batch * o.ctx) / Double(trainStream.count)),
                         "seconds": .number((trainSeconds * 10).rounded() / 10), "threads": .int(o.threads)]),
            "heldout": .record(results),
            "heldout_fp32_loss": .number(Double(fp32Loss)),
            "curve": .list(curve),
            "samples": .list(samples),
        ]
        try AtomicFile.write(JSON.encode(.record(report), indent: 2) + "\n", to: staging + "/pretrain-report.json", overwrite: true)
        try publish(staging: staging, to: o.out, force: o.force)
        say("wrote \(o.out) in \(fmt(now() - t0, 0)) s total")
    }

    /// What HF's GPT2Tokenizer needs beyond vocab.json and merges.txt: the special token and the
    /// model's context length.
    static func tokenizerConfig(contextLength: Int) -> String {
        let r: Record = [
            "tokenizer_class": "GPT2Tokenizer", "model_max_length": .int(contextLength), "add_prefix_space": false,
            "bos_token": .string(Corpus.marker), "eos_token": .string(Corpus.marker), "unk_token": .string(Corpus.marker),
        ]
        return JSON.encode(.record(r), indent: 2) + "\n"
    }

    /// Moves the finished folder into place, keeping any other files (README, SOURCES) already there.
    static func publish(staging: String, to out: String, force: Bool) throws(Diagnostic) {
        let fm = FileManager.default
        defer { try? fm.removeItem(atPath: staging) }
        try? fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        let names = (try? fm.contentsOfDirectory(atPath: staging)) ?? []
        if !force, let clash = names.first(where: { fm.fileExists(atPath: out + "/" + $0) }) {
            throw .error("\(out)/\(clash) exists; add --force to replace the model", id: "io.exists")
        }
        for name in names.sorted() {
            guard rename(staging + "/" + name, out + "/" + name) == 0 else {
                throw .error("cannot move \(name) into \(out): \(String(cString: strerror(errno)))", id: "io.write")
            }
        }
    }
}
