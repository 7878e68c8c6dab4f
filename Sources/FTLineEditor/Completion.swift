import FTCore

/// What the shell is asked to complete: everything typed before the cursor on the current line.
public struct CompletionRequest: Sendable {
    public var textBeforeCursor: String
    public init(textBeforeCursor: String) { self.textBeforeCursor = textBeforeCursor }
}

/// The shell's answer. `wordStart` is the offset, in Characters, into `textBeforeCursor` where the
/// word being completed starts, including an opening quote the user typed. Each candidate is the
/// whole word as a value (unescaped, no quotes): the editor writes it in the word's quoting style.
public struct CompletionResult: Sendable {
    public var wordStart: Int
    public var candidates: [String]
    public init(wordStart: Int, candidates: [String]) {
        self.wordStart = wordStart
        self.candidates = candidates
    }
}

/// What a TAB press does to the line.
public enum CompletionAction: Sendable, Equatable {
    /// Delete this many Unicode scalars before the cursor (libedit counts in wide characters),
    /// then insert the text.
    case edit(delete: Int, insert: String)
    /// Nothing to insert, several choices: show these names under the line.
    case list([String])
    /// Nothing matches.
    case beep
}

/// The completion rules, apart from the terminal so they can be tested: one match is inserted
/// with a space after it (none after a directory's `/`); several insert their longest common
/// prefix when that adds something, otherwise they are listed.
public enum Completion {
    /// Characters that end or change a word in ftsh's language, written with a backslash when a
    /// candidate outside quotes contains them.
    public static let specialCharacters: Set<Character> = [
        " ", "\t", "\n", "\\", "'", "\"", "$", "#", "{", "}", ";", "|", "&", "<", ">", "(", ")", "`",
    ]

    enum Quoting { case bare, single, double }

    public static func plan(textBeforeCursor text: String, result: CompletionResult) -> CompletionAction {
        var seen = Set<String>()
        let candidates = result.candidates.filter { !$0.isEmpty && seen.insert($0).inserted }
        guard !candidates.isEmpty else { return .beep }
        let start = min(max(0, result.wordStart), text.count)
        let typed = String(text.dropFirst(start))
        let quoting: Quoting = typed.hasPrefix("'") ? .single : typed.hasPrefix("\"") ? .double : .bare

        if candidates.count == 1 {
            let value = candidates[0]
            let isDirectory = value.hasSuffix("/")
            var word = render(value, quoting)
            if !isDirectory {
                if word.hasPrefix("'") { word += "'" } else if word.hasPrefix("\"") { word += "\"" }
                word += " "
            }
            return edit(from: typed, to: word)
        }
        let prefix = render(longestCommonPrefix(candidates), quoting)
        if prefix != typed && prefix.unicodeScalars.count >= typed.unicodeScalars.count {
            return edit(from: typed, to: prefix)
        }
        return .list(displayNames(candidates))
    }

    /// A value written as a word: backslash escapes outside quotes, or continuing the quote the
    /// user opened. A single-quoted word cannot hold `'`, so such a value is written bare.
    static func render(_ value: String, _ quoting: Quoting) -> String {
        // `$name` is a variable reference: its `$` must stay live, not become a literal `\$`.
        if quoting != .single, value.count > 1, value.first == "$",
           value.dropFirst().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            return quoting == .double ? "\"" + value : value
        }
        switch quoting {
        case .single where !value.contains("'"):
            return "'" + value
        case .double:
            var out = "\""
            for ch in value {
                if ch == "\"" || ch == "\\" || ch == "$" { out.append("\\") }
                out.append(ch)
            }
            return out
        default:
            return escape(value)
        }
    }

    /// `value` with a backslash before every special character: `my file` → `my\ file`.
    public static func escape(_ value: String) -> String {
        var out = ""
        for ch in value {
            if specialCharacters.contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// The smallest edit turning the typed word into `word`: keep what they share at the start.
    static func edit(from typed: String, to word: String) -> CompletionAction {
        let a = Array(typed.unicodeScalars), b = Array(word.unicodeScalars)
        var shared = 0
        while shared < a.count && shared < b.count && a[shared] == b[shared] { shared += 1 }
        var insert = String.UnicodeScalarView()
        insert.append(contentsOf: b[shared...])
        return .edit(delete: a.count - shared, insert: String(insert))
    }

    /// The longest run of whole Characters every string starts with.
    public static func longestCommonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map(Array.init) else { return "" }
        for s in strings.dropFirst() {
            var n = 0
            for ch in s {
                guard n < prefix.count, prefix[n] == ch else { break }
                n += 1
            }
            prefix.removeSubrange(n...)
            if prefix.isEmpty { break }
        }
        return String(prefix)
    }

    /// Names to list: the directory all candidates share is left out, as shells list files.
    public static func displayNames(_ candidates: [String]) -> [String] {
        let common = longestCommonPrefix(candidates)
        guard let slash = common.lastIndex(of: "/") else { return candidates }
        let cut = common.distance(from: common.startIndex, to: slash) + 1
        return candidates.map { name in
            let rest = String(name.dropFirst(cut))
            return rest.isEmpty ? name : rest
        }
    }

    /// `items` in columns filling `width` terminal cells, ordered down then across as `ls` does.
    /// Widths are display widths, so Korean names (two cells a character) line up. No line has
    /// trailing spaces; an item wider than the terminal gets a line to itself.
    public static func columns(_ items: [String], width: Int) -> [String] {
        guard !items.isEmpty else { return [] }
        let widths = items.map { TextWidth.width(of: $0) }
        let gap = 2
        let cell = widths.max()! + gap
        var columnCount = max(1, (max(width, 1) + gap) / cell)
        let rows = (items.count + columnCount - 1) / columnCount
        columnCount = (items.count + rows - 1) / rows
        var lines: [String] = []
        for row in 0..<rows {
            var line = ""
            for column in 0..<columnCount {
                let index = column * rows + row
                guard index < items.count else { break }
                let isLast = column == columnCount - 1 || index + rows >= items.count
                line += items[index]
                if !isLast { line += String(repeating: " ", count: cell - widths[index]) }
            }
            lines.append(line)
        }
        return lines
    }
}
