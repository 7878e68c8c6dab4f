import FTCore

/// What a transform did, for people (`changes`) and scripts (`toValue()`).
public struct TransformReport: Sendable {
    public var operation: String
    public var before: Int
    public var after: Int
    /// One line per kind of change: "trimmed whitespace in 4 messages".
    public var changes: [String]

    public func toValue() -> Value {
        .record(Record([
            ("operation", .string(operation)), ("before", .int(before)), ("after", .int(after)),
            ("removed", .int(before - after)), ("changes", .list(changes.map { .string($0) })),
        ]))
    }
}

extension Dataset {
    /// The safe clean-up: trims whitespace around message texts (chat and preference data),
    /// renames legacy preference keys, then drops examples that still break a format rule and
    /// exact duplicates. Nothing that changes what a valid example teaches.
    public func cleaned() -> (Dataset, TransformReport) {
        var out = self
        var trimmed = 0, renamed = 0
        for i in out.examples.indices {
            if format != .completion { trimmed += Self.trimTexts(&out.examples[i].node) }
            if format == .preference { renamed += Self.renameLegacyKeys(&out.examples[i].node) }
        }
        let before = out.examples.count
        out.examples.removeAll { Self.errors(in: $0.node, format: format) > 0 }
        let invalid = before - out.examples.count
        let (deduped, dupReport) = out.deduplicated(normalized: false)
        var changes: [String] = []
        if trimmed > 0 { changes.append("trimmed whitespace in \(trimmed) text\(trimmed == 1 ? "" : "s")") }
        if renamed > 0 { changes.append("renamed legacy preference keys in \(renamed) example\(renamed == 1 ? "" : "s")") }
        if invalid > 0 { changes.append("dropped \(invalid) example\(invalid == 1 ? "" : "s") with format errors") }
        changes += dupReport.changes
        return (deduped, TransformReport(operation: "clean", before: count, after: deduped.count, changes: changes))
    }

    /// Drops examples equal to an earlier one: exactly, or after lower-casing ASCII letters and
    /// collapsing whitespace (`normalized`). The first of each group is kept, in place.
    public func deduplicated(normalized: Bool) -> (Dataset, TransformReport) {
        var seen = Set<UInt64>()
        var exactSeen = Set<String>()
        var out = self
        out.examples = examples.filter { e in
            if normalized { return seen.insert(Fingerprint.normalized(e.node)).inserted }
            return exactSeen.insert(e.node.encoded()).inserted
        }
        let removed = count - out.count
        let what = normalized ? "near-duplicate" : "duplicate"
        return (out, TransformReport(operation: "dedupe", before: count, after: out.count,
                                     changes: removed > 0 ? ["dropped \(removed) \(what) example\(removed == 1 ? "" : "s")"] : []))
    }

    /// A seeded train/validation split. `validFraction` of the examples (rounded, at least one
    /// when there are two or more) go to validation; both parts keep the original order. The
    /// shuffle draws from `random.derived("split")`, so a `seed N` gives the same split anywhere.
    public func split(validFraction: Double, random: SeededRandom) throws(Diagnostic) -> (train: Dataset, valid: Dataset) {
        guard validFraction > 0 && validFraction < 1 else {
            throw .error("--valid must be a fraction between 0 and 1, got \(Value.format(validFraction))", id: "usage.bad-fraction")
        }
        guard count >= 2 else { throw .error("cannot split \(count) example\(count == 1 ? "" : "s")", id: "data.too-few-examples") }
        let nValid = min(count - 1, max(1, Int((Double(count) * validFraction).rounded())))
        var order = Array(examples.indices)
        var rng = random.derived("split")
        rng.shuffle(&order)
        let validSet = Set(order.prefix(nValid))
        var train = self, valid = self
        train.name = name + "_train"
        valid.name = name + "_valid"
        train.examples = examples.indices.filter { !validSet.contains($0) }.map { examples[$0] }
        valid.examples = examples.indices.filter { validSet.contains($0) }.map { examples[$0] }
        return (train, valid)
    }

