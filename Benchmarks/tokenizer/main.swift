// bench-tokenizer: token counting throughput, ftsh against tiktoken, measured in the same run.
//
//   swift run -c release --scratch-path .build-tok bench-tokenizer [--mb 50] [--runs 3] [--python python3]
//
// Generates a deterministic ~50 MB chat JSONL in the cache folder (not in the repository), counts
// the tokens of every message content single-threaded on both sides, checks the counts agree, and
// prints MB/s (10^6 bytes of message text per second) and the ratio. A second case times one
// 1 MB word (a single pre-tokenizer piece), where a quadratic merge would take minutes.
import FTCore
import FTTokenizer
import Foundation

struct Options {
    var megabytes = 50
    var runs = 3
    var python = "python3"
    var encodings = ProcessInfo.processInfo.environment["FTSH_ENCODINGS_DIR"]
        ?? URL(fileURLWithPath: #filePath + "/../../../../shared/encodings").standardizedFileURL.path
    var names = ["o200k_base", "cl100k_base"]
    /// Measure ftsh only (for profiling); no ratio is printed.
    var skipPeer = false

    init(_ args: [String]) {
        var i = 0
        while i < args.count {
            let v = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--mb": megabytes = Int(v) ?? megabytes; i += 1
            case "--runs": runs = max(1, Int(v) ?? runs); i += 1
            case "--python": python = v; i += 1
            case "--encodings": encodings = v; i += 1
            case "--names": names = v.split(separator: ",").map(String.init); i += 1
            case "--skip-peer": skipPeer = true
            default: FileHandle.standardError.write("unknown option \(args[i])\n".data(using: .utf8)!); exit(2)
            }
            i += 1
        }
    }
}

/// Wall-clock and this thread's CPU seconds. The machine may be shared, so ratios use CPU time
/// (what each side spent computing); wall-clock figures are printed beside them.
struct Stamp {
    var wall: Double
    var cpu: Double
    static func now() -> Stamp {
        var w = timespec(), c = timespec()
        clock_gettime(CLOCK_MONOTONIC, &w)
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c)
        return Stamp(wall: Double(w.tv_sec) + Double(w.tv_nsec) * 1e-9, cpu: Double(c.tv_sec) + Double(c.tv_nsec) * 1e-9)
    }
    static func - (a: Stamp, b: Stamp) -> Stamp { Stamp(wall: a.wall - b.wall, cpu: a.cpu - b.cpu) }
}

/// Runs `body` `runs` times; the run with the median CPU time.
func measure(_ runs: Int, _ body: () -> Int) -> (result: Int, time: Stamp) {
    var samples: [(Int, Stamp)] = []
    for _ in 0..<runs {
        let t0 = Stamp.now()
        let r = body()
        samples.append((r, Stamp.now() - t0))
    }
    samples.sort { $0.1.cpu < $1.1.cpu }
    return samples[samples.count / 2]
}

let opts = Options(Array(CommandLine.arguments.dropFirst()))
let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let cacheDir = Paths().cache + "/bench"
let corpusPath = cacheDir + "/chat-\(opts.megabytes)mb.jsonl"

do {
    try FileManager.default.createDirectory(atPath: cacheDir, withIntermediateDirectories: true)
    print("corpus: \(corpusPath)")
    try ChatCorpus.generate(at: corpusPath, targetBytes: opts.megabytes * 1_000_000, seed: 20_260_501)
    let texts = try ChatCorpus.contents(of: corpusPath)
    let textBytes = texts.reduce(0) { $0 + $1.utf8.count }
    var letters = [UInt8](repeating: 0, count: 1_000_000)
    for i in letters.indices { letters[i] = UInt8(97 + (i * 7919 + i / 3) % 26) }
    let longWord = String(decoding: letters, as: UTF8.self)
    print("texts: \(texts.count), message bytes: \(String(format: "%.2f", Double(textBytes) / 1e6)) MB")

    // The peer first, so both sides see the same machine load as far as possible.
    var theirs: [String: Value] = [:]
    if !opts.skipPeer {
    let peer = Process()
    peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    peer.arguments = [opts.python, repo + "/tools/bench/tokenizer_peer.py", "--jsonl", corpusPath,
                      "--encodings", opts.encodings, "--names", opts.names.joined(separator: ","),
                      "--runs", String(opts.runs)]
    let pipe = Pipe()
    peer.standardOutput = pipe
    try peer.run()
    let peerOut = pipe.fileHandleForReading.readDataToEndOfFile()
    peer.waitUntilExit()
    guard peer.terminationStatus == 0 else {
        print("error: the tiktoken peer failed (pip install tiktoken)"); exit(1)
    }
    for line in String(decoding: peerOut, as: UTF8.self).split(separator: "\n") {
        let v = try JSON.decode(String(line))
        theirs[(v["case"]?.stringValue ?? "") + "/" + (v["encoding"]?.stringValue ?? "")] = v
    }
    }

    var mismatches = 0
    print("")
    print("case         encoding        tokens   ftsh MB/s  tiktoken MB/s   ratio    (wall-clock: ftsh, tiktoken, ratio)")
    func row(_ label: String, _ name: String, _ tokens: Int, _ mb: Double, _ ours: Stamp, _ peer: Value?) {
        let theirTokens = peer?["tokens"]?.intValue
        let theirCPU = peer?["cpu_seconds"]?.numberValue ?? .nan
        let theirWall = peer?["seconds"]?.numberValue ?? .nan
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        var line = pad(label, 13) + pad(name, 12) + String(format: " %10d   %9.2f  %13.2f  %5.2fx    (%.2f, %.2f, %.2fx)",
                          tokens, mb / ours.cpu, mb / theirCPU,
                          theirCPU / ours.cpu, mb / ours.wall, mb / theirWall, theirWall / ours.wall)
        if let theirTokens, theirTokens != tokens {
            line += "  COUNT MISMATCH: tiktoken \(theirTokens)"
            mismatches += 1
        }
        print(line)
    }
    let chatMB = Double(textBytes) / 1e6
    for name in opts.names {
        let enc = try Encoding.load(named: name, searchPaths: [opts.encodings])
        _ = enc.count("warm up")
        let counted = measure(opts.runs) {
            var n = 0
            for t in texts { n += enc.count(t) }
            return n
        }
        row("chat count", name, counted.result, chatMB, counted.time, theirs["chat/" + name])
        // encode() builds the id arrays, as the data tools do; the peer figure is the same call.
        let encoded = measure(1) {
            var n = 0
            for t in texts { n += enc.encode(t).count }
            return n
        }
        if encoded.result != counted.result { mismatches += 1 }
        row("chat encode", name, encoded.result, chatMB, encoded.time, theirs["chat/" + name])
        let long = measure(1) { enc.count(longWord) }
        row("1 MB word", name, long.result, 1.0, long.time, theirs["long-word/" + name])
    }
    print("")
    print("single-threaded; MB = 10^6 bytes of UTF-8 text; chat count is the median of \(opts.runs) runs;")
    print("MB/s and ratio from each side's CPU time; the peer is tiktoken \(theirs.values.first?["version"]?.stringValue ?? "(skipped)")")
    if mismatches > 0 { print("error: token counts differ"); exit(1) }
    if !opts.skipPeer { print("token counts identical to tiktoken") }
} catch let d as Diagnostic {
    print("error: \(d)")
    exit(1)
}
