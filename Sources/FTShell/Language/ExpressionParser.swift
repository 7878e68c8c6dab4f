import FTCore

/// Expressions: where a value is computed rather than a command run — after `if`, `assert`,
/// `for … in`, and on the right of `set x =` when it does not start with a command word.
///
///     or  <  and  <  not  <  == != < <= > >=  <  + -  <  * / %  <  unary -  <  primary
extension Parser {
    mutating func parseExpression(allowRecord: Bool) throws(SyntaxError) -> Expression {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth { throw error("expression nested too deeply") }
        return try parseOr(allowRecord)
    }

    mutating func skipExpressionSpace(insideBrackets: Bool) {
        skipBlanks()
        if insideBrackets {
            while let c = peek, c == "\n" || c == "#" {
                if c == "#" { skipComment() } else { advance() }
                skipBlanks()
            }
        }
    }

    mutating func matchKeyword(_ word: String) -> Bool {
        skipBlanks()
        guard peekBareIdentifier() == word else { return false }
        consumeIdentifier()
        return true
    }

    mutating func parseOr(_ rec: Bool) throws(SyntaxError) -> Expression {
        let start = location
        var left = try parseAnd(rec)
        while matchKeyword("or") {
            let right = try parseAnd(rec)
            left = .binary(op: "or", left, right, range(from: start))
        }
        return left
    }

    mutating func parseAnd(_ rec: Bool) throws(SyntaxError) -> Expression {
        let start = location
        var left = try parseNot(rec)
        while matchKeyword("and") {
            let right = try parseNot(rec)
            left = .binary(op: "and", left, right, range(from: start))
        }
        return left
    }

    mutating func parseNot(_ rec: Bool) throws(SyntaxError) -> Expression {
        let start = location
        if matchKeyword("not") {
            return .unary(op: "not", try parseNot(rec), range(from: start))
        }
        return try parseComparison(rec)
    }

    mutating func parseComparison(_ rec: Bool) throws(SyntaxError) -> Expression {
        let start = location
        let left = try parseAdditive(rec)
        skipBlanks()
        for op in ["==", "!=", "<=", ">=", "<", ">"] where hasPrefix(op) {
            for _ in op.unicodeScalars { advance() }
            let right = try parseAdditive(rec)
            return .binary(op: op, left, right, range(from: start))
        }
        if matchKeyword("contains") {
            return .binary(op: "contains", left, try parseAdditive(rec), range(from: start))
        }
        if matchKeyword("matches") {
            return .binary(op: "matches", left, try parseAdditive(rec), range(from: start))
        }
        return left
    }

    func hasPrefix(_ op: String) -> Bool {
        var k = i
        for c in op.unicodeScalars {
            guard k < s.count, s[k] == c else { return false }
            k += 1
        }
        return true
    }

    mutating func parseAdditive(_ rec: Bool) throws(SyntaxError) -> Expression {
        let start = location
        var left = try parseMultiplicative(rec)
        while true {
            skipBlanks()
            guard let c = peek, c == "+" || c == "-" else { return left }
            advance()
            let right = try parseMultiplicative(rec)
            left = .binary(op: String(Character(c)), left, right, range(from: start))
        }
    }

    mutating func parseMultiplicative(_ rec: Bool) throws(SyntaxError) -> Expression {
        let start = location
        var left = try parseUnary(rec)
        while true {
            skipBlanks()
            guard let c = peek, c == "*" || c == "/" || c == "%" else { return left }
            advance()
            let right = try parseUnary(rec)
            left = .binary(op: String(Character(c)), left, right, range(from: start))
        }
    }

    mutating func parseUnary(_ rec: Bool) throws(SyntaxError) -> Expression {
        skipBlanks()
        let start = location
        if peek == "-", let n = peek(1), !("0"..."9").contains(n) {
            advance()
            return .unary(op: "-", try parseUnary(rec), range(from: start))
        }
        return try parsePostfix(rec)
    }

    mutating func parsePostfix(_ rec: Bool) throws(SyntaxError) -> Expression {
        let start = location
        let base = try parsePrimary(rec)
        if case .variable = base { return base }
        let accessors = try parseAccessors()
        return accessors.isEmpty ? base : .access(base, accessors, range(from: start))
    }

