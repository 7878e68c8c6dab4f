import FTCore

/// Binds evaluated words to a command's declaration: splits flags from positionals, converts
/// each to its declared type and reports mistakes at the word that made them, with the usage
/// and, for misspelt flags, the nearest name.
public enum ArgumentBinder {
    public static func bind(_ words: [ArgumentWord], to spec: CommandSpec, at location: SourceLocation) throws(Diagnostic) -> Invocation {
        var values: [String: Value] = [:]
        var locations: [String: SourceRange] = [:]
        var positionals: [ArgumentWord] = []
        var json = false
        var i = 0
        var flagsEnded = false
        let allFlags = spec.flags + CommandSpec.commonFlags

        func usageError(_ message: String, _ word: ArgumentWord, notes: [String] = []) -> Diagnostic {
            .error(message, id: "usage.bad-argument", at: word.location, length: word.length,
                   notes: notes + ["usage: \(spec.usage)"])
        }

        while i < words.count {
            let word = words[i]
            i += 1
            guard !flagsEnded, !word.isLiteralText, case .string(let text) = word.value, text.hasPrefix("-"), text.count > 1,
                  Double(text) == nil else {
                positionals.append(word)
                continue
            }
            if text == "--" { flagsEnded = true; continue }
            var name: String
            var inlineValue: String?
            if text.hasPrefix("--") {
                name = String(text.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
            } else {
                let letter = text.dropFirst()
                guard letter.count == 1, let f = allFlags.first(where: { $0.short == letter.first }) else {
                    throw usageError("unknown option \(text) for '\(spec.name)'", word)
                }
                name = f.name
            }
            guard let flag = allFlags.first(where: { $0.name == name }) else {
                let near = Spelling.nearest(to: name, in: allFlags.map(\.name))
                throw usageError("unknown flag --\(name) for '\(spec.name)'", word,
                                 notes: near.map { ["did you mean --\($0)?"] } ?? [])
            }
            if flag.name == "json" { json = true; continue }
            let range = SourceRange(start: word.location, length: word.length)
            if !flag.takesValue {
                if let inlineValue {
                    guard let b = Bool(inlineValue) else { throw usageError("--\(name) takes no value (or true/false)", word) }
                    values[name] = .bool(b)
                } else {
                    values[name] = .bool(true)
                }
                locations[name] = range
                continue
            }
            let raw: ArgumentWord
            if let inlineValue {
                raw = ArgumentWord(value: .string(inlineValue), location: word.location, length: word.length, isLiteralText: true)
            } else {
                guard i < words.count else { throw usageError("--\(name) expects \(flag.type.placeholder)", word) }
                raw = words[i]
                i += 1
            }
            let v = try convert(raw, to: flag.type, what: "--\(name)", spec: spec)
            if flag.repeatable {
                var list = values[name]?.listValue ?? []
                list.append(v)
                values[name] = .list(list)
            } else {
                values[name] = v
            }
            locations[name] = SourceRange(start: word.location, length: word.length)
        }

        var p = 0
        for arg in spec.arguments {
            if arg.variadic {
                var list: [Value] = []
                if p < positionals.count { locations[arg.name] = SourceRange(start: positionals[p].location, length: positionals[p].length) }
                while p < positionals.count {
                    list.append(try convert(positionals[p], to: arg.type, what: arg.name.uppercased(), spec: spec))
                    p += 1
                }
                if list.isEmpty && !arg.optional {
                    throw Diagnostic.error("'\(spec.name)' expects \(arg.name.uppercased())", id: "usage.missing-argument",
                                           at: location, notes: ["usage: \(spec.usage)"])
                }
                values[arg.name] = .list(list)
                continue
            }
            if p < positionals.count {
                values[arg.name] = try convert(positionals[p], to: arg.type, what: arg.name.uppercased(), spec: spec)
                locations[arg.name] = SourceRange(start: positionals[p].location, length: positionals[p].length)
                p += 1
            } else if !arg.optional {
                throw Diagnostic.error("'\(spec.name)' expects \(arg.name.uppercased())", id: "usage.missing-argument",
                                       at: location, notes: ["usage: \(spec.usage)"])
            }
        }
        if p < positionals.count {
            throw usageError("unexpected argument '\(positionals[p].value.text)' for '\(spec.name)'", positionals[p])
        }
        for flag in spec.flags where values[flag.name] == nil {
            values[flag.name] = flag.repeatable && flag.defaultValue == .null ? .list([]) : flag.defaultValue
        }
        return Invocation(spec: spec, values: values, locations: locations, location: location, json: json)
    }

    /// Converts a word to a declared type: `"8"` → 8 for `.int`, a `$var` holding a number stays one.
    public static func convert(_ word: ArgumentWord, to type: ArgumentType, what: String, spec: CommandSpec) throws(Diagnostic) -> Value {
        func fail(_ expected: String) -> Diagnostic {
            .error("expected \(expected) for \(what), got '\(word.value.text)'", id: "usage.bad-argument",
                   at: word.location, length: word.length, notes: ["usage: \(spec.usage)"])
        }
        switch type {
        case .value:
            return word.value
        case .string, .path:
            if case .object(let ref) = word.value { return .string(ref.name) }
            return .string(word.value.text)
        case .int:
            if let n = word.value.intValue { return .number(Double(n)) }
            if case .string(let s) = word.value, let n = Int(s.replacingOccurrences(of: "_", with: "")) {
                // Values are Doubles: beyond 2^53 an integer is no longer itself, so it is refused
                // rather than read as something else (or as nothing).
                if abs(n) < 9_000_000_000_000_000 { return .number(Double(n)) }
                throw fail("an integer of at most 9e15 in size")
            }
            throw fail("an integer")
        case .number:
            if case .number = word.value { return word.value }
            if case .string(let s) = word.value, let n = Double(s), n.isFinite { return .number(n) }
            throw fail("a number")
        case .bool:
            if case .bool = word.value { return word.value }
            if case .string(let s) = word.value, let b = Bool(s) { return .bool(b) }
            throw fail("true or false")
        case .choice(let words):
            let s = word.value.text
            if words.contains(s) { return .string(s) }
            let near = Spelling.nearest(to: s, in: words)
            var d = fail("one of \(words.joined(separator: ", "))")
            if let near { d.notes.insert("did you mean '\(near)'?", at: 0) }
            throw d
        }
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Spelling {
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count)
        var cur = Array(repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// The closest candidate within a distance that scales with the word's length, or a
    /// candidate the word is a prefix of.
    public static func nearest(to word: String, in candidates: [String]) -> String? {
        let limit = max(1, min(3, word.count / 3 + 1))
        let scored = candidates.map { ($0, distance(word, $0)) }.filter { $0.1 <= limit }
        if let best = scored.min(by: { $0.1 < $1.1 }) { return best.0 }
        if word.count >= 2, let prefixed = candidates.first(where: { $0.hasPrefix(word) }) { return prefixed }
        return nil
    }
}
