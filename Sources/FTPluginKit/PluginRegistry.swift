import FTCore

/// Every command the shell knows, found by the words that name it.
public final class PluginRegistry: @unchecked Sendable {
    public private(set) var plugins: [Plugin] = []
    private var byName: [String: CommandSpec] = [:]
    /// First words that start a multi-word command (`data`, `model`, `record`).
    private var groups: Set<String> = []

    public init() {}

    public func register(_ plugin: Plugin) {
        plugins.append(plugin)
        for spec in plugin.commands {
            byName[spec.name] = spec
            if spec.path.count > 1 { groups.insert(spec.path[0]) }
        }
    }

    public var commands: [CommandSpec] { plugins.flatMap(\.commands) }

    public func command(named name: String) -> CommandSpec? { byName[name] }

    /// Longest match of the leading words: `["data", "check", "x"]` → (`data check`, 2).
    public func resolve(_ words: [String]) -> (spec: CommandSpec, consumed: Int)? {
        var k = min(words.count, 3)
        while k > 0 {
            if let spec = byName[words[0..<k].joined(separator: " ")] { return (spec, k) }
            k -= 1
        }
        return nil
    }

    public func isGroup(_ word: String) -> Bool { groups.contains(word) }

    /// Subcommands of a group: `data` → `check`, `load`, …
    public func subcommands(of group: String) -> [CommandSpec] {
        commands.filter { $0.path.count > 1 && $0.path[0] == group }
    }

    /// Top-level words: single-word commands and group names, sorted.
    public var topLevelWords: [String] {
        Array(Set(commands.map { $0.path[0] })).sorted()
    }

    public func plugin(owning spec: CommandSpec) -> Plugin? {
        plugins.first { $0.commands.contains { $0.name == spec.name } }
    }
}
