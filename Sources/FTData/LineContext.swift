import FTCore

/// The findings of one line, located by byte offsets in that line. Columns count Unicode
/// scalars (as FTCore's `SourceLocation` promises), computed only when a finding is made.
struct LineContext {
    let file: String
    /// Line number of `bytes[origin]`.
    let line: Int
    let bytes: UnsafeBufferPointer<UInt8>
    /// Offset of the first byte of line `line`; offsets before it are not used.
    let origin: Int
    var findings: [Diagnostic] = []
    var hasError = false

    init(file: String, line: Int, bytes: UnsafeBufferPointer<UInt8>, origin: Int = 0) {
        self.file = file
        self.line = line
        self.bytes = bytes
        self.origin = origin
    }

    /// Line and column of a byte offset. A JSONL line has no line breaks, but the elements of
    /// a JSON-array file can span several lines, so breaks are counted too.
    func location(_ offset: Int) -> SourceLocation {
        var ln = line
        var col = 1
        var k = origin
        let end = min(offset, bytes.count)
        while k < end {
            let b = bytes[k]
            if b == 0x0A { ln += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 }
            k += 1
        }
        return SourceLocation(file: file, line: ln, column: col)
    }

    /// Columns from `start` to `end`, capped so a caret under a long string stays readable.
    func width(_ start: Int, _ end: Int) -> Int {
        guard end > start else { return 0 }
        var n = 0
        var k = start
        let stop = min(end, bytes.count)
        while k < stop && n < 40 {
            if bytes[k] & 0xC0 != 0x80 { n += 1 }
            k += 1
        }
        return n
    }

    mutating func report(_ id: String, _ message: String, at offset: Int, end: Int? = nil, notes: [String] = []) {
        let d = DataRules.finding(id, message, at: location(offset), length: end.map { width(offset, $0) } ?? 0, notes: notes)
        if d.severity == .error { hasError = true }
        findings.append(d)
    }

    mutating func report(_ id: String, _ message: String, node: JSONNode, notes: [String] = []) {
        report(id, message, at: node.offset, end: node.end, notes: notes)
    }

    mutating func report(_ id: String, _ message: String, key member: JSONNode.Member, notes: [String] = []) {
        report(id, message, at: member.keyOffset, end: member.keyOffset + member.key.utf8.count + 2, notes: notes)
    }

    /// Byte offset of `needle` inside the node's source text, for findings about a substring.
    func find(_ needle: String, in node: JSONNode) -> Int? {
        let n = Array(needle.utf8)
        guard !n.isEmpty, node.end - node.offset >= n.count else { return nil }
        var k = node.offset
        while k + n.count <= min(node.end, bytes.count) {
            if bytes[k] == n[0] {
                var same = true
                for j in 1..<n.count where bytes[k + j] != n[j] { same = false; break }
                if same { return k }
            }
            k += 1
        }
        return nil
    }
}
