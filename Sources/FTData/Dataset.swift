import FTCore
import Foundation

/// One training example and where it came from.
public struct Example: Sendable, Hashable {
    public var node: JSONNode
    /// Line in the file it was loaded from (nil for examples made in the session).
    public var line: Int?

    public init(node: JSONNode, line: Int? = nil) {
        self.node = node
        self.line = line
    }

    public init(value: Value, line: Int? = nil) {
        self.init(node: JSONNode(value: value), line: line)
    }

    public var value: Value { node.toValue() }
}

/// A dataset held in the session: examples of one format, in order.
public struct Dataset: Sendable {
    public var name: String
    public var format: DataFormat
    public var examples: [Example]
    /// The file it was loaded from, if any.
    public var source: String?

    public init(name: String, format: DataFormat, examples: [Example], source: String? = nil) {
        self.name = name
        self.format = format
        self.examples = examples
        self.source = source
    }

    public var count: Int { examples.count }

    /// The dataset as JSON Lines, one compact object per line, keys in their original order.
    public func jsonl() -> String {
        var out = ""
        for e in examples {
            e.node.write(into: &out)
            out += "\n"
        }
        return out
    }

    /// Writes the dataset as JSONL, atomically; refuses to replace a file unless `overwrite`.
    @discardableResult
    public func save(to path: String, overwrite: Bool) throws(Diagnostic) -> Int {
        let text = jsonl()
        try AtomicFile.write(text, to: path, overwrite: overwrite)
        return text.utf8.count
    }

    /// What `show` and `$ds.field` read.
    public func summary() -> Record {
        Record([
            ("name", .string(name)), ("format", .string(format.rawValue)), ("examples", .int(count)),
            ("source", source.map { .string($0) } ?? .null),
        ])
    }

    /// The summary plus the examples (at most `limit` of them) as plain values, for `--json`.
    public func toValue(limit: Int? = nil) -> Value {
        var r = summary()
        r["items"] = .list(examples.prefix(limit ?? examples.count).map { $0.value })
        return .record(r)
    }

    public func objectRef() -> ObjectRef { ObjectRef(kind: "dataset", name: name, summary: summary()) }

    /// A dataset name from a file name: `support-v2.jsonl` → `support_v2`.
    public static func defaultName(for path: String) -> String {
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var s = String(base.unicodeScalars.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) ? Character($0) : "_" })
        if s.isEmpty || s.first!.isNumber { s = "d" + s }
        return s
    }
}

/// The result of `data load`: the dataset and what was wrong with the lines it skipped.
public struct LoadResult: Sendable {
    public var dataset: Dataset
    /// Findings about lines that could not be loaded, and other problems seen on the way.
    public var findings: [Diagnostic]
    /// Lines that held no usable example (invalid JSON, another format, blank).
    public var skippedLines: Int

    public func toValue() -> Value {
        .record(Record([
            ("dataset", .object(dataset.objectRef())), ("examples", .int(dataset.count)),
            ("format", .string(dataset.format.rawValue)), ("skipped_lines", .int(skippedLines)),
            ("findings", .list(findings.map(CheckReport.findingValue))),
        ]))
    }
}

public enum DataLoader {
    public enum FileKind: String, Sendable { case jsonl, csv, tsv }

    /// Loads JSONL (or a JSON array), CSV or TSV. The kind follows the extension (`.csv`,
    /// `.tsv`, anything else is JSONL); the format is detected from the first example unless
    /// given. Lines that hold no example of the format are skipped and reported; a file with no
    /// usable example at all is an error.
    public static func load(path: String, display: String? = nil, name: String? = nil, format: DataFormat? = nil,
                            kind: FileKind? = nil, options: CheckOptions = CheckOptions()) throws -> LoadResult {
        let shown = display ?? path
        let name = name ?? Dataset.defaultName(for: path)
        let lower = path.lowercased()
        let kind = kind ?? (lower.hasSuffix(".csv") ? .csv : lower.hasSuffix(".tsv") ? .tsv : .jsonl)
        if kind != .jsonl {
            return try CSVLoader.load(path: path, display: shown, name: name, delimiter: kind == .csv ? "," : "\t")
        }
        var opts = options
        opts.format = format
        opts.counter = nil
        let outcome = try DataCheck.run(path: path, display: shown, options: opts, keepNodes: true, progress: nil)
        guard let fmt = outcome.report.format else {
            throw outcome.report.firstError ?? DataRules.finding("data.empty-file", "\(shown) holds no examples", at: nil)
        }
        var examples: [Example] = []
        for (r, node) in zip(outcome.records, outcome.nodes) where r.format == fmt {
            examples.append(Example(node: node, line: r.line))
        }
        let problems = outcome.report.findings.filter { d in
            d.severity == .error && !["data.too-few-examples", "data.small-dataset"].contains(d.id)
        }
        return LoadResult(dataset: Dataset(name: name, format: fmt, examples: examples, source: path),
                          findings: problems, skippedLines: outcome.report.lines - examples.count)
    }
}
