import FTCore
import Foundation

/// The text format of ftsh's history file. It is libedit's own (`_HiStOrY_V2_` on the first line,
/// then one entry per line with whitespace, backslashes and control characters written as
/// `\ooo` octal escapes), so one logical command — even one typed over several lines — is one
/// line of the file, and libedit's `H_LOAD` reads the file too. UTF-8 text stays as is.
public enum HistoryFormat {
    public static let header = "_HiStOrY_V2_"

    /// One entry as one line of the file, without the newline.
    public static func encode(_ entry: String) -> String {
        var out = ""
        out.reserveCapacity(entry.utf8.count)
        for scalar in entry.unicodeScalars {
            let v = scalar.value
            if v <= 0x20 || v == 0x7F || scalar == "\\" {
                out += octal(UInt8(v))
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        // An entry that reads exactly like the header would be skipped as one on loading.
        if out == header { out = octal(UInt8(ascii: "_")) + out.dropFirst() }
        return out
    }

    /// The entry one line of the file holds. Besides ftsh's octal escapes this understands the
    /// other forms of vis(3) encoding (`\\`, `\n`, `\s`, `\^A`, `\M-x`, `\M^X`) so a file saved by libedit
    /// itself reads the same. Bytes that are not UTF-8 become U+FFFD.
    public static func decode<Bytes: Collection<UInt8>>(_ line: Bytes) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(line.count)
        var i = line.startIndex
        func next() -> UInt8? {
            guard i < line.endIndex else { return nil }
            defer { i = line.index(after: i) }
            return line[i]
        }
        func peek() -> UInt8? { i < line.endIndex ? line[i] : nil }
        func isOctal(_ b: UInt8?) -> Bool { b.map { $0 >= 0x30 && $0 <= 0x37 } ?? false }
        func control(_ b: UInt8) -> UInt8 { b == UInt8(ascii: "?") ? 0x7F : b & 0x1F }

        while let b = next() {
            guard b == UInt8(ascii: "\\"), let e = next() else { bytes.append(b); continue }
            switch e {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(e - 0x30)
                for _ in 0..<2 where isOctal(peek()) { value = value * 8 + Int(next()! - 0x30) }
                bytes.append(UInt8(value & 0xFF))
            case UInt8(ascii: "^"):
                if let c = next() { bytes.append(control(c)) }
            case UInt8(ascii: "M"):
                // `\M-c` is c with the high bit set, `\M^c` (or `\M-^c`) a control character with it.
                guard let mark = peek(), mark == UInt8(ascii: "-") || mark == UInt8(ascii: "^") else {
                    bytes.append(e)
                    continue
                }
                _ = next()
                guard var c = next() else { continue }
                var isControl = mark == UInt8(ascii: "^")
                if !isControl && c == UInt8(ascii: "^"), let d = next() { c = d; isControl = true }
                bytes.append((isControl ? control(c) : c) | 0x80)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "s"): bytes.append(0x20)
            case UInt8(ascii: "a"): bytes.append(0x07)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "v"): bytes.append(0x0B)
            case UInt8(ascii: "e"), UInt8(ascii: "E"): bytes.append(0x1B)
            default: bytes.append(e)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// All entries of a file's bytes, oldest first. Header lines are skipped wherever they are:
    /// two sessions creating the file at the same moment may both have written one.
    public static func parse(_ data: some Sequence<UInt8>) -> [String] {
        var entries: [String] = []
        let headerBytes = Array(header.utf8)
        for line in Array(data).split(separator: 0x0A, omittingEmptySubsequences: true) {
            var body = line
            if body.last == 0x0D { body = body.dropLast() }
            if body.isEmpty || body.elementsEqual(headerBytes) { continue }
            entries.append(decode(body))
        }
        return entries
    }

    /// A whole file holding `entries`.
    public static func render(_ entries: [String]) -> String {
        var out = header + "\n"
        for entry in entries { out += encode(entry) + "\n" }
        return out
    }

    private static func octal(_ byte: UInt8) -> String {
        "\\" + String(byte >> 6) + String((byte >> 3) & 7) + String(byte & 7)
    }
}

/// The persistent history of interactive sessions. Each entry is appended to the file the moment
/// it is added, with one `write` on a descriptor opened in append mode, so a crash loses nothing
/// and two sessions running at once interleave their entries instead of overwriting each other's.
/// The file only grows while sessions run; `load` trims it back to `limit` entries at start-up.
public struct HistoryFile: Sendable {
    public var path: String
    public var limit: Int

    public init(path: String, limit: Int = 2000) {
        self.path = path
        self.limit = max(0, limit)
    }

    /// The newest `limit` entries, oldest first. A missing file is an empty history. When the file
    /// holds more than `limit` entries and `trim` is set, it is rewritten with just those.
    public func load(trim: Bool = true) throws(Diagnostic) -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .error("cannot read history file \(path)", id: "history.unreadable")
        }
        let all = HistoryFormat.parse(data)
        guard all.count > limit else { return all }
        let kept = Array(all.suffix(limit))
        if trim {
            try AtomicFile.write(HistoryFormat.render(kept), to: path, overwrite: true)
            chmod(path, 0o600)
        }
        return kept
    }

    /// Appends one entry, creating the file (mode 0600: commands may name private data) and its
    /// directory when needed.
    public func append(_ entry: String) throws(Diagnostic) {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw .error("cannot create directory \(dir) for the history file", id: "history.unwritable")
            }
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .error("cannot open history file \(path): \(String(cString: strerror(errno)))", id: "history.unwritable")
        }
        defer { close(fd) }
        var info = stat()
        let isEmpty = fstat(fd, &info) == 0 && info.st_size == 0
        let text = (isEmpty ? HistoryFormat.header + "\n" : "") + HistoryFormat.encode(entry) + "\n"
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw .error("cannot write history file \(path): \(String(cString: strerror(errno)))", id: "history.unwritable")
            }
            bytes = bytes.dropFirst(n)
        }
    }
}
