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

extension Paths {
    /// Folders holding ftsh's shared files (sample data, lessons, the bundled model), in the
    /// order they are searched: `$FTSH_SHARE_DIR`; `share/ftsh` beside an installed binary
    /// (`PREFIX/bin/ftsh` → `PREFIX/share/ftsh`); the `share` folder of the source tree the
    /// binary was built in (`.build/debug/ftsh` → `share`).
    public static func shareDirectories(environment env: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var dirs: [String] = []
        if let d = env["FTSH_SHARE_DIR"], !d.isEmpty { dirs.append(d) }
        let exe = executable
        var dir = exe.deletingLastPathComponent()
        let installed = dir.deletingLastPathComponent().appendingPathComponent("share/ftsh").path
        if FileManager.default.fileExists(atPath: installed) { dirs.append(installed) }
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                dirs.append(dir.appendingPathComponent("share").path)
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        return dirs
    }

    /// The running program, as an absolute path that a later `cd` cannot change
    /// (`/proc/self/exe` on Linux; argv[0] resolved at first use elsewhere).
    public static let executable: URL = {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: target)
        }
        return URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
    }()

    /// The first `relative` path that exists under a share directory.
    public static func shareFile(_ relative: String, environment env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for d in shareDirectories(environment: env) {
            let p = d + "/" + relative
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }
}
