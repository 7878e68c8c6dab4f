import Foundation
import FTCore
import FTPluginKit

/// Running statements: commands, `set`, `if`, `for`, `assert`.
extension Session {
    /// Runs a whole script (or one REPL entry): each statement in turn, printing results and
    /// errors. Stops at the first error unless `keepGoing`; returns the exit status.
    public func run(source: String, file: String, firstLine: Int = 1) async -> ExitStatus {
        let statements: [Statement]
        do {
            statements = try Parser.parse(source, file: file, firstLine: firstLine)
        } catch {
            printError(error.diagnostic, source: source, firstLine: firstLine)
            return error.diagnostic.exitStatus
        }
        var status = ExitStatus.ok
        for statement in statements {
            let s = await runTopLevel(statement, source: source, firstLine: firstLine)
            if s != .ok && status == .ok { status = s }
            if let exit = exitRequest { return status == .ok ? exit : status }
            if s != .ok && (!options.keepGoing || s == .interrupted) { return s }
        }
        return status
    }

    /// Runs one top-level statement, printing its result or its error; returns its status.
    public func runTopLevel(_ statement: Statement, source: String? = nil, firstLine: Int = 1) async -> ExitStatus {
        Interrupt.clear()
        do {
            _ = try await execute(statement, display: true)
            return .ok
        } catch {
            return reportFailure(error, source: source, firstLine: firstLine)
        }
    }

    /// Prints an error of any kind the one way, and says which status it ends a script with.
    @discardableResult
    public func reportFailure(_ error: any Error, source: String? = nil, firstLine: Int = 1) -> ExitStatus {
        output.progress(nil)
        switch error {
        case let d as Diagnostic:
            printError(d, source: source, firstLine: firstLine)
            return d.exitStatus
        case let e as SyntaxError:
            printError(e.diagnostic, source: source, firstLine: firstLine)
            return e.diagnostic.exitStatus
        case let i as Interrupted:
            output.line("interrupted: \(i.detail)", to: .err)
            return .interrupted
        default:
            let d = Diagnostic.error("\(error)", id: "internal.error")
            printError(d, source: source, firstLine: firstLine)
            return .internalError
        }
    }

    func printError(_ d: Diagnostic, source: String?, firstLine: Int) {
        var line: String?
        if options.interactive, let source, let loc = d.location {
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            let k = loc.line - firstLine
            if k >= 0 && k < lines.count { line = String(lines[k]) }
        }
        output.line(DiagnosticPrinter(color: options.color).format(d, sourceLine: line),
                    captured: DiagnosticPrinter(color: false).format(d), to: .err)
    }

    // MARK: statements

    public func execute(_ statement: Statement, display: Bool) async throws -> Value {
        try Interrupt.check()
        switch statement {
        case .command(let call):
            let v = try await callCommand(call, display: display)
            setVariable("_", v)
            return v
        case .set(let name, let expr, _):
            let v: Value
            if case .command(let call) = expr, let bare = bareWordValue(call) {
                v = bare
            } else {
                v = try await evaluate(expr)
            }
            if name == "_" { throw Diagnostic.error("'_' holds the last result and cannot be set", id: "usage.reserved-variable", at: statement.range.start) }
            setVariable(name, v)
            return .null
        case .ifChain(let branches, let elseBody, _):
            for (cond, body) in branches where try await evaluate(cond).isTruthy {
                return try await executeBlock(body, display: display)
            }
            if let elseBody { return try await executeBlock(elseBody, display: display) }
            return .null
        case .forLoop(let name, let seqExpr, let body, _):
            let seq = try await evaluate(seqExpr)
            let count: Int
            let item: (Int) -> Value
            switch seq {
            case .list(let l): count = l.count; item = { l[$0] }
            case .record(let r):
                let keys = r.keys
                count = keys.count; item = { .string(keys[$0]) }
            case .number(let n) where n >= 0 && n.rounded() == n && n < 9e15:
                // Counted, not listed: a loop of N turns needs no list of N numbers.
                count = Int(n); item = { .int($0) }
            case .null: count = 0; item = { _ in .null }
            case .number(let n):
                throw Diagnostic.error("a loop count must be a whole number from 0 to 9e15, got \(Value.format(n))", id: "usage.bad-argument",
                                       at: seqExpr.range.start)
            default:
                throw Diagnostic.error("expected a list to loop over, got \(seq.typeName)", id: "usage.not-a-list", at: seqExpr.range.start)
            }
            for k in 0..<count {
                try Interrupt.check()
                setVariable(name, item(k))
                _ = try await executeBlock(body, display: display)
                if exitRequest != nil { break }
            }
            return .null
        case .assert(let cond, let message, let range):
            if try await evaluate(cond).isTruthy { return .null }
            var text = "assertion failed: " + describe(cond)
            if let message { text += ": " + (try await evaluate(message)).text }
            throw Diagnostic.error(text, id: "shell.assertion", at: range.start, length: range.length)
        }
    }

