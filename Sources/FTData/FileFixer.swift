import FTCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `data check --fix` changed.
public struct FixReport: Sendable {
    public struct Change: Sendable {
        /// The rule the change answers (`data.crlf`, `data.duplicate`, …).
        public var id: String
        public var count: Int
        /// The first few input lines affected.
        public var lines: [Int]
        public var description: String
    }

    public var input: String
    public var output: String
    public var changes: [Change]
    /// False when nothing needed fixing (the output was not written).
    public var wrote: Bool
    public var linesIn: Int
    public var linesOut: Int

    public func toValue() -> Value {
        .record(Record([
            ("input", .string(input)), ("output", .string(output)), ("wrote", .bool(wrote)),
            ("lines_in", .int(linesIn)), ("lines_out", .int(linesOut)),
            ("changes", .list(changes.map { c in
                .record(Record([("id", .string(c.id)), ("count", .int(c.count)), ("lines", .list(c.lines.map { .int($0) })),
                                ("description", .string(c.description))]))
            })),
        ]))
    }
}

/// The safe remediations, applied while streaming the file to a temporary file that replaces
/// the output in one rename: remove a byte order mark, CRLF → LF, drop blank lines, turn a
/// JSON array into JSON Lines, trim whitespace around message texts, rename legacy preference
/// keys, and drop exact duplicate examples. Lines that are not valid JSON are copied unchanged:
/// fixing them needs a person.
public enum FileFixer {
    public static func fix(path: String, display: String? = nil, output: String? = nil, overwrite: Bool,
                           options: CheckOptions = CheckOptions()) throws -> FixReport {
        let shown = display ?? path
        let target = output ?? path
        if FileManager.default.fileExists(atPath: target) && !overwrite {
            throw Diagnostic.error("\(target) already exists; add --force to overwrite it", id: "io.exists")
        }
        let reader = try ChunkedLineReader(path: path, display: shown, chunkSize: options.batchBytes, maxLineBytes: options.maxLineBytes)
        var tally = Tally()
        let writer = try StreamingFileWriter(path: target)
        var seen = Set<UInt64>()
        var linesIn = 0, linesOut = 0
        func emit(_ bytes: [UInt8], line: Int) throws(Diagnostic) {
            let h = Fingerprint.exact(bytes)
            if !seen.insert(h).inserted { tally.note("data.duplicate", line, "dropped duplicate examples"); return }
            try writer.write(bytes)
            try writer.write([0x0A])
            linesOut += 1
        }
        do {
            var first = true
            var arrayMode = false
            while let batch = try reader.next() {
                if first {
                    first = false
                    if reader.hadBOM { tally.note("data.bom", 1, "removed the byte order mark") }
                    if batch.overlong == nil, let k = batch.bytes.firstIndex(where: { !Self.isSpace($0) }), batch.bytes[k] == UInt8(ascii: "[") {
                        arrayMode = true
                        break
                    }
                }
                if let long = batch.overlong {
                    throw Diagnostic.error("line \(long.line) is \(long.byteCount) bytes, over the limit; fix it by hand first", id: "data.line-too-long")
                }
                var line = batch.firstLine
                for raw in batch.bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast(batch.bytes.last == 0x0A ? 1 : 0) {
                    defer { line += 1 }
                    linesIn += 1
                    var bytes = Array(raw)
                    if bytes.last == 0x0D { bytes.removeLast(); tally.note("data.crlf", line, "converted CRLF line endings to LF") }
                    if bytes.allSatisfy(Self.isSpace) { tally.note("data.blank-line", line, "dropped blank lines"); continue }
                    try emit(fixed(bytes, line: line, tally: &tally), line: line)
                }
                if options.isInterrupted() { throw Interrupted() }
            }
            if arrayMode {
                guard var data = FileManager.default.contents(atPath: path).map({ [UInt8]($0) }) else {
                    throw Diagnostic.error("cannot read \(shown)", id: "data.unreadable")
                }
                if reader.hadBOM { data.removeFirst(3) }
                if data.withUnsafeBufferPointer({ UTF8Check.firstInvalid($0) }) != nil {
                    throw Diagnostic.error("\(shown) is not valid UTF-8; fix it by hand first", id: "data.invalid-utf8")
                }
                let root: JSONNode
                do { root = try JSONLineParser.parse(data) } catch {
                    throw Diagnostic.error("\(shown) starts like a JSON array but is not valid JSON: \(error.message); fix it by hand first",
                                           id: "data.invalid-json")
                }
                tally.note("data.json-array", 1, "converted the JSON array to JSON Lines")
                for (i, element) in (root.arrayValue ?? []).enumerated() {
                    linesIn += 1
                    var node = element
                    Self.fixNode(&node, line: i + 1, tally: &tally)
                    try emit(Array(node.encoded().utf8), line: i + 1)
                }
            }
            if tally.changes.isEmpty {
                writer.discard()
            } else {
                try writer.commit()
            }
        } catch {
            writer.discard()
            throw error
        }
        return FixReport(input: shown, output: target, changes: tally.changes, wrote: !tally.changes.isEmpty,
                         linesIn: linesIn, linesOut: linesOut)
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    /// The line with its example's texts trimmed and legacy keys renamed; unchanged bytes when
    /// there is nothing to do or the line is not a JSON object.
    static func fixed(_ bytes: [UInt8], line: Int, tally: inout Tally) -> [UInt8] {
        guard bytes.withUnsafeBufferPointer({ UTF8Check.firstInvalid($0) }) == nil,
              var node = try? JSONLineParser.parse(bytes), node.members != nil else { return bytes }
        return fixNode(&node, line: line, tally: &tally) ? Array(node.encoded().utf8) : bytes
    }

    @discardableResult
    static func fixNode(_ node: inout JSONNode, line: Int, tally: inout Tally) -> Bool {
        var changed = false
        let format = DataFormat.detect(node)
        if format == .chat || format == .preference {
            let n = Dataset.trimTexts(&node)
            if n > 0 { tally.note("data.whitespace", line, "trimmed whitespace around message texts", count: n); changed = true }
        }
        if format == .preference, Dataset.renameLegacyKeys(&node) > 0 {
            tally.note("data.legacy-preference-keys", line, "renamed preferred_completion/non_preferred_completion"); changed = true
        }
        return changed
    }

    struct Tally {
        var changes: [FixReport.Change] = []
        mutating func note(_ id: String, _ line: Int, _ description: String, count: Int = 1) {
            if let i = changes.firstIndex(where: { $0.id == id }) {
                changes[i].count += count
                if changes[i].lines.count < 10 && changes[i].lines.last != line { changes[i].lines.append(line) }
            } else {
                changes.append(FixReport.Change(id: id, count: count, lines: [line], description: description))
            }
        }
    }
}

/// Writes a file through a temporary sibling that is renamed over the target on `commit`,
/// so an interrupted write leaves the old file in place (FTCore's `AtomicFile` for data that
/// does not fit in memory).
final class StreamingFileWriter {
    let path: String
    let tmp: String
    private var fd: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws(Diagnostic) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 { throw .error("cannot write \(path): \(String(cString: strerror(errno)))", id: "io.write") }
    }

    func write(_ bytes: [UInt8]) throws(Diagnostic) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(Diagnostic) {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, buffer.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .error("cannot write \(path): \(String(cString: strerror(errno)))", id: "io.write")
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws(Diagnostic) {
        try flush()
        fsync(fd)
        close(fd)
        fd = -1
        if rename(tmp, path) != 0 {
            unlink(tmp)
            throw .error("cannot rename into \(path): \(String(cString: strerror(errno)))", id: "io.write")
        }
    }

    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(tmp)
    }

    deinit { if fd >= 0 { close(fd); unlink(tmp) } }
}
