/// A plain text table aligned by display width, so Korean and other wide text line up.
public struct Table: Sendable {
    public var headers: [String]
    public var rows: [[String]]
    /// Columns whose cells are right-aligned (numbers).
    public var rightAligned: Set<Int>

    public init(headers: [String], rows: [[String]], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.rightAligned = rightAligned
    }

    public func render(maxCellWidth: Int = 60) -> String {
        let cells = ([headers] + rows).map { row in
            row.map { TextWidth.truncate($0.replacingOccurrences(of: "\n", with: "⏎"), to: maxCellWidth) }
        }
        let columns = cells.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        for row in cells {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], TextWidth.width(of: cell)) }
        }
        var lines: [String] = []
        for (r, row) in cells.enumerated() {
            var parts: [String] = []
            for i in 0..<columns {
                let cell = i < row.count ? row[i] : ""
                let last = i == columns - 1
                let right = rightAligned.contains(i)
                parts.append(last && !right ? cell : TextWidth.pad(cell, to: widths[i], alignRight: right))
            }
            lines.append(parts.joined(separator: "  "))
            if r == 0 && !headers.isEmpty {
                lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
