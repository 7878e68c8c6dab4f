import FTCore
import FTPluginKit

/// Help text, built from command declarations only.
public enum Help {
    /// `help CMD`: usage, summary, arguments, flags with defaults, examples.
    public static func text(for spec: CommandSpec, registry: PluginRegistry) -> String {
        var lines = ["usage: " + spec.usage, "", spec.summary]
        if !spec.discussion.isEmpty { lines += ["", spec.discussion] }
        if !spec.arguments.isEmpty {
            lines += ["", "arguments:"]
            let rows = spec.arguments.map { a -> (String, String) in
                var text = a.summary
                if a.optional { text += " (optional)" }
                return (a.name.uppercased() + (a.variadic ? "..." : ""), text)
            }
            lines += aligned(rows)
        }
        if !spec.flags.isEmpty {
            lines += ["", "flags:"]
            let rows = spec.flags.map { f -> (String, String) in
                var left = "--" + f.name
                if let s = f.short { left = "-\(s), " + left }
                if f.takesValue { left += " " + f.type.placeholder }
                var text = f.summary
                if f.takesValue, f.defaultValue != .null { text += " (default: \(f.defaultValue.text))" }
                return (left, text)
            }
            lines += aligned(rows)
        }
        if !spec.examples.isEmpty {
            lines += ["", "examples:"] + spec.examples.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// `help GROUP`: the group's commands with summaries.
    public static func groupText(_ group: String, registry: PluginRegistry) -> String {
        let subs = registry.subcommands(of: group)
        var lines = ["\(group) commands:"]
        lines += aligned(subs.map { ($0.name, $0.summary) })
        lines += ["", "'help \(group) COMMAND' for details."]
        return lines.joined(separator: "\n")
    }

    /// `help`: every plugin's commands, grouped.
    public static func overview(registry: PluginRegistry) -> String {
        var lines: [String] = ["ftsh — the fine-tuning shell. Commands:"]
        for plugin in registry.plugins {
            lines += ["", "\(plugin.name): \(plugin.summary)"]
            lines += aligned(plugin.commands.map { ($0.name, $0.summary) })
        }
        lines += ["", "'help COMMAND' shows usage, flags and examples; every command takes --json."]
        return lines.joined(separator: "\n")
    }

    static func aligned(_ rows: [(String, String)]) -> [String] {
        let width = min(rows.map { TextWidth.width(of: $0.0) }.max() ?? 0, 28)
        return rows.map { row in
            TextWidth.width(of: row.0) > width
                ? "  " + row.0 + "\n  " + String(repeating: " ", count: width + 2) + row.1
                : "  " + TextWidth.pad(row.0, to: width) + "  " + row.1
        }
    }
}
