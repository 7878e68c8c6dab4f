import FTCore
import Foundation

/// The per-line rules of the chat and preference formats: the schema in
/// `openai-finetuning-input-formats.yaml` (FineTuneChatRequestInput, FineTunePreferenceRequestInput)
/// plus the cookbook notebook's format-error categories, each as a located finding.
enum ChatRules {
    static let roles: Set<String> = ["system", "user", "assistant", "tool", "function"]
    static let messageKeys: Set<String> = ["role", "content", "name", "weight", "function_call", "tool_calls",
                                           "tool_call_id", "refusal"]
    static let chatKeys: Set<String> = ["messages", "tools", "parallel_tool_calls", "functions"]
    static let preferenceKeys: Set<String> = ["input", "preferred_output", "non_preferred_output",
                                              "preferred_completion", "non_preferred_completion"]
    /// Special tokens of cl100k_base and o200k_base; a training file that contains their text fails.
    static let reservedTokens = ["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"]

    static func validateChat(_ obj: JSONNode, _ ctx: inout LineContext) {
        for m in obj.members ?? [] where !chatKeys.contains(m.key) {
            ctx.report("data.unknown-key", "unknown key \"\(m.key)\" in a chat example; expected messages, tools, parallel_tool_calls", key: m)
        }
        validateTools(obj, &ctx)
        guard let messages = messagesArray(obj["messages"], owner: obj, name: "messages", &ctx) else { return }
        var roles: [String?] = []
        for (i, m) in messages.enumerated() {
            roles.append(validateMessage(m, path: "messages[\(i)]", &ctx))
        }
        let messagesNode = obj["messages"]!
        // A message whose role could not be read may well be the missing assistant or user
        // turn; its own finding says enough.
        guard !roles.contains(nil) else { return }
        guard let lastAssistant = roles.lastIndex(of: "assistant") else {
            ctx.report("data.no-assistant", "expected at least one assistant message to train on", node: messagesNode)
            return
        }
        if !roles.contains("system") {
            ctx.report("data.no-system", "example has no system message", at: messagesNode.offset)
        }
        if !roles.contains("user") {
            ctx.report("data.no-user", "example has no user message", at: messagesNode.offset)
        }
        if lastAssistant < messages.count - 1 {
            let next = messages[lastAssistant + 1]
            ctx.report("data.trailing-messages",
                       "\(messages.count - 1 - lastAssistant) message(s) after the last assistant message are not trained on",
                       node: next)
        }
        let trained = messages.enumerated().contains { i, m in
            roles[i] == "assistant" && !(m["weight"].map(isZero) ?? false)
        }
        if !trained {
            ctx.report("data.no-trained-tokens", "every assistant message has weight 0; nothing is learned from this example",
                       node: messagesNode)
        }
    }

    static func validatePreference(_ obj: JSONNode, _ ctx: inout LineContext) {
        for m in obj.members ?? [] where !preferenceKeys.contains(m.key) {
            ctx.report("data.unknown-key", "unknown key \"\(m.key)\" in a preference example; expected input, preferred_output, non_preferred_output", key: m)
        }
        if let input = obj.member("input") {
            if input.value.members == nil {
                ctx.report("data.missing-input", "\"input\" must be an object holding \"messages\", found \(input.value.typeDescription)", node: input.value)
            } else {
                for m in input.value.members! where !["messages", "tools", "parallel_tool_calls"].contains(m.key) {
                    ctx.report("data.unknown-key", "unknown key \"\(m.key)\" in \"input\"; expected messages, tools, parallel_tool_calls", key: m)
                }
                validateTools(input.value, &ctx)
                if let messages = messagesArray(input.value["messages"], owner: input.value, name: "input.messages", &ctx, missingId: "data.missing-input") {
                    for (i, m) in messages.enumerated() { _ = validateMessage(m, path: "input.messages[\(i)]", &ctx) }
                }
            }
        } else {
            ctx.report("data.missing-input", "expected an \"input\" object with the conversation so far", at: obj.offset)
        }
        let preferred = output(obj, "preferred_output", legacy: "preferred_completion", &ctx)
        let other = output(obj, "non_preferred_output", legacy: "non_preferred_completion", &ctx)
        if let preferred, let other, preferred.sameContent(as: other) {
            ctx.report("data.identical-outputs", "the preferred and non-preferred outputs are identical", node: other)
        }
    }