    func executeBlock(_ body: [Statement], display: Bool) async throws -> Value {
        var last = Value.null
        for s in body {
            last = try await execute(s, display: display)
            if exitRequest != nil { break }
        }
        return last
    }

    /// `set lang = ko`: a single bare word that is not a command is text.
    func bareWordValue(_ call: CommandCall) -> Value? {
        guard call.words.count == 1, let w = call.words.first, !w.quoted, let lit = w.literal,
              registry.resolve([lit]) == nil, aliases[lit] == nil else { return nil }
        return .string(lit)
    }

    /// The source text of an expression, for assertion messages, with variable values shown.
    func describe(_ e: Expression) -> String {
        switch e {
        case .literal(let v, _): return v.text
        case .word(let w): return w.literal.map { w.quoted ? JSON.quote($0) : $0 } ?? "…"
        case .variable(let v):
            let val = (try? lookup(v)).map { " (\(Render.cell($0)))" } ?? ""
            return "$" + v.name + v.accessors.map { if case .field(let f) = $0 { "." + f } else { "[…]" } }.joined() + val
        case .list: return "[…]"
        case .record: return "{…}"
        case .unary(let op, let x, _): return op == "not" ? "not " + describe(x) : op + describe(x)
        case .binary(let op, let a, let b, _): return describe(a) + " " + op + " " + describe(b)
        case .command(let c): return "$(" + c.text + ")"
        case .access(let x, _, _): return describe(x) + "…"
        }
    }

    // MARK: commands

    public func callCommand(_ call: CommandCall, display: Bool, aliasDepth: Int = 0) async throws -> Value {
        // Alias expansion on the first word.
        if let first = call.words.first, !first.quoted, let lit = first.literal, let text = aliases[lit] {
            guard aliasDepth < 10 else {
                throw Diagnostic.error("alias '\(lit)' expands into itself", id: "usage.alias-loop", at: first.range.start)
            }
            let expanded: [Statement]
            do { expanded = try Parser.parse(text, file: "alias \(lit)") } catch { throw error.diagnostic }
            guard expanded.count == 1, case .command(var inner) = expanded[0] else {
                throw Diagnostic.error("alias '\(lit)' must be a single command", id: "usage.bad-alias", at: first.range.start)
            }
            inner.words = inner.words.map { var w = $0; w.range = first.range; return w } + call.words.dropFirst()
            inner.range = call.range
            inner.text = call.text
            return try await callCommand(inner, display: display, aliasDepth: aliasDepth + 1)
        }

        var leading: [String] = []
        for w in call.words.prefix(3) {
            guard !w.quoted, let lit = w.literal else { break }
            leading.append(lit)
        }
        guard let (spec, consumed) = registry.resolve(leading) else {
            throw unknownCommand(call, leading: leading)
        }
        var words: [ArgumentWord] = []
        for w in call.words.dropFirst(consumed) {
            let v = try await evaluateWord(w)
            let literalText = w.quoted || !(w.parts.allSatisfy { if case .text = $0 { true } else { false } })
            words.append(ArgumentWord(value: v, location: w.range.start, length: w.range.length, isLiteralText: literalText))
        }
        if words.contains(where: { !$0.isLiteralText && ($0.value == "--help" || $0.value == "-h") }) {
            output.line(Help.text(for: spec, registry: registry))
            return .null
        }
        if spec.isSyntax || spec.run == nil {
            throw Diagnostic.error("'\(spec.name)' is part of the language; write it at the start of a statement",
                                   id: "usage.syntax-form", at: call.range.start, notes: ["usage: \(spec.usage)"])
        }
        let invocation = try ArgumentBinder.bind(words, to: spec, at: call.range.start)
        let value: Value
        do {
            value = try await spec.run!(invocation, self)
        } catch let d as Diagnostic {
            throw d.located(call.range.start, length: call.range.length)
        }
        output.progress(nil)
        if display { show(value, spec: spec, json: invocation.json) }
        return value
    }