    mutating func parsePrimary(_ rec: Bool) throws(SyntaxError) -> Expression {
        skipBlanks()
        let start = location
        guard let c = peek else { throw error("expected a value, found end of input", incomplete: true) }
        switch c {
        case "(":
            advance()
            let e = try parseExpression(allowRecord: true)
            skipExpressionSpace(insideBrackets: true)
            guard peek == ")" else {
                if atEnd { throw error("expected ')'", at: start, incomplete: true) }
                throw error("expected ')'")
            }
            advance()
            return e
        case "[":
            advance()
            var items: [Expression] = []
            skipExpressionSpace(insideBrackets: true)
            if peek == "]" { advance(); return .list(items, range(from: start)) }
            while true {
                items.append(try parseExpression(allowRecord: true))
                skipExpressionSpace(insideBrackets: true)
                if peek == "," { advance(); skipExpressionSpace(insideBrackets: true); continue }
                if peek == "]" { advance(); return .list(items, range(from: start)) }
                if atEnd { throw error("expected ']' to close the list", at: start, incomplete: true) }
                throw error("expected ',' or ']' in list")
            }
        case "{" where rec:
            advance()
            var pairs: [(String, Expression)] = []
            skipExpressionSpace(insideBrackets: true)
            if peek == "}" { advance(); return .record(pairs, range(from: start)) }
            while true {
                skipExpressionSpace(insideBrackets: true)
                let key: String
                if peek == "\"" || peek == "'" {
                    let w = try parseWord(singleQuotedSegment: true)
                    guard let lit = w.literal else { throw error("record keys must be plain text") }
                    key = lit
                } else if let name = readIdentifier() {
                    key = name
                } else {
                    if atEnd { throw error("expected '}' to close the record", at: start, incomplete: true) }
                    throw error("expected a key in record")
                }
                skipBlanks()
                guard peek == ":" else { throw error("expected ':' after record key") }
                advance()
                pairs.append((key, try parseExpression(allowRecord: true)))
                skipExpressionSpace(insideBrackets: true)
                if peek == "," { advance(); continue }
                if peek == "}" { advance(); return .record(pairs, range(from: start)) }
                if atEnd { throw error("expected '}' to close the record", at: start, incomplete: true) }
                throw error("expected ',' or '}' in record")
            }
        case "\"", "'":
            return .word(try parseWord(singleQuotedSegment: true))
        case "$":
            guard let part = try parseDollar() else { throw error("expected a variable name after '$'") }
            switch part {
            case .variable(let v): return .variable(v)
            case .substitution(let call): return .command(call)
            default: throw error("unexpected '$'")
            }
        default:
            if ("0"..."9").contains(c) || (c == "-" && peek(1).map { ("0"..."9").contains($0) } == true) {
                return try parseNumber()
            }
            if Self.isIdentifierStart(c) {
                let name = readBareExpressionWord()
                switch name {
                case "true": return .literal(.bool(true), range(from: start))
                case "false": return .literal(.bool(false), range(from: start))
                case "null": return .literal(.null, range(from: start))
                default:
                    return .word(Word(parts: [.text(name)], range: range(from: start), quoted: false))
                }
            }
            throw error("unexpected '\(Character(c))'; expected a value")
        }
    }

    /// A bare word inside an expression is text (`if $format == chat`). It may hold dots,
    /// colons and dashes between letters (`gpt-4o-mini`, `o200k_base`), but not spaces.
    mutating func readBareExpressionWord() -> String {
        var name = ""
        while let c = peek {
            if Self.isIdentifierChar(c) || c == "." || c == ":" {
                name.unicodeScalars.append(c); advance()
            } else if c == "-", let n = peek(1), Self.isIdentifierChar(n), !name.isEmpty {
                name.unicodeScalars.append(c); advance()
            } else {
                break
            }
        }
        return name
    }

    mutating func parseNumber() throws(SyntaxError) -> Expression {
        let start = location
        var text = ""
        if peek == "-" { text += "-"; advance() }
        while let c = peek, ("0"..."9").contains(c) || c == "." || c == "_" || c == "e" || c == "E"
                || ((c == "+" || c == "-") && (text.hasSuffix("e") || text.hasSuffix("E"))) {
            if c != "_" { text.unicodeScalars.append(c) }
            advance()
        }
        guard let n = Double(text) else { throw error("invalid number '\(text)'", at: start) }
        return .literal(.number(n), range(from: start))
    }
}