    /// Checks one output list of a preference example; returns its message when well formed.
    private static func output(_ obj: JSONNode, _ key: String, legacy: String, _ ctx: inout LineContext) -> JSONNode? {
        var member = obj.member(key)
        if member == nil, let old = obj.member(legacy) {
            ctx.report("data.legacy-preference-keys", "\"\(legacy)\" is the older name of \"\(key)\"", key: old)
            member = old
        }
        guard let member else {
            ctx.report("data.bad-output", "expected \"\(key)\": a list with one assistant message", at: obj.offset)
            return nil
        }
        guard let items = member.value.arrayValue else {
            ctx.report("data.bad-output", "\"\(member.key)\" must be a list with one assistant message, found \(member.value.typeDescription)", node: member.value)
            return nil
        }
        guard items.count == 1 else {
            ctx.report("data.bad-output", "\"\(member.key)\" must hold exactly one message, found \(items.count)", node: member.value)
            return nil
        }
        let role = validateMessage(items[0], path: "\(member.key)[0]", &ctx)
        if let role, role != "assistant" {
            ctx.report("data.bad-output", "\"\(member.key)\" must be an assistant message, found role \"\(role)\"", node: items[0]["role"] ?? items[0])
            return nil
        }
        return items[0]
    }

    /// The elements of a messages array, or nil (with a finding) when it is missing, not an array, or empty.
    private static func messagesArray(_ node: JSONNode?, owner: JSONNode, name: String, _ ctx: inout LineContext,
                                      missingId: String = "data.missing-messages") -> [JSONNode]? {
        guard let node else {
            ctx.report(missingId, "expected a \"\(name.split(separator: ".").last!)\" array", at: owner.offset)
            return nil
        }
        guard let items = node.arrayValue else {
            ctx.report("data.missing-messages", "\"\(name)\" must be an array of messages, found \(node.typeDescription)", node: node)
            return nil
        }
        if items.isEmpty {
            ctx.report("data.missing-messages", "\"\(name)\" is empty; expected at least one message", node: node)
            return nil
        }
        return items
    }

    /// Checks one message; returns its role when the role is a known one.
    static func validateMessage(_ m: JSONNode, path: String, _ ctx: inout LineContext) -> String? {
        guard let members = m.members else {
            ctx.report("data.bad-message", "\(path) must be an object with role and content, found \(m.typeDescription)", node: m)
            return nil
        }
        var role: String?
        if let r = m.member("role") {
            if let s = r.value.stringValue {
                if roles.contains(s) { role = s } else {
                    ctx.report("data.unknown-role", "unknown role \"\(s)\" in \(path); expected system, user, assistant, tool or function",
                               node: r.value, notes: suggestRole(s).map { ["did you mean \"\($0)\"?"] } ?? [])
                }
            } else {
                ctx.report("data.bad-type", "\(path).role must be a string, found \(r.value.typeDescription)", node: r.value)
            }
        } else {
            ctx.report("data.missing-role", "\(path) has no \"role\"", at: m.offset)
        }
        for member in members where !messageKeys.contains(member.key) {
            ctx.report("data.unknown-message-key", "unknown key \"\(member.key)\" in \(path)", key: member)
        }
        if let name = m["name"], name.stringValue == nil {
            ctx.report("data.bad-type", "\(path).name must be a string, found \(name.typeDescription)", node: name)
        }
        if let w = m.member("weight") {
            if role != nil && role != "assistant" {
                ctx.report("data.bad-weight", "\"weight\" is only allowed on assistant messages, not \(role!)", key: w)
            } else if case .number(let n, let isInt) = w.value.kind, isInt, n == 0 || n == 1 {
                // fine
            } else {
                ctx.report("data.bad-weight", "\(path).weight must be 0 or 1, found \(describe(w.value))", node: w.value)
            }
        }
        let hasCalls = validateCalls(m, role: role, path: path, &ctx)
        validateContent(m, role: role, hasCalls: hasCalls, path: path, &ctx)
        if role == "tool" {
            if let id = m["tool_call_id"] {
                if id.stringValue == nil { ctx.report("data.bad-type", "\(path).tool_call_id must be a string, found \(id.typeDescription)", node: id) }
            } else {
                ctx.report("data.bad-tool-call", "tool message \(path) needs \"tool_call_id\" naming the call it answers", at: m.offset)
            }
        }
        if role == "function", m["name"] == nil {
            ctx.report("data.bad-tool-call", "function message \(path) needs \"name\"", at: m.offset)
        }
        return role
    }

