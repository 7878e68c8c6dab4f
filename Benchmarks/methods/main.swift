// Times one training step (forward, backward, AdamW) of each fine-tuning method in ftsh, and
// LoRA against PyTorch + PEFT on the same random GPT-2, configuration and thread count, with
// the ratio from one run.
//
//   swift run -c release --scratch-path .build-trn bench-methods [--config tiny|124m|all]
//       [--steps 10] [--threads 2] [--python python3] [--no-peer] [--methods lora,full,...]
//
// The peer is tools/bench/methods_peer.py (torch==2.13.0+cpu, transformers, peft).
import Foundation
import FTCore
import FTEngine

struct Options {
    var configs = ["tiny", "124m"]
    var methods = ["lora", "full", "partial", "prompt", "adapter"]
    var steps = 10
    var threads = 2
    var python = ProcessInfo.processInfo.environment["FTSH_PYTHON"] ?? "python3"
    var peer = true
}

func parseOptions() -> Options {
    var o = Options()
    let args = Array(CommandLine.arguments.dropFirst())
    var i = 0
    while i < args.count {
        let v = i + 1 < args.count ? args[i + 1] : ""
        switch args[i] {
        case "--config": o.configs = v == "all" ? ["tiny", "124m"] : [v]; i += 1
        case "--methods": o.methods = v.split(separator: ",").map(String.init); i += 1
        case "--steps": o.steps = Int(v) ?? o.steps; i += 1
        case "--threads": o.threads = Int(v) ?? o.threads; i += 1
        case "--python": o.python = v; i += 1
        case "--no-peer": o.peer = false
        default: FileHandle.standardError.write(Data("unknown option \(args[i])\n".utf8)); exit(2)
        }
        i += 1
    }
    return o
}

struct Shape { var config: GPTConfig; var b: Int; var t: Int }

let shapes: [String: Shape] = [
    "tiny": Shape(config: GPTConfig(vocabSize: 512, contextLength: 64, layers: 4, heads: 4, embedding: 128), b: 8, t: 64),
    "124m": Shape(config: GPTConfig(vocabSize: 50257, contextLength: 1024, layers: 12, heads: 12, embedding: 768), b: 4, t: 64),
]

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }

/// The method applied as `train METHOD` does with its defaults (LoRA as the peer: r 8, alpha 16,
/// c_attn; partial: top quarter of the blocks; prompt: 20 virtual tokens; adapter: C/16).
func apply(_ method: String, to model: GPTModel) throws {
    switch method {
    case "full": model.setTrainable { _ in true }
    case "lora": try model.addLoRA(targets: ["c_attn"], rank: 8, alpha: 16, seed: 1)
    case "partial":
        let top = max(1, (model.config.layers + 3) / 4)
        let names = Set(model.blocks.suffix(top).flatMap(\.baseParameters).map(\.name) + [model.lnfWeight.name, model.lnfBias.name])
        model.setTrainable { names.contains($0.name) }
    case "prompt": try PEFTAdapter.addPromptTuning(to: model, count: 20, seed: 1)
    case "adapter": try model.addAdapters(size: max(1, model.config.embedding / 16), seed: 1)
    default: throw Diagnostic.error("unknown method \(method)", id: "bench.method")
    }
}

struct Timing { var median: Double; var min: Double; var phases: [Double]; var cpu: Double; var trainable: Int; var all: Int }

#if os(Linux)
let rusageSelf = RUSAGE_SELF.rawValue
#else
let rusageSelf = RUSAGE_SELF
#endif

/// CPU time of the whole process so far (all threads), in ms: steadier than wall time on a
/// machine other work shares, and the same work whichever threads end up waiting.
func cpuMilliseconds() -> Double {
    var u = rusage()
    getrusage(rusageSelf, &u)
    func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1e3 + Double(t.tv_usec) / 1e3 }
    return ms(u.ru_utime) + ms(u.ru_stime)
}

