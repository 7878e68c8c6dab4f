import Foundation
import FTCore
import FTPluginKit

/// The shell's own commands, declared like any plugin's.
public enum Builtins {
    public static func plugin() -> Plugin {
        Plugin(name: "shell", summary: "The language and the session.", commands:
            language + session + workspace + [help, plugins, exit])
    }

    /// Builtins need the whole session, not just the plugin-facing context.
    static func session(_ ctx: CommandContext) -> Session { ctx as! Session }

    static let language: [CommandSpec] = [
        CommandSpec(["set"], summary: "Give a variable a value or a command's result.",
                    discussion: "The right side is a command when it starts with a command name, otherwise an expression: numbers, \"text\", [lists], {records}, $variables, arithmetic and comparisons. A single bare word is text.",
                    arguments: [ArgumentSpec("name", "Variable name.", completion: .variable),
                                ArgumentSpec("value", "= followed by a value or a command.", variadic: true)],
                    examples: ["set n = 10", "set ds = data load share/data/qa-en.jsonl", "set half = $n / 2", "set lang = ko"],
                    isSyntax: true),
        CommandSpec(["if"], summary: "Run a block when a condition holds.",
                    discussion: "Conditions use == != < <= > >= contains matches, and/or/not, arithmetic. null, false, 0, \"\" and empty lists are false.",
                    arguments: [ArgumentSpec("condition", "An expression, then { block } [else { block }].", variadic: true)],
                    examples: ["if $n > 5 { echo big } else { echo small }"], isSyntax: true),
        CommandSpec(["for"], summary: "Run a block for each item of a list.",
                    arguments: [ArgumentSpec("variable", "Loop variable, then 'in LIST { block }'.", variadic: true)],
                    examples: ["for x in [1, 2, 3] { echo $x }", "for i in 3 { echo step $i }"], isSyntax: true),
        CommandSpec(["assert"], summary: "Stop with an error unless a condition holds.",
                    arguments: [ArgumentSpec("condition", "An expression, optionally followed by , MESSAGE.", variadic: true)],
                    examples: ["assert $ds.examples >= 10, \"too few examples\""], isSyntax: true),
        CommandSpec(["echo"], summary: "Print words, with $variables substituted.",
                    arguments: [ArgumentSpec("words", "What to print.", type: .value, completion: .file(extensions: []),
                                             optional: true, variadic: true)],
                    examples: ["echo hello $name", "echo \"total: ${n} examples\""]) { inv, _ in
            let words = inv["words"].listValue ?? []
            if words.count == 1 { return words[0].stringValue.map { .string($0) } ?? words[0] }
            return .string(words.map(\.text).joined(separator: " "))
        },
        CommandSpec(["unset"], summary: "Forget variables.",
                    arguments: [ArgumentSpec("names", "Variables to remove.", completion: .variable, variadic: true)],
                    examples: ["unset ds n"]) { inv, ctx in
            let s = session(ctx)
            for (k, name) in (inv["names"].listValue ?? []).enumerated() where !s.removeVariable(name.text) {
                _ = k
                throw inv.error("unknown variable $\(name.text)", id: "shell.unknown-variable", at: "names")
            }
            return .null
        },
        CommandSpec(["vars"], summary: "List the session's variables.",
                    examples: ["vars", "vars --json"]) { _, ctx in
            let s = session(ctx)
            let rows = s.variables.keys.sorted().filter { $0 != "_" }.map { name -> Value in
                let v = s.variables[name]!
                return .record(["name": .string(name), "type": .string(v.typeName), "value": .string(TextWidth.truncate(Render.cell(v), to: 50))])
            }
            return .list(rows)
        },
        CommandSpec(["source"], summary: "Run the commands of a .ftsh file in this session.",
                    discussion: "Relative paths inside the sourced file resolve against the session's working directory; `source` itself resolves FILE relative to the file that calls it.",
                    arguments: [ArgumentSpec("file", "Script to run.", type: .path, completion: .file(extensions: ["ftsh"]))],
                    examples: ["source scripts/setup.ftsh"]) { inv, ctx in
            let s = session(ctx)
            let base = s.sourceStack.last.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? s.workingDirectory
            let path = resolvePath(inv.string("file")!, relativeTo: base)
            guard !s.sourceStack.contains(path) else {
                throw inv.error("\(inv.string("file")!) is already being sourced (a file cannot source itself)", id: "shell.source-loop", at: "file")
            }
            let text = try ScriptFile.read(path, shownAs: inv.string("file")!)
            s.sourceStack.append(path)
            let outer = s.scriptPath
            s.scriptPath = path
            defer { s.sourceStack.removeLast(); s.scriptPath = outer }
            let status = await s.run(source: text, file: inv.string("file")!)
            if status != .ok {
                throw Diagnostic(.error, "\(inv.string("file")!) stopped with status \(status.rawValue)", id: "shell.source-failed",
                                 exitStatus: status)
            }
            return .null
        },
        CommandSpec(["seed"], summary: "Show or set the seed of the session's random generator.",
                    discussion: "Every random draw in ftsh — data splits, weight initialisation, dropout, sampling — comes from one xoshiro256** generator seeded here, so a script gives the same results on every machine.",
                    arguments: [ArgumentSpec("n", "New seed (a non-negative integer).", type: .int, optional: true)],
                    examples: ["seed", "seed 42"]) { inv, ctx in
            let s = session(ctx)
            if let n = inv.int("n") {
                guard n >= 0 else { throw inv.error("expected a non-negative seed", id: "usage.bad-argument", at: "n") }
                s.reseed(UInt64(n))
                return .null
            }
            return .number(Double(s.options.seed))
        },
        CommandSpec(["alias"], summary: "Name a command line, or list aliases.",
                    arguments: [ArgumentSpec("name", "Alias name.", optional: true),
                                ArgumentSpec("expansion", "= then the command it stands for.", type: .value, optional: true, variadic: true)],
                    examples: ["alias", "alias ll = ls --long", "alias chk = data check"]) { inv, ctx in
            let s = session(ctx)
            guard let name = inv.string("name") else {
                return .list(s.aliases.keys.sorted().map { .record(["alias": .string($0), "command": .string(s.aliases[$0]!)]) })
            }
            var rest = (inv["expansion"].listValue ?? []).map(\.text)
            if rest.first == "=" { rest.removeFirst() }
            if rest.isEmpty {
                guard let text = s.aliases[name] else { throw inv.error("unknown alias '\(name)'", id: "shell.unknown-alias", at: "name") }
                return .string(text)
            }
            guard Parser.isIdentifierStart(name.unicodeScalars.first!),
                  name.unicodeScalars.allSatisfy({ Parser.isIdentifierChar($0) || $0 == "-" }) else {
                throw inv.error("alias names are letters, digits, _ and -", id: "usage.bad-argument", at: "name")
            }
            if s.registry.command(named: name) != nil {
                throw inv.error("'\(name)' is a command; an alias cannot replace it", id: "usage.bad-alias", at: "name")
            }
            // One quoted word is kept as written, so `alias hi = 'echo $name'` reads $name
            // when the alias runs, not when it is defined.
            s.aliases[name] = rest.count == 1 ? rest[0] : rest.map(quoteWord).joined(separator: " ")
            return .null
        },
    ]