    /// Checks tool_calls and function_call; true when the message carries a call.
    private static func validateCalls(_ m: JSONNode, role: String?, path: String, _ ctx: inout LineContext) -> Bool {
        var has = false
        if let tc = m.member("tool_calls") {
            if role != nil && role != "assistant" {
                ctx.report("data.bad-tool-call", "only assistant messages may have \"tool_calls\"", key: tc)
            }
            if let calls = tc.value.arrayValue {
                has = !calls.isEmpty
                for (i, call) in calls.enumerated() {
                    let p = "\(path).tool_calls[\(i)]"
                    guard call.members != nil else {
                        ctx.report("data.bad-tool-call", "\(p) must be an object, found \(call.typeDescription)", node: call); continue
                    }
                    if call["id"]?.stringValue == nil { ctx.report("data.bad-tool-call", "\(p) needs a string \"id\"", node: call["id"] ?? call) }
                    if call["type"]?.stringValue != "function" {
                        ctx.report("data.bad-tool-call", "\(p).type must be \"function\"", node: call["type"] ?? call)
                    }
                    checkFunction(call["function"], owner: call, path: "\(p).function", &ctx)
                }
            } else if !tc.value.isNull {
                ctx.report("data.bad-tool-call", "\(path).tool_calls must be an array, found \(tc.value.typeDescription)", node: tc.value)
            }
        }
        if let fc = m.member("function_call"), !fc.value.isNull {
            if role != nil && role != "assistant" {
                ctx.report("data.bad-tool-call", "only assistant messages may have \"function_call\"", key: fc)
            }
            has = true
            checkFunction(fc.value, owner: m, path: "\(path).function_call", &ctx)
        }
        return has
    }

    private static func checkFunction(_ f: JSONNode?, owner: JSONNode, path: String, _ ctx: inout LineContext) {
        guard let f, f.members != nil else {
            ctx.report("data.bad-tool-call", "\(path) must be an object with name and arguments", node: f ?? owner); return
        }
        if f["name"]?.stringValue == nil { ctx.report("data.bad-tool-call", "\(path) needs a string \"name\"", node: f["name"] ?? f) }
        if let args = f["arguments"] {
            if args.stringValue == nil {
                ctx.report("data.bad-tool-call", "\(path).arguments must be a string of JSON text, found \(args.typeDescription)", node: args)
            }
        } else {
            ctx.report("data.bad-tool-call", "\(path) needs \"arguments\" (a string of JSON text)", node: f)
        }
    }