/// Step times, and the median forward, backward and optimizer times within a step.
func timeOurs(_ shape: Shape, method: String, steps: Int) throws -> Timing {
    let model = try GPTModel.random(config: shape.config, seed: 0)
    try apply(method, to: model)
    var rng = SeededRandom(seed: 1)
    let t = method == "prompt" ? shape.t - 20 : shape.t
    let seqs = (0..<shape.b).map { _ in (0...t).map { _ in rng.nextInt(below: shape.config.vocabSize) } }
    let batch = Batch.from(sequences: seqs, length: t)
    let acts = Activations(model: model, batchSize: shape.b, length: t)
    let opt = AdamW(weightDecay: 0)
    let params = model.trainableParameters
    var times: [Double] = [], phases: [[Double]] = [[], [], []]
    var cpuStart = 0.0
    for i in 0..<(3 + steps) {
        if i == 3 { cpuStart = cpuMilliseconds() }
        let t0 = now()
        _ = try model.forward(batch, acts)
        let t1 = now()
        model.backward(acts)
        let t2 = now()
        opt.update(params, lr: 1e-4)
        let t3 = now()
        if i >= 3 {
            times.append(t3 - t0)
            for (k, d) in [t1 - t0, t2 - t1, t3 - t2].enumerated() { phases[k].append(d) }
        }
    }
    let cpu = (cpuMilliseconds() - cpuStart) / Double(steps)
    return Timing(median: median(times), min: times.min()!, phases: phases.map(median), cpu: cpu,
                  trainable: model.trainableCount, all: model.parameterCount)
}

func timePeer(_ name: String, opts: Options) -> (median: Double, min: Double, trainable: Int)? {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [opts.python, repo + "/tools/bench/methods_peer.py", "--config", name,
                   "--threads", String(opts.threads), "--steps", String(opts.steps)]
    let out = Pipe()
    p.standardOutput = out
    do { try p.run() } catch { print("  peer: cannot run \(opts.python): \(error)"); return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0,
          let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
          let v = try? JSON.decode(String(line)), let ms = v["median_ms"]?.numberValue,
          let all = v["ms"]?.listValue?.compactMap(\.numberValue), let lo = all.min() else {
        print("  peer failed (status \(p.terminationStatus)); are torch, transformers and peft installed for \(opts.python)?")
        return nil
    }
    return (ms, lo, v["trainable"]?.intValue ?? 0)
}

let opts = parseOptions()
EngineThreads.count = opts.threads
print("ftsh methods benchmark: one training step per method, \(opts.threads) threads, \(opts.steps) steps after 3 warm-up")
print("load average at start: " + ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"))
for name in opts.configs {
    guard let shape = shapes[name] else { print("unknown config \(name)"); exit(2) }
    let c = shape.config
    print("\n\(name): L\(c.layers) H\(c.heads) C\(c.embedding) V\(c.vocabSize) T\(shape.t) B\(shape.b)")
    for method in opts.methods {
        do {
            let r = try timeOurs(shape, method: method, steps: opts.steps)
            let label = method.padding(toLength: 8, withPad: " ", startingAt: 0)
            print("  \(label) " + String(format: "ftsh    %9.1f ms/step median, %.1f min (forward %.1f, backward %.1f, AdamW %.1f; CPU %.0f ms/step); trainable %d of %d",
                                          r.median, r.min, r.phases[0], r.phases[1], r.phases[2], r.cpu, r.trainable, r.all))
            if method == "lora", opts.peer, let theirs = timePeer(name, opts: opts) {
                print(String(format: "  lora     peft    %9.1f ms/step median, %.1f min; trainable %d", theirs.median, theirs.min, theirs.trainable))
                print(String(format: "  lora     ratio   %9.2f× of medians, %.2f× of minima (ftsh / PyTorch+PEFT; goal ≤ 0.80)",
                             r.median / theirs.median, r.min / theirs.min))
            }
        } catch {
            print("  \(method) failed: \(error)")
        }
    }
}