    func show(_ value: Value, spec: CommandSpec, json: Bool) {
        if json || options.jsonOutput {
            output.line(JSON.encode(value, indent: 2))
            return
        }
        guard value != .null else { return }
        let text: String
        switch spec.display {
        case .none: return
        case .value: text = Render.value(value, options: renderOptions)
        case .custom(let f): text = f(value, renderOptions)
        }
        if !text.isEmpty { output.line(text) }
    }

    func unknownCommand(_ call: CommandCall, leading: [String]) -> Diagnostic {
        guard let first = leading.first, let w = call.words.first else {
            return .error("expected a command name", id: "usage.unknown-command", at: call.range.start)
        }
        if registry.isGroup(first) {
            let subs = registry.subcommands(of: first).map { $0.path[1] }
            if leading.count > 1, call.words.count > 1 {
                let near = Spelling.nearest(to: leading[1], in: subs)
                return .error("unknown command '\(first) \(leading[1])'", id: "usage.unknown-command",
                              at: call.words[1].range.start, length: call.words[1].range.length,
                              notes: (near.map { ["did you mean '\(first) \($0)'?"] } ?? []) + ["\(first) commands: " + subs.joined(separator: ", ")])
            }
            return .error("'\(first)' needs a subcommand", id: "usage.missing-subcommand", at: w.range.start, length: w.range.length,
                          notes: ["\(first) commands: " + subs.joined(separator: ", "), "try 'help \(first)'"])
        }
        let near = Spelling.nearest(to: first, in: registry.topLevelWords + aliases.keys.sorted())
        return .error("unknown command '\(first)'", id: "usage.unknown-command", at: w.range.start, length: w.range.length,
                      notes: near.map { ["did you mean '\($0)'?"] } ?? ["try 'help' for the list of commands"])
    }

    // MARK: words and expressions

    func evaluateWord(_ w: Word) async throws -> Value {
        if w.parts.count == 1 {
            switch w.parts[0] {
            case .text(let t): return .string(t)
            case .variable(let v): return try lookup(v)
            case .substitution(let c): return try await callCommand(c, display: false)
            case .expression(let e): return try await evaluate(e)
            }
        }
        var s = ""
        for p in w.parts {
            switch p {
            case .text(let t): s += t
            case .variable(let v): s += try lookup(v).text
            case .substitution(let c): s += try await callCommand(c, display: false).text
            case .expression(let e): s += try await evaluate(e).text
            }
        }
        return .string(s)
    }

    func lookup(_ ref: VariableRef) throws -> Value {
        guard let base = variables[ref.name] else {
            let near = Spelling.nearest(to: ref.name, in: Array(variables.keys))
            throw Diagnostic.error("unknown variable $\(ref.name)", id: "shell.unknown-variable", at: ref.range.start,
                                   length: ref.range.length, notes: near.map { ["did you mean $\($0)?"] } ?? [])
        }
        var v = base
        for a in ref.accessors {
            v = try access(v, a, at: ref.range)
        }
        return v
    }

