import FTCore

/// Conversions between formats (`data convert --to chat|completion [--system TEXT]`).
///
/// To completion data, the conversation before the last assistant message becomes the prompt
/// and that message the completion, written the way the legacy tool advised: the prompt ends
/// with the separator `\n\n###\n\n`, the completion starts with a space and ends with `\n`.
/// To chat data, those conventions are recognised and removed again (a common separator from
/// the legacy list, a common ending, one leading space), so a round trip gives back the text.
extension Dataset {
    public static let completionSeparator = "\n\n###\n\n"
    public static let completionEnding = "\n"

    public func converted(to target: DataFormat, system: String? = nil) throws(Diagnostic) -> (Dataset, TransformReport) {
        var out = self
        out.format = target
        var changes: [String] = []
        switch (format, target) {
        case (.completion, .chat):
            let profile = examples.reduce(into: CompletionProfile()) { p, e in
                p.add(prompt: e.node["prompt"]?.stringValue ?? "", completion: e.node["completion"]?.stringValue ?? "", line: 0)
            }
            let sep = profile.promptSuffix.map { String(String.UnicodeScalarView($0)) } ?? ""
            let stripSep = CompletionProfile.separators.first { !sep.isEmpty && sep.hasSuffix($0) } ?? ""
            let end = profile.completionSuffix.map { String(String.UnicodeScalarView($0)) } ?? ""
            let stripEnd = (CompletionProfile.endings + [CompletionProfile.endingFallback]).first { !end.isEmpty && end.hasSuffix($0) } ?? ""
            out.examples = examples.map { e in
                var prompt = e.node["prompt"]?.stringValue ?? ""
                var completion = e.node["completion"]?.stringValue ?? ""
                if !stripSep.isEmpty { prompt = String(prompt.unicodeScalars.dropLast(stripSep.unicodeScalars.count)) }
                if !stripEnd.isEmpty { completion = String(completion.unicodeScalars.dropLast(stripEnd.unicodeScalars.count)) }
                if completion.hasPrefix(" ") { completion.removeFirst() }
                var messages: [JSONNode] = []
                if let system { messages.append(Self.message("system", system)) }
                messages.append(Self.message("user", prompt))
                messages.append(Self.message("assistant", completion))
                return Example(node: .object([("messages", JSONNode(.array(messages)))]), line: e.line)
            }
            if !stripSep.isEmpty { changes.append("removed the prompt separator \(JSON.quote(stripSep))") }
            if !stripEnd.isEmpty { changes.append("removed the completion ending \(JSON.quote(stripEnd))") }
        case (.chat, .completion), (.preference, .completion):
            let chat = format == .preference ? try converted(to: .chat).0 : self
            var skipped = 0
            out.examples = chat.examples.compactMap { e in
                guard let ms = e.node["messages"]?.arrayValue, let last = ms.lastIndex(where: { $0["role"]?.stringValue == "assistant" }),
                      let reply = ms[last]["content"]?.stringValue else { skipped += 1; return nil }
                var context = Array(ms[..<last])
                if let system { context.removeAll { $0["role"]?.stringValue == "system" }; context.insert(Self.message("system", system), at: 0) }
                let prompt: String
                if context.count == 1, let only = context[0]["content"]?.stringValue {
                    prompt = only
                } else {
                    prompt = context.map { m in
                        "\(m["role"]?.stringValue ?? "?"): \(m["content"]?.stringValue ?? m["content"].map { $0.encoded() } ?? "")"
                    }.joined(separator: "\n")
                }
                return Example(node: .object([("prompt", .string(prompt + Self.completionSeparator)),
                                              ("completion", .string(" " + reply + Self.completionEnding))]), line: e.line)
            }
            if skipped > 0 { changes.append("skipped \(skipped) example\(skipped == 1 ? "" : "s") without a text assistant reply") }
        case (.preference, .chat):
            out.examples = examples.map { e in
                var messages = e.node["input"]?["messages"]?.arrayValue ?? []
                messages += (e.node["preferred_output"] ?? e.node["preferred_completion"])?.arrayValue ?? []
                var node = JSONNode.object([("messages", JSONNode(.array(messages)))])
                if let tools = e.node["input"]?["tools"] { node.set("tools", tools) }
                return Example(node: node, line: e.line)
            }
            changes.append("kept the preferred output of each example as the assistant reply")
        case (.chat, .chat):
            break
        case (_, .preference), (.completion, .completion):
            if target == format && system == nil { break }
            throw .error("cannot convert \(format.rawValue) data to \(target.rawValue) data"
                         + (target == .preference ? ": preference data needs a non-preferred output for each example" : ""),
                         id: "usage.bad-conversion")
        }
        if let system, target == .chat {
            for i in out.examples.indices { Self.setSystem(&out.examples[i].node, system) }
            if format == .chat || format == .preference { changes.append("set the system message of every example") }
        }
        changes.insert("converted \(out.count) example\(out.count == 1 ? "" : "s") from \(format.rawValue) to \(target.rawValue)", at: 0)
        return (out, TransformReport(operation: "convert", before: count, after: out.count, changes: changes))
    }

    static func message(_ role: String, _ content: String) -> JSONNode {
        .object([("role", .string(role)), ("content", .string(content))])
    }

    /// Replaces the first system message, or inserts one at the start.
    static func setSystem(_ node: inout JSONNode, _ text: String) {
        guard var ms = node["messages"]?.arrayValue else { return }
        if let i = ms.firstIndex(where: { $0["role"]?.stringValue == "system" }) {
            ms[i].set("content", .string(text))
        } else {
            ms.insert(message("system", text), at: 0)
        }
        node.set("messages", JSONNode(.array(ms)))
    }
}
