import FTCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run of whole lines cut from a file, or the record of one line too long to keep.
struct LineBatch: Sendable {
    /// 1-based number of the first line in `bytes`.
    var firstLine: Int
    /// File offset of `bytes[0]`.
    var byteOffset: Int64
    /// Whole lines, each ending in LF except possibly the file's last.
    var bytes: [UInt8]
    /// Set instead of `bytes` for a line longer than the reader's limit, which is skipped
    /// without being held in memory.
    var overlong: OverlongLine?
}

struct OverlongLine: Sendable {
    var line: Int
    var byteCount: Int64
}

/// Reads a file in large chunks and hands out batches of whole lines, so a 1 GB file is checked
/// in a few megabytes of memory. It never holds more than one chunk plus one (limited) line.
final class ChunkedLineReader {
    let path: String
    let totalBytes: Int64
    let maxLineBytes: Int
    private let chunkSize: Int
    private var fd: Int32
    private var carry: [UInt8] = []
    private var carryOffset: Int64 = 0
    private var nextLine = 1
    private var atEOF = false
    private(set) var bytesRead: Int64 = 0
    /// True when the file began with a UTF-8 byte order mark (removed from the first line).
    private(set) var hadBOM = false
    private var first = true

    /// Opens `path`, turning the usual ways a path can be wrong into findings.
    init(path: String, display: String, chunkSize: Int = 4 << 20, maxLineBytes: Int) throws(Diagnostic) {
        let size = try Self.regularFileSize(path, display: display)
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            throw .error("cannot read \(display): \(String(cString: strerror(errno)))", id: "data.unreadable")
        }
        self.fd = fd
        self.path = path
        self.totalBytes = size
        self.chunkSize = chunkSize
        self.maxLineBytes = maxLineBytes
    }

    /// The size of the file at `path`, or a finding saying why it cannot be read as data.
    static func regularFileSize(_ path: String, display: String) throws(Diagnostic) -> Int64 {
        var st = stat()
        if stat(path, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR {
                throw .error("no such file: \(display)", id: "data.missing-file")
            }
            throw .error("cannot read \(display): \(String(cString: strerror(errno)))", id: "data.unreadable")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw .error("\(display) is a directory; expected a JSONL, CSV or TSV file", id: "data.is-directory")
        }
        return Int64(st.st_size)
    }

    deinit { if fd >= 0 { close(fd) } }

    private lazy var scratch = [UInt8](repeating: 0, count: chunkSize)

    /// Appends up to one chunk to `buf`; returns the number of bytes read (0 at end of file).
    private func readChunk(into buf: inout [UInt8]) throws(Diagnostic) -> Int {
        while true {
            let n = scratch.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress!, chunkSize) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                throw .error("read error in \(path): \(String(cString: strerror(errno)))", id: "data.unreadable")
            }
            scratch.withUnsafeBufferPointer { p in buf.append(contentsOf: UnsafeBufferPointer(rebasing: p[0..<n])) }
            bytesRead += Int64(n)
            return n
        }
    }

    func next() throws(Diagnostic) -> LineBatch? {
        if atEOF && carry.isEmpty { return nil }
        var buf = carry
        carry = []
        while true {
            let scannedUpTo = buf.count
            let n = atEOF ? 0 : try readChunk(into: &buf)
            if first && buf.count >= 3 {
                first = false
                if buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF {
                    hadBOM = true
                    buf.removeFirst(3)
                    carryOffset += 3
                }
            }
            if n == 0 {
                atEOF = true
                first = false
                guard !buf.isEmpty else { return nil }
                return emit(buf)
            }
            if let k = lastNewline(in: buf, from: scannedUpTo) {
                let rest = Array(buf[(k + 1)...])
                buf.removeSubrange((k + 1)...)
                let batch = emit(buf)
                carry = rest
                return batch
            }
            if buf.count > maxLineBytes {
                return try skipOverlong(already: buf.count)
            }
        }
    }

    private func emit(_ bytes: [UInt8]) -> LineBatch {
        let offset = carryOffset
        let batch = LineBatch(firstLine: nextLine, byteOffset: offset, bytes: bytes, overlong: nil)
        var lines = 0
        bytes.withUnsafeBufferPointer { p in
            guard var q = UnsafeRawPointer(p.baseAddress) else { return }
            var left = p.count
            while left > 0, let hit = memchr(q, 0x0A, left) {
                lines += 1
                let h = UnsafeRawPointer(hit)
                left -= (h - q) + 1
                q = h + 1
            }
            if left > 0 { lines += 1 }
        }
        nextLine += lines
        carryOffset = offset + Int64(bytes.count)
        return batch
    }

    /// Discards the rest of a line that is over the limit, keeping only its length.
    private func skipOverlong(already: Int) throws(Diagnostic) -> LineBatch {
        let line = nextLine
        let start = carryOffset
        var total = Int64(already)
        var buf: [UInt8] = []
        while true {
            buf.removeAll(keepingCapacity: true)
            let n = try readChunk(into: &buf)
            if n == 0 {
                atEOF = true
                carry = []
                break
            }
            let hit: Int? = buf.withUnsafeBytes { raw in
                memchr(raw.baseAddress!, 0x0A, raw.count).map { UnsafeRawPointer($0) - raw.baseAddress! }
            }
            if let k = hit {
                total += Int64(k + 1)
                carry = Array(buf[(k + 1)...])
                break
            }
            total += Int64(n)
        }
        nextLine += 1
        carryOffset = start + total
        return LineBatch(firstLine: line, byteOffset: start, bytes: [],
                         overlong: OverlongLine(line: line, byteCount: total))
    }

    private func lastNewline(in buf: [UInt8], from: Int) -> Int? {
        buf.withUnsafeBufferPointer { p -> Int? in
            var k = p.count - 1
            while k >= from {
                if p[k] == 0x0A { return k }
                k -= 1
            }
            return nil
        }
    }
}
