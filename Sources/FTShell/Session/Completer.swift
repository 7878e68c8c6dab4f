import Foundation
import FTCore
import FTPluginKit

/// Tab completion from the command declarations: command and subcommand names, flags,
/// enumerated values, paths, variables and workspace objects.
public struct Completer {
    public let session: Session

    public init(session: Session) { self.session = session }

    /// Candidates for the word that ends at the cursor, and where that word starts
    /// (in Characters of `text`).
    public func complete(_ text: String) -> (wordStart: Int, candidates: [String]) {
        let (words, current, start) = split(text)
        let candidates = candidatesFor(words: words, current: current)
        return (start, candidates.filter { $0.hasPrefix(current) }.sorted())
    }

    /// Splits the text before the cursor into finished words and the word being typed,
    /// honouring backslash escapes and quotes well enough for completion.
    func split(_ text: String) -> (words: [String], current: String, start: Int) {
        var words: [String] = []
        var current = ""
        var start = 0
        var quote: Character?
        var escaped = false
        for (i, c) in text.enumerated() {
            if escaped { current.append(c); escaped = false; continue }
            if c == "\\" && quote != "'" { escaped = true; continue }
            if let q = quote { if c == q { quote = nil } else { current.append(c) }; continue }
            if c == "'" || c == "\"" { quote = c; continue }
            if c == " " || c == "\t" || c == ";" || c == "{" || c == "}" {
                if !current.isEmpty { words.append(current) }
                if c == ";" || c == "{" || c == "}" { words = [] }
                current = ""
                start = i + 1
                continue
            }
            current.append(c)
        }
        // `set x = cmd …` and `if …`: complete the command after the `=`.
        if let eq = words.firstIndex(of: "="), words.first == "set" { words = Array(words[(eq + 1)...]) }
        return (words, current, start)
    }

    func candidatesFor(words: [String], current: String) -> [String] {
        if current.hasPrefix("$") {
            return session.variables.keys.map { "$" + $0 }
        }
        let registry = session.registry
        if words.isEmpty {
            return registry.topLevelWords + Array(session.aliases.keys)
        }
        if words.count == 1, registry.isGroup(words[0]), registry.command(named: words[0]) == nil {
            return registry.subcommands(of: words[0]).map { $0.path[1] }
        }
        guard let (spec, consumed) = registry.resolve(Array(words.prefix(3))) else { return [] }
        let args = Array(words.dropFirst(consumed))
        if current.hasPrefix("-") {
            let given = Set(args.filter { $0.hasPrefix("--") }.map { String($0.dropFirst(2)) })
            return (spec.flags + CommandSpec.commonFlags).filter { $0.repeatable || !given.contains($0.name) }.map { "--" + $0.name }
        }
        if let last = args.last, last.hasPrefix("--"), let flag = spec.flag(named: String(last.dropFirst(2))), flag.takesValue {
            return values(for: flag.completion, current: current)
        }
        // Which positional are we at? Skip flags and their values.
        var position = 0
        var k = 0
        while k < args.count {
            if args[k].hasPrefix("--"), let f = spec.flag(named: String(args[k].dropFirst(2))) {
                k += f.takesValue ? 2 : 1
                continue
            }
            position += 1
            k += 1
        }
        if spec.name == "help" {
            let path = args
            if path.count == 1, registry.isGroup(path[0]) { return registry.subcommands(of: path[0]).map { $0.path[1] } }
            return path.isEmpty ? registry.topLevelWords : []
        }
        let positional = spec.arguments.indices.contains(position) ? spec.arguments[position]
            : spec.arguments.last.flatMap { $0.variadic ? $0 : nil }
        guard let arg = positional else { return [] }
        return values(for: arg.completion, current: current)
    }

    func values(for kind: CompletionKind, current: String) -> [String] {
        switch kind {
        case .none: return []
        case .choices(let words): return words
        case .variable: return session.variables.keys.filter { $0 != "_" }.map { $0 }
        case .object(let kind): return session.workspace.names(kind: kind)
        case .command: return session.registry.topLevelWords
        case .directory: return paths(current, extensions: nil, directoriesOnly: true)
        case .file(let ext):
            // Where a file goes, a workspace object (a loaded dataset, a model) usually may too.
            let objects = current.contains("/") ? [] : session.workspace.names(kind: nil)
            return paths(current, extensions: ext, directoriesOnly: false) + objects
        }
    }

    /// Entries of the folder named by `current`'s directory part that start with its last part.
    func paths(_ current: String, extensions: [String]?, directoriesOnly: Bool) -> [String] {
        // `@share/` names ftsh's own files from anywhere.
        if !current.contains("/"), current.hasPrefix("@") { return "@share/".hasPrefix(current) ? ["@share/"] : [] }
        let slash = current.lastIndex(of: "/")
        let dirPart = slash.map { String(current[...$0]) } ?? ""
        let dir = session.resolve(dirPart.isEmpty ? "." : dirPart)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        let filePrefix = slash.map { String(current[current.index(after: $0)...]) } ?? current
        var out: [String] = []
        for name in names where name.hasPrefix(filePrefix) {
            if name.hasPrefix(".") && !filePrefix.hasPrefix(".") { continue }
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir)
            if isDir.boolValue { out.append(dirPart + name + "/"); continue }
            if directoriesOnly { continue }
            if let extensions, !extensions.isEmpty, !extensions.contains(where: { name.hasSuffix("." + $0) }) { continue }
            out.append(dirPart + name)
        }
        return out
    }
}
