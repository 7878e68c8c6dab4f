// Times one full fine-tuning step (forward, backward, AdamW) of a random GPT-2 in ftsh and in
// PyTorch on CPU, same configuration and thread count, and prints both with their ratio.
//
//   swift run -c release --scratch-path .build-eng bench-engine [--config tiny|124m|all]
//       [--steps 10] [--threads 2] [--python python3] [--no-peer]
//
// The peer is tools/bench/engine_peer.py (needs torch==2.13.0+cpu and transformers).
import Foundation
import FTCore
import FTEngine

struct Options {
    var configs = ["tiny", "124m"]
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

/// CPU milliseconds (user + system) this process has used, all threads together.
func cpuMillis() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3
}

/// ms per step for ftsh (wall median and all), the split of the last step, and CPU ms per step, plus the split into forward / backward / optimizer of the last step.
func timeOurs(_ shape: Shape, steps: Int) throws -> (median: Double, all: [Double], split: (Double, Double, Double), loss: Float, cpu: Double) {
    let model = try GPTModel.random(config: shape.config, seed: 0)
    var rng = SeededRandom(seed: 1)
    let seqs = (0..<shape.b).map { _ in (0...shape.t).map { _ in rng.nextInt(below: shape.config.vocabSize) } }
    let batch = Batch.from(sequences: seqs, length: shape.t)
    let acts = Activations(model: model, batchSize: shape.b, length: shape.t)
    let opt = AdamW(weightDecay: 0)
    let params = model.trainableParameters
    var times: [Double] = []
    var split = (0.0, 0.0, 0.0)
    var loss: Float = 0
    var cpuStart = 0.0
    for i in 0..<(3 + steps) {
        if i == 3 { cpuStart = cpuMillis() }
        let t0 = now()
        loss = try model.forward(batch, acts)
        let t1 = now()
        model.backward(acts)
        let t2 = now()
        opt.update(params, lr: 1e-4)
        let t3 = now()
        if i >= 3 { times.append(t3 - t0) }
        split = (t1 - t0, t2 - t1, t3 - t2)
    }
    return (median(times), times, split, loss, (cpuMillis() - cpuStart) / Double(steps))
}

func timePeer(_ name: String, opts: Options) -> (median: Double, min: Double)? {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [opts.python, repo + "/tools/bench/engine_peer.py", "--config", name,
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
        print("  peer failed (status \(p.terminationStatus)); is torch installed for \(opts.python)?")
        return nil
    }
    return (ms, lo)
}

let opts = parseOptions()
EngineThreads.count = opts.threads
print("ftsh engine benchmark: full fine-tuning step (forward + backward + AdamW), \(opts.threads) threads, \(opts.steps) steps after 3 warm-up")
print("load average at start: " + ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?")
      + " (a busy machine slows both sides, PyTorch's spinning OpenMP threads most)")
for name in opts.configs {
    guard let shape = shapes[name] else { print("unknown config \(name)"); exit(2) }
    let c = shape.config
    print("\n\(name): L\(c.layers) H\(c.heads) C\(c.embedding) V\(c.vocabSize) T\(shape.t) B\(shape.b), \(c.parameterCount) parameters")
    do {
        let r = try timeOurs(shape, steps: opts.steps)
        print(String(format: "  ftsh    %9.1f ms/step median, %.1f min  (last step: fwd %.1f, bwd %.1f, adamw %.1f; %.0f CPU-ms/step)",
                     r.median, r.all.min()!, r.split.0, r.split.1, r.split.2, r.cpu))
        if opts.peer, let theirs = timePeer(name, opts: opts) {
            print(String(format: "  pytorch %9.1f ms/step median, %.1f min", theirs.median, theirs.min))
            print(String(format: "  ratio   %9.2f× of medians, %.2f× of minima (ftsh / pytorch; goal ≤ 0.80)",
                         r.median / theirs.median, r.all.min()! / theirs.min))
        }
    } catch {
        print("  failed: \(error)")
    }
}