    private static func validateContent(_ m: JSONNode, role: String?, hasCalls: Bool, path: String, _ ctx: inout LineContext) {
        guard let c = m.member("content"), !c.value.isNull else {
            if !hasCalls && !(role == "function" && m.member("content") != nil) {
                ctx.report("data.missing-content", "\(path) has no content", at: m.offset)
            }
            return
        }
        switch c.value.kind {
        case .string(let s):
            if s.isEmpty && !hasCalls {
                ctx.report("data.missing-content", "\(path).content is empty", node: c.value)
            }
            checkText(s, node: c.value, &ctx)
        case .array(let parts):
            if parts.isEmpty { ctx.report("data.bad-content", "\(path).content is an empty array", node: c.value) }
            let allowed: Set<String> = role == "user" ? ["text", "image_url", "input_audio", "file"]
                : role == "assistant" ? ["text", "refusal"] : ["text"]
            for (i, part) in parts.enumerated() {
                let p = "\(path).content[\(i)]"
                guard part.members != nil, let type = part["type"]?.stringValue else {
                    ctx.report("data.bad-content", "\(p) must be an object with a \"type\"", node: part); continue
                }
                guard allowed.contains(type) else {
                    ctx.report("data.bad-content", "content part type \"\(type)\" is not allowed in \(role ?? "this") messages",
                               node: part["type"]!); continue
                }
                switch type {
                case "text", "refusal":
                    if let t = part[type]?.stringValue { checkText(t, node: part[type]!, &ctx) } else {
                        ctx.report("data.bad-content", "\(p).\(type) must be a string", node: part[type] ?? part)
                    }
                case "image_url":
                    if part["image_url"]?["url"]?.stringValue == nil {
                        ctx.report("data.bad-content", "\(p).image_url must be an object with a string \"url\"", node: part["image_url"] ?? part)
                    }
                default: break
                }
            }
        default:
            ctx.report("data.bad-content", "\(path).content must be a string, found \(c.value.typeDescription)", node: c.value)
        }
    }

    /// Text checks shared by every string the model reads.
    static func checkText(_ s: String, node: JSONNode, _ ctx: inout LineContext, whitespace: Bool = true) {
        if contains(s, UInt8(ascii: "<")) {
            for token in reservedTokens where s.contains(token) {
                let at = ctx.find(token, in: node) ?? node.offset
                ctx.report("data.reserved-token", "text contains the special token \(token)", at: at, end: at + token.utf8.count)
            }
        }
        if whitespace, let f = s.utf8.first, let l = s.utf8.last, isSpace(f) || isSpace(l) {
            ctx.report("data.whitespace", "content starts or ends with whitespace", node: node)
        }
    }

    static func validateTools(_ obj: JSONNode, _ ctx: inout LineContext) {
        if let p = obj["parallel_tool_calls"], p.isNull == false, case .bool = p.kind {} else if let p = obj["parallel_tool_calls"] {
            ctx.report("data.bad-type", "\"parallel_tool_calls\" must be true or false, found \(p.typeDescription)", node: p)
        }
        for key in ["tools", "functions"] {
            guard let list = obj[key] else { continue }
            guard let items = list.arrayValue else {
                ctx.report("data.bad-tools", "\"\(key)\" must be an array, found \(list.typeDescription)", node: list); continue
            }
            for (i, t) in items.enumerated() {
                let fn = key == "tools" ? t["function"] : t
                if key == "tools", t["type"]?.stringValue != "function" {
                    ctx.report("data.bad-tools", "\(key)[\(i)].type must be \"function\"", node: t["type"] ?? t)
                }
                guard let fn, fn.members != nil else {
                    ctx.report("data.bad-tools", "\(key)[\(i)] needs a \"function\" object", node: t); continue
                }
                if fn["name"]?.stringValue == nil {
                    ctx.report("data.bad-tools", "\(key)[\(i)] needs a string \"name\"", node: fn["name"] ?? fn)
                }
                if let params = fn["parameters"], params.members == nil {
                    ctx.report("data.bad-tools", "\(key)[\(i)].parameters must be a JSON Schema object", node: params)
                }
            }
        }
    }

    static func contains(_ s: String, _ byte: UInt8) -> Bool {
        var s = s
        return s.withUTF8 { p in p.baseAddress.map { memchr($0, Int32(byte), p.count) != nil } ?? false }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    static func isZero(_ n: JSONNode) -> Bool {
        if case .number(let v, _) = n.kind { return v == 0 }
        return false
    }

    static func describe(_ n: JSONNode) -> String {
        switch n.kind {
        case .number(let v, _): Value.format(v)
        case .string(let s): "the string \"\(s.prefix(20))\""
        default: n.typeDescription
        }
    }

    static func suggestRole(_ s: String) -> String? {
        let l = s.lowercased()
        if roles.contains(l) { return l }
        switch l {
        case "bot", "ai", "model", "gpt", "chatbot", "assistent", "asistant": return "assistant"
        case "human", "customer", "usr", "question": return "user"
        case "developer", "instruction", "instructions", "sys": return "system"
        default: return nil
        }
    }
}