    /// `n` examples drawn without replacement (seeded, `random.derived("sample")`), in their original order.
    public func sample(_ n: Int, random: SeededRandom) -> Dataset {
        var out = self
        guard n < count else { return out }
        var order = Array(examples.indices)
        var rng = random.derived("sample")
        rng.shuffle(&order)
        let keep = Set(order.prefix(max(0, n)))
        out.examples = examples.indices.filter { keep.contains($0) }.map { examples[$0] }
        return out
    }

    /// Keeps the examples of at most `maxTokens` tokens (counted as `TokenAccounting` does).
    public func filtered(maxTokens: Int, counter: any TokenCounter) -> (Dataset, TransformReport) {
        var out = self
        out.examples = examples.filter { e in
            (TokenAccounting.tokens(of: e.node, format: format, counter: counter)?.total ?? 0) <= maxTokens
        }
        let removed = count - out.count
        return (out, TransformReport(operation: "filter", before: count, after: out.count,
                                     changes: removed > 0 ? ["dropped \(removed) example\(removed == 1 ? "" : "s") over \(maxTokens) tokens"] : []))
    }

    /// Error findings of one example under the format's rules.
    static func errors(in node: JSONNode, format: DataFormat) -> Int {
        let bytes = Array(node.encoded().utf8)
        let analyzer = LineAnalyzer(file: "", options: CheckOptions(format: format, parallelism: 1), tokenLimit: .max, keepNodes: false)
        var batch = BatchAnalysis()
        bytes.withUnsafeBufferPointer { analyzer.analyzeLine($0, line: 1, into: &batch) }
        return batch.findings.filter { $0.severity == .error }.count
            + batch.aggregated.values.filter { $0.first.severity == .error }.count
    }

    /// Trims message texts in place; returns how many changed.
    static func trimTexts(_ node: inout JSONNode) -> Int {
        var changed = 0
        func trimMessages(_ list: inout JSONNode) {
            guard case .array(var ms) = list.kind else { return }
            for i in ms.indices {
                guard var c = ms[i]["content"] else { continue }
                switch c.kind {
                case .string(let s):
                    let t = trim(s)
                    if t != s { c.kind = .string(t); changed += 1 }
                case .array(var parts):
                    for j in parts.indices {
                        if let s = parts[j]["text"]?.stringValue, trim(s) != s { parts[j].set("text", .string(trim(s))); changed += 1 }
                    }
                    c.kind = .array(parts)
                default: continue
                }
                ms[i].set("content", c)
            }
            list.kind = .array(ms)
        }
        for key in ["messages", "preferred_output", "non_preferred_output", "preferred_completion", "non_preferred_completion"] {
            if var list = node[key] { trimMessages(&list); node.set(key, list) }
        }
        if var input = node["input"], var list = input["messages"] {
            trimMessages(&list)
            input.set("messages", list)
            node.set("input", input)
        }
        return changed
    }

    static func trim(_ s: String) -> String {
        var u = Substring(s)
        while let f = u.unicodeScalars.first, f == " " || f == "\n" || f == "\t" || f == "\r" { u = u.dropFirst() }
        while let l = u.unicodeScalars.last, l == " " || l == "\n" || l == "\t" || l == "\r" { u = u.dropLast() }
        return String(u)
    }

    /// preferred_completion → preferred_output (and the non-preferred one); returns 1 when renamed.
    static func renameLegacyKeys(_ node: inout JSONNode) -> Int {
        guard case .object(var ms) = node.kind else { return 0 }
        var changed = 0
        for i in ms.indices {
            if ms[i].key == "preferred_completion", node["preferred_output"] == nil { ms[i].key = "preferred_output"; changed = 1 }
            if ms[i].key == "non_preferred_completion", node["non_preferred_output"] == nil { ms[i].key = "non_preferred_output"; changed = 1 }
        }
        node.kind = .object(ms)
        return changed
    }
}
