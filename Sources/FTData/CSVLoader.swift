import FTCore
import Foundation

/// CSV and TSV with `prompt` and `completion` columns (RFC 4180 quoting: fields in double
/// quotes may hold the delimiter, line breaks and doubled quotes), loaded as prompt/completion
/// examples, as the legacy `prepare_data` did. Column names match in any case; other columns
/// are dropped with a warning; rows with an empty completion are skipped.
enum CSVLoader {
    struct Row {
        var fields: [String]
        var line: Int
    }

    static func load(path: String, display: String, name: String, delimiter: Character) throws -> LoadResult {
        _ = try ChunkedLineReader.regularFileSize(path, display: display)
        guard var data = FileManager.default.contents(atPath: path).map({ [UInt8]($0) }) else {
            throw Diagnostic.error("cannot read \(display)", id: "data.unreadable")
        }
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data.removeFirst(3) }
        let invalid: Int? = data.withUnsafeBufferPointer { UTF8Check.firstInvalid($0) }
        if let bad = invalid {
            let line = 1 + data[..<bad].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw DataRules.finding("data.invalid-utf8", "invalid UTF-8 byte 0x\(String(data[bad], radix: 16, uppercase: true)); the file must be UTF-8",
                                    at: SourceLocation(file: display, line: line, column: 1))
        }
        let text = String(decoding: data, as: UTF8.self)
        var findings: [Diagnostic] = []
        let rows = parse(text, delimiter: delimiter, file: display, findings: &findings)
        guard let header = rows.first else {
            throw DataRules.finding("data.empty-file", "\(display) is empty", at: SourceLocation(file: display, line: 1, column: 1))
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let pi = names.firstIndex(of: "prompt") else {
            throw DataRules.finding("data.missing-prompt", "no \"prompt\" column in the header (\(header.fields.joined(separator: ", ")))",
                                    at: SourceLocation(file: display, line: header.line, column: 1))
        }
        guard let ci = names.firstIndex(of: "completion") else {
            throw DataRules.finding("data.missing-completion", "no \"completion\" column in the header (\(header.fields.joined(separator: ", ")))",
                                    at: SourceLocation(file: display, line: header.line, column: 1))
        }
        let extra = names.enumerated().filter { $0.offset != pi && $0.offset != ci }.map { header.fields[$0.offset] }
        if !extra.isEmpty {
            findings.append(DataRules.finding("data.unknown-key", "column\(extra.count == 1 ? "" : "s") \(extra.joined(separator: ", ")) dropped; only prompt and completion are used",
                                              at: SourceLocation(file: display, line: header.line, column: 1)))
        }
        var examples: [Example] = []
        for row in rows.dropFirst() {
            if row.fields.count == 1 && row.fields[0].isEmpty { continue }
            guard row.fields.count == header.fields.count else {
                findings.append(DataRules.finding("data.invalid-csv", "row has \(row.fields.count) fields; the header has \(header.fields.count)",
                                                  at: SourceLocation(file: display, line: row.line, column: 1)))
                continue
            }
            let completion = row.fields[ci]
            if completion.isEmpty {
                findings.append(DataRules.finding("data.missing-completion", "empty completion; row skipped",
                                                  at: SourceLocation(file: display, line: row.line, column: 1)))
                continue
            }
            examples.append(Example(node: .object([("prompt", .string(row.fields[pi])), ("completion", .string(completion))]), line: row.line))
        }
        let dataset = Dataset(name: name, format: .completion, examples: examples, source: path)
        return LoadResult(dataset: dataset, findings: findings, skippedLines: max(0, rows.count - 1 - examples.count))
    }

    /// Splits text into rows of fields, honouring quotes. Rows remember their first line.
    static func parse(_ text: String, delimiter: Character, file: String, findings: inout [Diagnostic]) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var rowLine = 1
        var quoted = false
        var quoteLine = 0
        var atFieldStart = true
        var it = text.makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return it.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    let n = next()
                    if n == "\"" { field.append("\"") } else { quoted = false; pending = n }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart:
                quoted = true
                quoteLine = line
                atFieldStart = false
            case delimiter:
                fields.append(field)
                field = ""
                atFieldStart = true
            case "\n", "\r\n", "\r":
                fields.append(field)
                rows.append(Row(fields: fields, line: rowLine))
                fields = []
                field = ""
                atFieldStart = true
                line += 1
                rowLine = line
            default:
                field.append(c)
                atFieldStart = false
            }
        }
        if quoted {
            findings.append(DataRules.finding("data.invalid-csv", "quoted field opened here is never closed",
                                              at: SourceLocation(file: file, line: quoteLine, column: 1)))
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append(Row(fields: fields, line: rowLine))
        }
        return rows
    }
}
