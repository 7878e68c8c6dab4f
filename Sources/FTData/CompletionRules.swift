import FTCore

/// Rules of the prompt/completion format: the per-line schema, and the advice of the legacy
/// `openai tools fine_tunes.prepare_data` (openai-python `lib/_validators.py`) recast as
/// findings: a common prompt separator, a common completion ending, a leading space, casing,
/// shared prefixes and long examples.
enum CompletionRules {
    static let keys: Set<String> = ["prompt", "completion"]
    static let longExampleCharacters = 10_000

    static func validate(_ obj: JSONNode, _ ctx: inout LineContext) {
        for m in obj.members ?? [] where !keys.contains(m.key) {
            ctx.report("data.unknown-key", "unknown key \"\(m.key)\" in a prompt/completion example", key: m)
        }
        var length = 0
        if let p = obj["prompt"] {
            if let s = p.stringValue {
                ChatRules.checkText(s, node: p, &ctx, whitespace: false)
                length += s.unicodeScalars.count
            } else {
                ctx.report("data.missing-prompt", "\"prompt\" must be a string, found \(p.typeDescription)", node: p)
            }
        } else {
            ctx.report("data.missing-prompt", "expected a \"prompt\" string", at: obj.offset)
        }
        if let c = obj["completion"] {
            if let s = c.stringValue {
                if s.isEmpty { ctx.report("data.missing-completion", "\"completion\" is empty", node: c) }
                ChatRules.checkText(s, node: c, &ctx, whitespace: false)
                length += s.unicodeScalars.count
            } else {
                ctx.report("data.missing-completion", "\"completion\" must be a string, found \(c.typeDescription)", node: c)
            }
        } else {
            ctx.report("data.missing-completion", "expected a \"completion\" string", at: obj.offset)
        }
        if length > longExampleCharacters {
            ctx.report("data.long-example", "example has \(length) characters, over \(longExampleCharacters)", at: obj.offset)
        }
    }
}

/// What the legacy advice needs to know about all prompts and completions, gathered one example
/// at a time and mergeable in file order, so it works on a streamed file.
struct CompletionProfile {
    static let separators = [" ->", "\n\n###\n\n", "\n\n===\n\n", "\n\n---\n\n", "\n\n===>\n\n", "\n\n--->\n\n"]
    static let separatorFallback = "\n\n### =>\n\n"
    static let endings = ["\n", ".", " END", "***", "+++", "&&&", "$$$", "@@@", "%%%"]
    static let endingFallback = " [END]"

    var count = 0
    var firstLine = 0
    var promptPrefix: [Unicode.Scalar]?
    var promptSuffix: [Unicode.Scalar]?
    var completionPrefix: [Unicode.Scalar]?
    var completionSuffix: [Unicode.Scalar]?
    var firstPrompt: String?
    var promptsIdentical = true
    var firstCompletion: String?
    var completionsIdentical = true
    var allPromptsEmpty = true
    var anyPromptNewline = false
    var separatorsUsed = Array(repeating: false, count: separators.count)
    var endingsUsed = Array(repeating: false, count: endings.count)
    var noLeadingSpace = 0
    var firstNoLeadingSpace = 0
    var upper = (prompt: 0, completion: 0)
    var lower = (prompt: 0, completion: 0)
    var distinctCompletions = Set<UInt64>()

    mutating func add(prompt: String, completion: String, line: Int) {
        var one = CompletionProfile()
        one.count = 1
        one.firstLine = line
        one.promptPrefix = Array(prompt.unicodeScalars)
        one.promptSuffix = one.promptPrefix
        one.completionPrefix = Array(completion.unicodeScalars)
        one.completionSuffix = one.completionPrefix
        one.firstPrompt = prompt
        one.firstCompletion = completion
        one.allPromptsEmpty = prompt.isEmpty
        one.anyPromptNewline = prompt.contains("\n")
        one.separatorsUsed = Self.separators.map { prompt.contains($0) }
        one.endingsUsed = Self.endings.map { completion.contains($0) }
        if !completion.hasPrefix(" ") { one.noLeadingSpace = 1; one.firstNoLeadingSpace = line }
        for s in prompt.unicodeScalars { if s.properties.isUppercase { one.upper.prompt += 1 } else if s.properties.isLowercase { one.lower.prompt += 1 } }
        for s in completion.unicodeScalars { if s.properties.isUppercase { one.upper.completion += 1 } else if s.properties.isLowercase { one.lower.completion += 1 } }
        one.distinctCompletions = [Fingerprint.exact(completion)]
        merge(one)
    }

