// bench-datacheck: the whole `data check` of a ~50 MB chat JSONL against a Python script doing the
// cookbook notebook's validation with json + tiktoken (tools/bench/datacheck_peer.py), in one run.
//
//   swift run -c release --scratch-path .build-data bench-datacheck [--mb 50] [--runs 3] [--python python3]
//
// Both sides read the file, validate every example, count tokens with o200k_base (gpt-4o-mini) the
// cookbook's way, and compute the distributions, the default epochs and the billed tokens; the
// billed-token totals must agree. ftsh's check also does everything else it reports (columns,
// duplicates, every rule in DataRules). Figures are medians of the runs: wall-clock seconds (ftsh
// uses both cores, the peer is single-threaded as the notebook is, so a one-thread ftsh figure is
// printed too) and CPU seconds, which a busy shared machine disturbs less.
import FTCore
import FTData
import FTTokenizer
import Foundation

var megabytes = 50
var runs = 3
var python = "python3"
var encodings = ProcessInfo.processInfo.environment["FTSH_ENCODINGS_DIR"]
    ?? URL(fileURLWithPath: #filePath + "/../../../../shared/encodings").standardizedFileURL.path
/// Check this file instead of the generated corpus (e.g. a 1 GB file, to watch memory).
var file: String?
var skipPeer = false
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let flag = args.removeFirst()
    if flag == "--skip-peer" { skipPeer = true; continue }
    let value = args.isEmpty ? "" : args.removeFirst()
    switch flag {
    case "--mb": megabytes = Int(value) ?? megabytes
    case "--runs": runs = max(1, Int(value) ?? runs)
    case "--python": python = value
    case "--encodings": encodings = value
    case "--file": file = value
    default:
        FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
        exit(2)
    }
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

/// CPU seconds of the whole process (all threads), to see how much of a run was parallel.
func cpu() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
}

let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let cache = Paths().cache + "/bench"
let corpus = file ?? cache + "/datacheck-\(megabytes)mb.jsonl"
do {
    try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
    if file == nil { try Corpus.generate(at: corpus, targetBytes: megabytes * 1_000_000, seed: 20_261_126) }
    let size = (try FileManager.default.attributesOfItem(atPath: corpus)[.size] as? Int) ?? 0
    print("corpus: \(corpus) (\(size / 1_000_000) MB)")
    let enc = try Encoding.load(named: "o200k_base", searchPaths: [encodings])

    func ours(threads: Int, counting: Bool = true) throws -> (Double, Double, CheckReport) {
        var times: [Double] = []
        var last: CheckReport?
        var cpus: [Double] = []
        for _ in 0..<runs {
            let t0 = now(), c0 = cpu()
            last = try DataCheck.check(path: corpus, options: CheckOptions(model: "gpt-4o-mini-2024-07-18", counter: counting ? enc : nil, parallelism: threads))
            times.append(now() - t0)
            cpus.append(cpu() - c0)
        }
        print(String(format: "  ftsh, %d thread(s)%@: wall %.2f s, cpu %.2f s (median of %d)", threads,
                     counting ? "" : ", no token counting", median(times), median(cpus), runs))
        return (median(times), median(cpus), last!)
    }
    let (two, twoCPU, report) = try ours(threads: ProcessInfo.processInfo.activeProcessorCount)
    let (one, _, _) = try ours(threads: 1)
    _ = try ours(threads: 1, counting: false)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print("  peak resident memory: \(usage.ru_maxrss / 1024) MB (encoding tables included)")
    if skipPeer { exit(0) }

    let peer = Process()
    peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    peer.arguments = [python, repo + "/tools/bench/datacheck_peer.py", "--jsonl", corpus, "--encodings", encodings, "--runs", String(runs)]
    let pipe = Pipe()
    peer.standardOutput = pipe
    try peer.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    peer.waitUntilExit()
    guard peer.terminationStatus == 0, case .record(let r)? = try? JSON.decode(String(decoding: out, as: UTF8.self)) else {
        print("peer failed (status \(peer.terminationStatus)); is tiktoken installed for \(python)?")
        exit(1)
    }
    let theirs = r["seconds"]?.numberValue ?? .nan
    let theirsCPU = r["cpu_seconds"]?.numberValue ?? .nan
    let agree = r["billed_tokens"]?.intValue == report.billedTokens && r["examples"]?.intValue == report.examples
    print("examples \(report.examples), tokens \(report.tokens?.totalTokens ?? 0), billed \(report.billedTokens ?? 0) (peer \(r["billed_tokens"]?.intValue ?? -1)) \(agree ? "agree" : "DISAGREE")")
    print(String(format: "ftsh data check (%d threads): %.2f s", ProcessInfo.processInfo.activeProcessorCount, two))
    print(String(format: "ftsh data check (1 thread):  %.2f s", one))
    print(String(format: "python cookbook (json + tiktoken): %.2f s", theirs))
    print(String(format: "python cookbook CPU: %.2f s; ftsh CPU (all threads): %.2f s", theirsCPU, twoCPU))
    print(String(format: "ratio (wall): %.1fx (one thread: %.1fx); ratio (CPU): %.1fx", theirs / two, theirs / one, theirsCPU / twoCPU))
    if !agree { exit(1) }
} catch {
    print("bench-datacheck: \(error)")
    exit(1)
}
