import Foundation

/// File writes that never leave a half-written file: write a temporary file beside the target,
/// flush it, then rename over the target in one step. An interrupt or a crash leaves either the
/// old file or the new one.
public enum AtomicFile {
    /// Writes `data` to `path`. Refuses to replace an existing file unless `overwrite` is set.
    public static func write(_ data: Data, to path: String, overwrite: Bool) throws(Diagnostic) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { throw .error("\(path) is a directory", id: "io.is-directory") }
            if !overwrite {
                throw .error("\(path) already exists; add --force to overwrite it", id: "io.exists")
            }
        }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        if !fm.fileExists(atPath: dir) {
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw .error("cannot create directory \(dir): \(error.localizedDescription)", id: "io.write")
            }
        }
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard fm.createFile(atPath: tmp, contents: nil) else {
            throw .error("cannot write \(path): permission denied or no space", id: "io.write")
        }
        do {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
            try h.write(contentsOf: data)
            try h.synchronize()
            try h.close()
            if rename(tmp, path) != 0 {
                throw Diagnostic.error("cannot rename into \(path): \(String(cString: strerror(errno)))", id: "io.write")
            }
        } catch {
            try? fm.removeItem(atPath: tmp)
            if let d = error as? Diagnostic { throw d }
            throw .error("cannot write \(path): \(error.localizedDescription)", id: "io.write")
        }
    }

    public static func write(_ text: String, to path: String, overwrite: Bool) throws(Diagnostic) {
        try write(Data(text.utf8), to: path, overwrite: overwrite)
    }
}

/// Where ftsh keeps its files, following the XDG base directory rules.
public struct Paths: Sendable {
    public var config: String
    public var state: String
    public var cache: String

    public init(environment env: [String: String] = ProcessInfo.processInfo.environment) {
        let home = env["HOME"] ?? NSHomeDirectory()
        func dir(_ variable: String, _ fallback: String) -> String {
            if let v = env[variable], v.hasPrefix("/") { return v + "/ftsh" }
            return home + "/" + fallback + "/ftsh"
        }
        config = dir("XDG_CONFIG_HOME", ".config")
        state = dir("XDG_STATE_HOME", ".local/state")
        cache = dir("XDG_CACHE_HOME", ".cache")
    }

    public var rcFile: String { config + "/ftshrc" }
    public var historyFile: String { state + "/history" }
}

/// Resolves a user-given path against a working directory, expanding a leading `~`.
public func resolvePath(_ path: String, relativeTo cwd: String) -> String {
    var p = path
    if p == "~" || p.hasPrefix("~/") {
        p = (ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()) + p.dropFirst()
    }
    if p.hasPrefix("/") { return p }
    return URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path
}