    /// Folds `later` (examples after this profile's) into this one.
    mutating func merge(_ later: CompletionProfile) {
        guard later.count > 0 else { return }
        guard count > 0 else { self = later; return }
        promptPrefix = Self.commonPrefix(promptPrefix!, later.promptPrefix!)
        promptSuffix = Self.commonSuffix(promptSuffix!, later.promptSuffix!)
        completionPrefix = Self.commonPrefix(completionPrefix!, later.completionPrefix!)
        completionSuffix = Self.commonSuffix(completionSuffix!, later.completionSuffix!)
        promptsIdentical = promptsIdentical && later.promptsIdentical && firstPrompt == later.firstPrompt
        completionsIdentical = completionsIdentical && later.completionsIdentical && firstCompletion == later.firstCompletion
        allPromptsEmpty = allPromptsEmpty && later.allPromptsEmpty
        anyPromptNewline = anyPromptNewline || later.anyPromptNewline
        for i in separatorsUsed.indices { separatorsUsed[i] = separatorsUsed[i] || later.separatorsUsed[i] }
        for i in endingsUsed.indices { endingsUsed[i] = endingsUsed[i] || later.endingsUsed[i] }
        if noLeadingSpace == 0 { firstNoLeadingSpace = later.firstNoLeadingSpace }
        noLeadingSpace += later.noLeadingSpace
        upper.prompt += later.upper.prompt; upper.completion += later.upper.completion
        lower.prompt += later.lower.prompt; lower.completion += later.lower.completion
        distinctCompletions.formUnion(later.distinctCompletions)
        count += later.count
    }

    static func commonPrefix(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var n = 0
        while n < a.count && n < b.count && a[n] == b[n] { n += 1 }
        return Array(a.prefix(n))
    }

    static func commonSuffix(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var n = 0
        while n < a.count && n < b.count && a[a.count - 1 - n] == b[b.count - 1 - n] { n += 1 }
        return Array(a.suffix(n))
    }

    /// The legacy task guess: open-ended when every prompt is empty, classification when fewer
    /// than a third of the completions are distinct, conditional generation otherwise.
    var task: String {
        if allPromptsEmpty { return "open-ended generation" }
        if distinctCompletions.count * 3 < count { return "classification" }
        return "conditional generation"
    }

    func findings(file: String) -> [Diagnostic] {
        guard count > 0 else { return [] }
        var out: [Diagnostic] = []
        let at = SourceLocation(file: file, line: firstLine, column: 1)
        func show(_ s: String) -> String { JSON.quote(s) }
        if task != "open-ended generation" {
            if promptsIdentical && count > 1 {
                out.append(DataRules.finding("data.prompt-separator", "all \(count) prompts are identical; the model cannot learn which completion to give", at: at))
            } else if promptSuffix!.isEmpty {
                let candidates = Self.separators.enumerated().filter { i, s in !separatorsUsed[i] && !(s == " ->" && anyPromptNewline) }
                let pick = candidates.first?.element ?? Self.separatorFallback
                out.append(DataRules.finding("data.prompt-separator", "prompts do not end with a common separator; end each with \(show(pick))", at: at))
            } else if promptSuffix!.count > 10 {
                let suffix = String(String.UnicodeScalarView(promptSuffix!))
                out.append(DataRules.finding("data.prompt-separator", "the common prompt ending \(show(suffix)) is over 10 characters; a short separator works better", at: at))
            }
        }
        if task == "conditional generation" {
            if completionsIdentical && count > 1 {
                out.append(DataRules.finding("data.completion-ending", "all \(count) completions are identical", at: at))
            } else if completionSuffix!.isEmpty {
                let pick = Self.endings.enumerated().first { i, _ in !endingsUsed[i] }?.element ?? Self.endingFallback
                out.append(DataRules.finding("data.completion-ending", "completions do not end with a common stop sequence; end each with \(show(pick))", at: at))
            }
        }
        if noLeadingSpace > 0 {
            out.append(DataRules.finding("data.leading-space", "\(noLeadingSpace) of \(count) completions do not start with a space",
                                         at: SourceLocation(file: file, line: firstNoLeadingSpace, column: 1)))
        }
        if upper.prompt * 2 > lower.prompt && upper.prompt > 0 {
            out.append(DataRules.finding("data.uppercase", "prompts are mostly upper case (\(upper.prompt) upper, \(lower.prompt) lower)", at: at))
        }
        if upper.completion * 2 > lower.completion && upper.completion > 0 {
            out.append(DataRules.finding("data.uppercase", "completions are mostly upper case (\(upper.completion) upper, \(lower.completion) lower)", at: at))
        }
        if count > 1, let p = promptPrefix, p.count > 12 {
            out.append(DataRules.finding("data.common-prefix", "every prompt starts with the same \(p.count) characters \(show(String(String.UnicodeScalarView(p.prefix(40)))))", at: at))
        }
        if count > 1, let c = completionPrefix, c.count >= 5 {
            out.append(DataRules.finding("data.common-prefix", "every completion starts with the same \(c.count) characters \(show(String(String.UnicodeScalarView(c.prefix(40)))))", at: at))
        }
        return out
    }
}
