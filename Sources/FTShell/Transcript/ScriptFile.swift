import Foundation
import FTCore

/// Reading script files defensively: a binary file, invalid UTF-8 or a directory gives a
/// located error instead of garbage commands.
public enum ScriptFile {
    public static let maxSize = 64 << 20

    public static func read(_ path: String, shownAs name: String) throws(Diagnostic) -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw .error("no such file: \(name)", id: "io.not-found")
        }
        if isDir.boolValue { throw .error("\(name) is a directory, not a script", id: "io.is-directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .error("cannot read \(name): permission denied", id: "io.read")
        }
        if data.count > maxSize { throw .error("\(name) is larger than 64 MiB; not a script", id: "syntax.too-large", exitStatus: .usage) }
        return try decode(Array(data), name: name)
    }

    /// UTF-8 text, or an error at the first NUL byte (a binary file) or invalid sequence.
    public static func decode(_ bytes: [UInt8], name: String) throws(Diagnostic) -> String {
        var line = 1, col = 1
        var i = 0
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; start = 3 }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0 {
                throw .error("\(name) looks like a binary file (NUL byte), not an ftsh script", id: "syntax.binary",
                             at: SourceLocation(file: name, line: line, column: col))
            }
            if b == 0x0A { line += 1; col = 1; i += 1; continue }
            if b < 0x80 { col += 1; i += 1; continue }
            let n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0
            var ok = n > 0 && b < 0xF5 && i + n <= bytes.count
            if ok { for k in 1..<n where bytes[i + k] & 0xC0 != 0x80 { ok = false } }
            if ok && n == 3 {
                let c = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6)
                ok = c >= 0x800 && !(c >= 0xD800 && c < 0xE000)
            }
            if ok && n == 4 {
                let c = (UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12)
                ok = c >= 0x10000 && c <= 0x10FFFF
            }
            guard ok else {
                throw .error("invalid UTF-8 (byte 0x\(String(b, radix: 16))); scripts must be UTF-8 text", id: "syntax.invalid-utf8",
                             at: SourceLocation(file: name, line: line, column: col))
            }
            col += 1
            i += n
        }
        return String(decoding: bytes[start...], as: UTF8.self)
    }
}
