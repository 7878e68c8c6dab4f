import FTCore
import Foundation

/// Called after each window of batches with bytes done and bytes in total; the shell draws a
/// progress bar from it when stderr is a terminal.
public typealias ProgressHandler = @Sendable (_ done: Int64, _ total: Int64) -> Void

/// `data check`: every rule of `DataRules` over a file or a dataset, streamed and in parallel.
///
/// A file is read in batches of whole lines (`CheckOptions.batchBytes`); a window of
/// 2 × parallelism batches is analysed concurrently, one batch per task, and the results are
/// merged in file order, so memory stays near the window size plus a few dozen bytes per
/// example, whatever the file's size.
public enum DataCheck {
    public static func check(path: String, display: String? = nil, options: CheckOptions = CheckOptions(),
                             progress: ProgressHandler? = nil) throws -> CheckReport {
        try run(path: path, display: display ?? path, options: options, keepNodes: false, progress: progress).report
    }

    /// Checks a dataset held in the session. Locations name the dataset and count its examples
    /// as lines of the JSONL that `data save` would write (example 1 is line 1).
    public static func check(_ dataset: Dataset, options: CheckOptions = CheckOptions()) throws -> CheckReport {
        var opts = options
        if opts.format == nil { opts.format = dataset.format }
        var merger = CheckMerger(file: dataset.name, options: opts)
        let analyzer = LineAnalyzer(file: dataset.name, options: opts, tokenLimit: merger.tokenLimit, keepNodes: false)
        var batches: [LineBatch] = []
        var bytes: [UInt8] = []
        var first = 1
        var total: Int64 = 0
        for (i, e) in dataset.examples.enumerated() {
            bytes.append(contentsOf: e.node.encoded().utf8)
            bytes.append(0x0A)
            if bytes.count >= opts.batchBytes || i == dataset.examples.count - 1 {
                total += Int64(bytes.count)
                batches.append(LineBatch(firstLine: first, byteOffset: 0, bytes: bytes, overlong: nil))
                bytes = []
                first = i + 2
            }
        }
        for b in analyzeConcurrently(batches, analyzer: analyzer, parallelism: opts.parallelism) { merger.merge(b) }
        if opts.isInterrupted() { throw Interrupted() }
        return merger.finish(bytes: total)
    }

    struct Outcome {
        var report: CheckReport
        var records: [ExampleRecord]
        var nodes: [JSONNode]
        var hadBOM: Bool
        var wasArray: Bool
    }

    static func run(path: String, display: String, options: CheckOptions, keepNodes: Bool,
                    progress: ProgressHandler?) throws -> Outcome {
        let reader = try ChunkedLineReader(path: path, display: display, chunkSize: options.batchBytes,
                                           maxLineBytes: options.maxLineBytes)
        var merger = CheckMerger(file: display, options: options, keepRecords: keepNodes)
        let analyzer = LineAnalyzer(file: display, options: options, tokenLimit: merger.tokenLimit, keepNodes: keepNodes)
        var window: [LineBatch] = []
        var wasArray = false
        var checkedStart = false
        while let batch = try reader.next() {
            if reader.hadBOM && !checkedStart {
                merger.add(DataRules.finding("data.bom", "file starts with a UTF-8 byte order mark",
                                             at: SourceLocation(file: display, line: 1, column: 1)))
            }
            if !checkedStart, batch.overlong == nil {
                checkedStart = true
                if let k = batch.bytes.firstIndex(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A) }),
                   batch.bytes[k] == UInt8(ascii: "[") {
                    wasArray = true
                    break
                }
            }
            checkedStart = true
            window.append(batch)
            if window.count >= options.parallelism * 2 {
                for b in analyzeConcurrently(window, analyzer: analyzer, parallelism: options.parallelism) { merger.merge(b) }
                window.removeAll(keepingCapacity: true)
                progress?(reader.bytesRead, reader.totalBytes)
                if options.isInterrupted() { throw Interrupted() }
            }
        }
        if wasArray {
            try checkArrayFile(path: path, display: display, skipBOM: reader.hadBOM, analyzer: analyzer, merger: &merger)
        } else {
            for b in analyzeConcurrently(window, analyzer: analyzer, parallelism: options.parallelism) { merger.merge(b) }
        }
        progress?(reader.totalBytes, reader.totalBytes)
        let report = merger.finish(bytes: reader.totalBytes)
        return Outcome(report: report, records: merger.records, nodes: merger.nodes, hadBOM: reader.hadBOM, wasArray: wasArray)
    }

    /// A file holding one JSON array: flagged, then each element checked as if it were a line,
    /// located at its own line and column in the file.
    static func checkArrayFile(path: String, display: String, skipBOM: Bool, analyzer: LineAnalyzer,
                               merger: inout CheckMerger) throws {
        let limit = 512 * 1024 * 1024
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Diagnostic.error("cannot read \(display)", id: "data.unreadable")
        }
        var bytes = [UInt8](data)
        if skipBOM { bytes.removeFirst(3) }
        guard let open = bytes.firstIndex(of: UInt8(ascii: "[")) else { return }  // the file changed under us
        var lineAtOpen = 1
        for b in bytes[..<open] where b == 0x0A { lineAtOpen += 1 }
        let openLoc = SourceLocation(file: display, line: lineAtOpen, column: 1 + (bytes[..<open].lastIndex(of: 0x0A).map { open - $0 - 1 } ?? open))
        merger.add(DataRules.finding("data.json-array", "file is a JSON array; fine-tuning files hold one JSON object per line (JSONL)", at: openLoc))
        guard bytes.count <= limit else { return }
        var batch = BatchAnalysis()
        bytes.withUnsafeBufferPointer { p in
            if let bad = UTF8Check.firstInvalid(p) {
                var ctx = LineContext(file: display, line: 1, bytes: p)
                ctx.report("data.invalid-utf8", "invalid UTF-8 byte 0x\(String(p[bad], radix: 16, uppercase: true)); the file must be UTF-8", at: bad, end: bad + 1)
                batch.take(ctx)
                return
            }
            let root: JSONNode
            do throws(JSONLineParser.SyntaxError) {
                root = try JSONLineParser.parse(p)
            } catch {
                var ctx = LineContext(file: display, line: 1, bytes: p)
                ctx.report("data.invalid-json", error.message, at: error.offset)
                batch.take(ctx)
                return
            }
            var line = 1
            var lineStart = 0
            var scanned = 0
            for element in root.arrayValue ?? [] {
                while scanned < element.offset {
                    if p[scanned] == 0x0A { line += 1; lineStart = scanned + 1 }
                    scanned += 1
                }
                var ctx = LineContext(file: display, line: line, bytes: p, origin: lineStart)
                let exact = Fingerprint.exact(UnsafeBufferPointer(rebasing: p[element.offset..<element.end]))
                analyzer.analyzeExample(element, exact: exact, ctx: &ctx, into: &batch)
                batch.lines += 1
            }
        }
        merger.merge(batch)
    }

    static func analyzeConcurrently(_ batches: [LineBatch], analyzer: LineAnalyzer, parallelism: Int) -> [BatchAnalysis] {
        if parallelism <= 1 || batches.count <= 1 { return batches.map(analyzer.analyze) }
        let slots = Slots(count: batches.count)
        DispatchQueue.concurrentPerform(iterations: batches.count) { i in
            slots.set(i, analyzer.analyze(batches[i]))
        }
        return slots.values.map { $0! }
    }

    /// Results written by concurrent tasks, one slot each.
    private final class Slots: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [BatchAnalysis?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ v: BatchAnalysis) { lock.lock(); values[i] = v; lock.unlock() }
    }
}