    func access(_ v: Value, _ a: Accessor, at range: SourceRange) throws -> Value {
        switch a {
        case .field(let name):
            if let f = v[name] { return f }
            switch (v, name) {
            case (.list(let l), "count"), (.list(let l), "length"): return .int(l.count)
            case (.string(let s), "count"), (.string(let s), "length"): return .int(s.count)
            case (.record(let r), "count"): return .int(r.count)
            case (.record(let r), "keys"): return .list(r.keys.map { .string($0) })
            case (.object(let ref), "name"): return .string(ref.name)
            case (.object(let ref), "kind"): return .string(ref.kind)
            default:
                var notes: [String] = []
                if let keys = v.recordValue?.keys ?? v.objectValue?.summary.keys {
                    if let near = Spelling.nearest(to: name, in: keys) { notes.append("did you mean .\(near)?") }
                    else if !keys.isEmpty { notes.append("fields: " + keys.joined(separator: ", ")) }
                }
                throw Diagnostic.error("\(v.typeName) has no field '\(name)'", id: "shell.no-field", at: range.start,
                                       length: range.length, notes: notes)
            }
        case .index(let e):
            let key = try awaitless(e)
            switch (v, key) {
            case (.list(let l), .number):
                guard let k = key.intValue else { break }
                let idx = k < 0 ? l.count + k : k
                guard idx >= 0 && idx < l.count else {
                    throw Diagnostic.error("index \(k) is out of range for a list of \(l.count)", id: "shell.index-range", at: range.start, length: range.length)
                }
                return l[idx]
            case (.string(let s), .number):
                guard let k = key.intValue else { break }
                let chars = Array(s)
                let idx = k < 0 ? chars.count + k : k
                guard idx >= 0 && idx < chars.count else {
                    throw Diagnostic.error("index \(k) is out of range for a string of \(chars.count)", id: "shell.index-range", at: range.start, length: range.length)
                }
                return .string(String(chars[idx]))
            case (_, .string(let name)):
                return try access(v, .field(name), at: range)
            default: break
            }
            throw Diagnostic.error("cannot index \(v.typeName) with \(key.typeName)", id: "shell.bad-index", at: range.start, length: range.length)
        }
    }

    /// Index expressions are plain values (no commands), so they evaluate without suspending.
    func awaitless(_ e: Expression) throws -> Value {
        switch e {
        case .literal(let v, _): return v
        case .variable(let v): return try lookup(v)
        case .word(let w):
            if let lit = w.literal { return .string(lit) }
            if w.parts.count == 1, case .variable(let v) = w.parts[0] { return try lookup(v) }
        case .unary("-", let x, _):
            if let n = try awaitless(x).numberValue { return .number(-n) }
        case .binary(let op, let a, let b, let r) where ["+", "-", "*", "/", "%"].contains(op):
            return try arithmetic(op, try awaitless(a), try awaitless(b), at: r)
        default: break
        }
        throw Diagnostic.error("an index must be a number, a key or a variable", id: "shell.bad-index", at: e.range.start)
    }

    public func evaluate(_ e: Expression) async throws -> Value {
        switch e {
        case .literal(let v, _): return v
        case .word(let w): return try await evaluateWord(w)
        case .variable(let v): return try lookup(v)
        case .list(let items, _):
            var out: [Value] = []
            for x in items { out.append(try await evaluate(x)) }
            return .list(out)
        case .record(let pairs, _):
            var r = Record()
            for (k, x) in pairs { r[k] = try await evaluate(x) }
            return .record(r)
        case .command(let call):
            return try await callCommand(call, display: false)
        case .access(let base, let accessors, let range):
            var v = try await evaluate(base)
            for a in accessors { v = try access(v, a, at: range) }
            return v
        case .unary(let op, let x, let range):
            let v = try await evaluate(x)
            if op == "not" { return .bool(!v.isTruthy) }
            guard let n = Operators.number(v) else {
                throw Diagnostic.error("expected a number after '-', got \(v.typeName)", id: "shell.type-mismatch", at: range.start)
            }
            return .number(-n)
        case .binary(let op, let a, let b, let range):
            if op == "and" {
                let l = try await evaluate(a)
                return l.isTruthy ? .bool(try await evaluate(b).isTruthy) : .bool(false)
            }
            if op == "or" {
                let l = try await evaluate(a)
                return l.isTruthy ? .bool(true) : .bool(try await evaluate(b).isTruthy)
            }
            let l = try await evaluate(a)
            let r = try await evaluate(b)
            return try arithmetic(op, l, r, at: range)
        }
    }

    func arithmetic(_ op: String, _ l: Value, _ r: Value, at range: SourceRange) throws -> Value {
        do {
            return try Operators.apply(op, l, r)
        } catch {
            throw Diagnostic.error(error.text, id: "shell.type-mismatch", at: range.start, length: range.length)
        }
    }
}