    /// Quotes a word so it reads back as the same word.
    static func quoteWord(_ w: String) -> String {
        if !w.isEmpty, w.unicodeScalars.allSatisfy({ !Parser.endsWord($0) && !"'\"\\$#".unicodeScalars.contains($0) }) { return w }
        return "'" + w.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static let session: [CommandSpec] = [
        CommandSpec(["history"], summary: "List the commands typed in this and earlier sessions.",
                    arguments: [ArgumentSpec("n", "Show only the last N.", type: .int, optional: true)],
                    examples: ["history", "history 20"]) { inv, ctx in
            let entries = session(ctx).historyEntries()
            let n = inv.int("n") ?? entries.count
            let start = max(0, entries.count - max(0, n))
            return .list(entries.indices.dropFirst(start).map { .record(["n": .int($0 + 1), "command": .string(entries[$0])]) })
        },
        CommandSpec(["record", "start"], summary: "Start writing this session to a .ftsh transcript.",
                    discussion: "Each command you type is written with its output as #=> lines, its errors as #!> lines and a non-zero status as #? N, so `ftsh --check FILE` can replay and verify it later.",
                    arguments: [ArgumentSpec("file", "Transcript to write.", type: .path, completion: .file(extensions: ["ftsh"]))],
                    flags: [FlagSpec("force", "Replace the file if it exists.")],
                    examples: ["record start lesson.ftsh"]) { inv, ctx in
            let s = session(ctx)
            if let r = s.recorder { throw inv.error("already recording to \(r.displayPath); 'record stop' first", id: "shell.recording") }
            let path = s.resolve(inv.string("file")!)
            let recorder = Recorder(path: path, displayPath: inv.string("file")!, seed: s.options.seed)
            try recorder.start(overwrite: inv.flag("force"))
            s.recorder = recorder
            return .string("recording to \(inv.string("file")!)")
        },
        CommandSpec(["record", "stop"], summary: "Stop recording and close the transcript.",
                    examples: ["record stop"]) { inv, ctx in
            let s = session(ctx)
            guard let r = s.recorder else { throw inv.error("not recording", id: "shell.not-recording") }
            s.recorder = nil
            return .string("wrote \(r.commandCount) commands to \(r.displayPath)")
        },
        CommandSpec(["record", "status"], summary: "Say whether and where the session is being recorded.",
                    examples: ["record status"]) { _, ctx in
            guard let r = session(ctx).recorder else { return .record(["recording": false]) }
            return .record(["recording": true, "file": .string(r.displayPath), "commands": .int(r.commandCount)])
        },
        CommandSpec(["sleep"], summary: "Wait for a number of seconds (Ctrl-C stops the wait).",
                    arguments: [ArgumentSpec("seconds", "How long to wait.", type: .number)],
                    examples: ["sleep 0.5"]) { inv, ctx in
            let seconds = inv.number("seconds")!
            guard seconds >= 0, seconds <= 86_400 else {
                throw inv.error("expected 0 to 86400 seconds", id: "usage.bad-argument", at: "seconds")
            }
            // Frozen clocks (check mode) make waiting pointless: the transcript is the same.
            if ctx.clock.isFrozen { return .null }
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                try Interrupt.check("sleep stopped")
                try await Task.sleep(nanoseconds: UInt64(min(0.05, end.timeIntervalSinceNow).clamped() * 1e9))
            }
            return .null
        },
        CommandSpec(["cd"], summary: "Change the working directory.",
                    arguments: [ArgumentSpec("dir", "Directory (default: home).", type: .path, completion: .directory, optional: true)],
                    examples: ["cd share/data", "cd"]) { inv, ctx in
            let s = session(ctx)
            let target = s.resolve(inv.string("dir") ?? "~")
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue else {
                throw inv.error("no such directory: \(inv.string("dir") ?? target)", id: "io.not-found", at: "dir")
            }
            s.workingDirectory = target
            _ = FileManager.default.changeCurrentDirectoryPath(target)
            return .null
        },
        CommandSpec(["pwd"], summary: "Print the working directory.", examples: ["pwd"]) { _, ctx in
            .string(ctx.workingDirectory)
        },
    ]

