import Foundation
import FTCore

/// External plugins: any executable named `ftsh-plugin-NAME` in a folder of `FTSH_PLUGIN_PATH`
/// (colon-separated). They speak JSON lines over stdin/stdout; the protocol is documented in
/// `share/docs/plugin-protocol.md`:
///
///   ftsh → plugin: {"type":"describe"}
///   plugin → ftsh: {"type":"describe","name":…,"summary":…,"version":…,"commands":[…]}
///   ftsh → plugin: {"type":"run","command":"hello greet","args":{…},"seed":N,"cwd":…}
///   plugin → ftsh: {"type":"print","text":…} | {"type":"progress",…} … then
///                  {"type":"result","value":…} or {"type":"error","message":…,"id":…}
///
/// Each call is a fresh process, so a plugin that crashes or hangs costs one command, never
/// the shell: a crash is reported with its exit status, a hang is stopped by Ctrl-C or by the
/// describe time-out.
public enum ExternalPlugins {
    public static let describeTimeout = 5.0

    public static func discover(environment: [String: String], registry: PluginRegistry) -> [Plugin] {
        guard let path = environment["FTSH_PLUGIN_PATH"], !path.isEmpty else { return [] }
        var seen = Set<String>()
        var plugins: [Plugin] = []
        for dir in path.split(separator: ":").map(String.init) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names.sorted() where name.hasPrefix("ftsh-plugin-") {
                let exe = dir + "/" + name
                guard FileManager.default.isExecutableFile(atPath: exe), !seen.contains(name) else { continue }
                seen.insert(name)
                do {
                    let plugin = try describe(exe)
                    plugins.append(plugin)
                } catch {
                    FileHandle.standardError.write(Data((DiagnosticPrinter.plain.format(error) + "\n").utf8))
                }
            }
        }
        return plugins
    }

    static func describe(_ exe: String) throws(Diagnostic) -> Plugin {
        let name = URL(fileURLWithPath: exe).lastPathComponent
        var reply: Value?
        var problem: Diagnostic?
        let status = PluginProcess.exchange(exe, request: .record(["type": "describe"]), timeout: describeTimeout) { message in
            if message["type"]?.stringValue == "describe" { reply = message } else {
                problem = .error("plugin \(name) answered describe with '\(message["type"]?.text ?? "?")'", id: "plugin.protocol")
            }
            return true
        }
        if let problem { throw problem }
        guard let reply else {
            throw .error("plugin \(name) did not describe itself (\(status.explanation))", id: "plugin.protocol")
        }
        guard let pluginName = reply["name"]?.stringValue, let commands = reply["commands"]?.listValue else {
            throw .error("plugin \(name): describe needs \"name\" and \"commands\"", id: "plugin.protocol")
        }
        var specs: [CommandSpec] = []
        for c in commands {
            guard let cname = c["name"]?.stringValue, !cname.isEmpty else {
                throw .error("plugin \(name): every command needs a \"name\"", id: "plugin.protocol")
            }
            let path = [pluginName] + cname.split(separator: " ").map(String.init)
            let args = (c["arguments"]?.listValue ?? []).compactMap { a -> ArgumentSpec? in
                guard let n = a["name"]?.stringValue else { return nil }
                return ArgumentSpec(n, a["summary"]?.stringValue ?? "", type: argumentType(a["type"]),
                                    optional: a["optional"]?.boolValue ?? false, variadic: a["variadic"]?.boolValue ?? false)
            }
            let flags = (c["flags"]?.listValue ?? []).compactMap { f -> FlagSpec? in
                guard let n = f["name"]?.stringValue else { return nil }
                return FlagSpec(n, f["summary"]?.stringValue ?? "", type: argumentType(f["type"]), default: f["default"])
            }
            let commandName = path.dropFirst().joined(separator: " ")
            specs.append(CommandSpec(path, summary: c["summary"]?.stringValue ?? "", arguments: args, flags: flags,
                                     examples: (c["examples"]?.listValue ?? []).map(\.text)) { inv, ctx in
                try run(exe: exe, command: commandName, invocation: inv, context: ctx)
            })
        }
        return Plugin(name: pluginName, summary: reply["summary"]?.stringValue ?? "", version: reply["version"]?.text ?? "?",
                      commands: specs, executable: exe)
    }

    static func argumentType(_ v: Value?) -> ArgumentType {
        switch v?.stringValue {
        case "int": .int
        case "number": .number
        case "bool": .bool
        case "path": .path
        case "value": .value
        default:
            if let choices = v?["choice"]?.listValue { .choice(choices.map(\.text)) } else { .string }
        }
    }

    static func run(exe: String, command: String, invocation: Invocation, context: CommandContext) throws -> Value {
        var args = Record()
        for a in invocation.spec.arguments { args[a.name] = invocation[a.name] }
        for f in invocation.spec.flags { args[f.name] = invocation[f.name] }
        var seedSource = context.makeRandom()
        let request: Value = .record(["type": "run", "command": .string(command), "args": .record(args),
                                      "seed": .number(Double(seedSource.next() >> 12)), "cwd": .string(context.workingDirectory)])
        var result: Value?
        var failure: Diagnostic?
        let name = URL(fileURLWithPath: exe).lastPathComponent
        let status = PluginProcess.exchange(exe, request: request, timeout: nil) { message in
            switch message["type"]?.stringValue {
            case "print":
                let text = message["text"]?.text ?? ""
                if message["stream"]?.stringValue == "err" { context.printError(text) } else { context.print(text) }
                return false
            case "progress":
                context.progress(ProgressStatus(label: message["label"]?.text ?? name, fraction: message["fraction"]?.numberValue,
                                                detail: message["detail"]?.stringValue ?? ""))
                return false
            case "result":
                result = message["value"] ?? .null
                return true
            case "error":
                failure = .error(message["message"]?.text ?? "plugin failed", id: message["id"]?.stringValue ?? "plugin.error")
                return true
            default:
                failure = .error("plugin \(name) sent an unknown message type '\(message["type"]?.text ?? "?")'", id: "plugin.protocol")
                return true
            }
        }
        context.progress(nil)
        if case .interrupted = status { throw Interrupted("\(name) stopped") }
        if let failure { throw failure }
        if let result { return result }
        throw Diagnostic.error("plugin \(name) ended without a result (\(status.explanation))", id: "plugin.crashed")
    }
}
