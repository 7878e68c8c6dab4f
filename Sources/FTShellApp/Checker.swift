import Foundation
import FTCore
import FTShell
import FTPluginKit

/// `ftsh --check`: replays transcripts in a pinned environment and compares.
enum Checker {
    static func run(files: [String], update: Bool, base: SessionOptions) async -> Int32 {
        // Pin what varies between machines and runs.
        setenv("TZ", "UTC", 1)
        setenv("LANG", "C.UTF-8", 1)
        setenv("LC_ALL", "C.UTF-8", 1)
        setenv("NO_COLOR", "1", 1)
        let home = NSTemporaryDirectory() + "ftsh-check-\(getpid())"
        try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        var env = ProcessInfo.processInfo.environment
        for key in ["HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"] { env.removeValue(forKey: key) }
        env["HOME"] = home
        // Cached downloads (encodings, models) stay reachable from the real home.
        if env["FTSH_ENCODINGS_DIR"] == nil, let realHome = ProcessInfo.processInfo.environment["HOME"] {
            env["FTSH_ENCODINGS_DIR"] = realHome + "/.cache/ftsh/encodings"
            setenv("FTSH_ENCODINGS_DIR", realHome + "/.cache/ftsh/encodings", 1)
        }
        setenv("HOME", home, 1)

        let cwd = FileManager.default.currentDirectoryPath
        var failed = 0
        var total = 0
        let registry = CommandLineApp.makeRegistry(environment: env)
        for file in files {
            let path = resolvePath(file, relativeTo: cwd)
            let text: String
            do { text = try ScriptFile.read(path, shownAs: file) } catch {
                FileHandle.standardError.write(Data((DiagnosticPrinter.plain.format(error) + "\n").utf8))
                failed += 1
                continue
            }
            var options = base
            options.checkMode = true
            options.interactive = false
            options.color = false
            options.environment = env
            options.keepGoing = true
            var result = await checkOnce(text, path: path, file: file, registry: registry, options: options)
            // Expectations may mention line numbers, which move when expectation lines are
            // added; a second pass over the rewritten text settles them.
            if update, !result.passed {
                for _ in 0..<2 {
                    let again = await checkOnce(result.updatedText, path: path, file: file, registry: registry, options: options)
                    if again.passed { break }
                    result.updatedText = again.updatedText
                }
            }
            total += 1
            if result.passed {
                print("ok    \(file) (\(result.commands) commands)")
            } else if update && !result.unparsable {
                do {
                    try AtomicFile.write(result.updatedText, to: path, overwrite: true)
                    print("updated \(file) (\(result.mismatches.count) of \(result.commands) commands changed)")
                } catch {
                    FileHandle.standardError.write(Data((DiagnosticPrinter.plain.format(error) + "\n").utf8))
                    failed += 1
                }
            } else {
                failed += 1
                print("FAIL  \(file) (\(result.mismatches.count) of \(result.commands) commands differ)")
                print(result.report())
            }
        }
        print("\(total - failed) passed, \(failed) failed")
        return failed == 0 ? 0 : 1
    }

    /// One replay in a fresh session, from the transcript's own folder.
    static func checkOnce(_ text: String, path: String, file: String, registry: PluginRegistry,
                          options: SessionOptions) async -> TranscriptResult {
        let cwd = FileManager.default.currentDirectoryPath
        let session = Session(registry: registry, output: Output(passThrough: false, isTerminal: false), options: options)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        session.workingDirectory = dir
        session.scriptPath = path
        _ = FileManager.default.changeCurrentDirectoryPath(dir)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        return await Transcript.check(text, file: URL(fileURLWithPath: file).lastPathComponent, session: session)
    }
}
