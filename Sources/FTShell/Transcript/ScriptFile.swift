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
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let body = bytes[start...]
        if let nul = body.firstIndex(of: 0) {
            throw .error("\(name) looks like a binary file (NUL byte), not an ftsh script", id: "syntax.binary",
                         at: location(of: nul, in: bytes, from: start, name: name))
        }
        let bad: Int? = bytes.withUnsafeBufferPointer { UTF8Check.firstInvalid(UnsafeBufferPointer(rebasing: $0[start...])) }
        if let bad {
            throw .error("invalid UTF-8 (byte 0x\(String(bytes[start + bad], radix: 16))); scripts must be UTF-8 text", id: "syntax.invalid-utf8",
                         at: location(of: start + bad, in: bytes, from: start, name: name))
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// Line and column (in characters) of a byte offset.
    static func location(of offset: Int, in bytes: [UInt8], from start: Int, name: String) -> SourceLocation {
        var line = 1, col = 1
        for b in bytes[start..<offset] {
            if b == 0x0A { line += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 }
        }
        return SourceLocation(file: name, line: line, column: col)
    }

}