    static let workspace: [CommandSpec] = [
        CommandSpec(["ls"], summary: "List workspace objects (datasets, models, runs, jobs, files).",
                    arguments: [ArgumentSpec("kind", "Only objects of this kind.", optional: true)],
                    examples: ["ls", "ls dataset"]) { inv, ctx in
            let w = ctx.workspace
            let rows = w.names(kind: inv.string("kind")).compactMap { w.handle($0) }
            return .list(rows.map { v -> Value in
                let ref = v.objectValue!
                var r: Record = ["name": .string(ref.name), "kind": .string(ref.kind)]
                r["summary"] = .string(ref.summary.prefix(3).map { "\($0.key)=\(Render.cell($0.value))" }.joined(separator: " "))
                return .record(r)
            })
        },
        CommandSpec(["show"], summary: "Show a workspace object or a variable.",
                    arguments: [ArgumentSpec("name", "Object name or $variable.", type: .value, completion: .object(kind: nil))],
                    examples: ["show support", "show $ds"]) { inv, ctx in
            let v = inv["name"]
            if case .object(let ref) = v, let h = ctx.workspace.handle(ref.name) { return h }
            if case .string(let name) = v {
                if let h = ctx.workspace.handle(name) { return h }
                throw inv.error("no workspace object named '\(name)'", id: "shell.unknown-object", at: "name",
                                notes: Spelling.nearest(to: name, in: ctx.workspace.names()).map { ["did you mean '\($0)'?"] } ?? [])
            }
            return v
        },
        CommandSpec(["drop"], summary: "Remove objects from the workspace (files on disk stay).",
                    arguments: [ArgumentSpec("names", "Objects to drop.", type: .value, completion: .object(kind: nil), variadic: true)],
                    examples: ["drop support"]) { inv, ctx in
            for v in inv["names"].listValue ?? [] {
                let name = v.objectValue?.name ?? v.text
                guard ctx.workspace.remove(name) else {
                    throw inv.error("no workspace object named '\(name)'", id: "shell.unknown-object", at: "names")
                }
            }
            return .null
        },
    ]

