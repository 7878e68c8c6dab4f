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
            default: FileHandle.standardError.write("unknown option \(args[i])\n".data(using: .utf8)!); exit(2)
            }
            i += 1
        }
    }
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

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
    var theirs: [String: Value] = [:]
    for line in String(decoding: peerOut, as: UTF8.self).split(separator: "\n") {
        let v = try JSON.decode(String(line))
        theirs[(v["case"]?.stringValue ?? "") + "/" + (v["encoding"]?.stringValue ?? "")] = v
    }

    var mismatches = 0
    print("")
    print("case        encoding      tokens        ftsh MB/s   tiktoken MB/s   ratio")
    for name in opts.names {
        let enc = try Encoding.load(named: name, searchPaths: [opts.encodings])
        _ = enc.count("warm up")
        var times: [Double] = []
        var total = 0
        for _ in 0..<opts.runs {
            let t0 = now()
            var n = 0
            for t in texts { n += enc.count(t) }
            times.append(now() - t0)
            total = n
        }
        // encode() builds the id arrays: reported too, as the data tools use it.
        let t1 = now()
        var encoded = 0
        for t in texts { encoded += enc.encode(t).count }
        let encodeSeconds = now() - t1

        let t2 = now()
        let longCount = enc.count(longWord)
        let longSeconds = now() - t2

        let peerChat = theirs["chat/" + name]
        let peerLong = theirs["long-word/" + name]
        let peerTokens = peerChat?["tokens"]?.intValue ?? -1
        let peerSeconds = peerChat?["seconds"]?.numberValue ?? .nan
        let ours = Double(textBytes) / 1e6 / median(times)
        let their = Double(textBytes) / 1e6 / peerSeconds
        if total != peerTokens || encoded != total { mismatches += 1 }
        print(String(format: "chat count  %-12@ %10d   %9.2f   %13.2f   %5.2fx%@", name as NSString, total, ours, their,
                     ours / their, (total == peerTokens ? "" : "  COUNT MISMATCH (tiktoken \(peerTokens))") as NSString))
        print(String(format: "chat encode %-12@ %10d   %9.2f   %13@   %5.2fx", name as NSString, encoded,
                     Double(textBytes) / 1e6 / encodeSeconds, "(same)" as NSString,
                     Double(textBytes) / 1e6 / encodeSeconds / their))
        let peerLongTokens = peerLong?["tokens"]?.intValue ?? -1
        let peerLongSeconds = peerLong?["seconds"]?.numberValue ?? .nan
        if longCount != peerLongTokens { mismatches += 1 }
        print(String(format: "1MB word    %-12@ %10d   %9.2f   %13.2f   %5.2fx%@", name as NSString, longCount,
                     1.0 / longSeconds, 1.0 / peerLongSeconds, peerLongSeconds / longSeconds,
                     (longCount == peerLongTokens ? "" : "  COUNT MISMATCH (tiktoken \(peerLongTokens))") as NSString))
    }
    print("")
    print("single-threaded; medians of \(opts.runs) runs for chat count; MB = 10^6 bytes of UTF-8 message text")
    if mismatches > 0 { print("error: token counts differ from tiktoken"); exit(1) }
    print("token counts identical to tiktoken")
} catch let d as Diagnostic {
    print("error: \(d)")
    exit(1)
}