    static let help = CommandSpec(["help"], summary: "Show commands, or one command's usage, flags and examples.",
                                  arguments: [ArgumentSpec("command", "Command or group name.", completion: .command, optional: true, variadic: true)],
                                  examples: ["help", "help data", "help data check"], display: .none) { inv, ctx in
        let s = session(ctx)
        let words = (inv["command"].listValue ?? []).map(\.text)
        if words.isEmpty {
            s.print(Help.overview(registry: s.registry))
            return .null
        }
        if let (spec, n) = s.registry.resolve(words), n == words.count {
            s.print(Help.text(for: spec, registry: s.registry))
            return .null
        }
        if words.count == 1, s.registry.isGroup(words[0]) {
            s.print(Help.groupText(words[0], registry: s.registry))
            return .null
        }
        let name = words.joined(separator: " ")
        let near = Spelling.nearest(to: name, in: s.registry.commands.map(\.name))
        throw inv.error("no command named '\(name)'", id: "usage.unknown-command", at: "command",
                        notes: near.map { ["did you mean '\($0)'?"] } ?? [])
    }

    static let plugins = CommandSpec(["plugins"], summary: "List plugins: built in and external.",
                                     examples: ["plugins"]) { _, ctx in
        .list(session(ctx).registry.plugins.map { p in
            .record(["plugin": .string(p.name), "version": .string(p.version), "commands": .int(p.commands.count),
                     "source": .string(p.executable.map { "external: " + URL(fileURLWithPath: $0).lastPathComponent } ?? "built in"), "summary": .string(p.summary)])
        })
    }

    static let exit = CommandSpec(["exit"], summary: "Leave ftsh (a script ends with STATUS).",
                                  arguments: [ArgumentSpec("status", "Exit status (default 0).", type: .int, optional: true)],
                                  examples: ["exit", "exit 3"]) { inv, ctx in
        let n = inv.int("status") ?? 0
        guard (0...255).contains(n) else { throw inv.error("exit status must be 0–255", id: "usage.bad-argument", at: "status") }
        session(ctx).exitRequest = ExitStatus(rawValue: Int32(n))
        return .null
    }
}

extension Double {
    fileprivate func clamped() -> Double { Swift.max(0, self) }
}
