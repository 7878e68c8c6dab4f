import Foundation
import FTCore
import FTData
import FTPluginKit
import FTTokenizer

/// `data`: load, check, inspect, transform and save fine-tuning datasets. Each command parses its
/// arguments, calls FTData, and returns a value; the rendering for people is in DataRender.swift.
public enum DataPlugin {
    public static func plugin() -> Plugin {
        Plugin(name: "data", summary: "Prepare fine-tuning data: load, check, inspect, clean, split, save.",
               commands: [load, check, fix, stats, show, tokens, clean, dedupe, split, convert, sample, filter, save, cost])
    }

    static let datasetArgument = ArgumentSpec("dataset", "A dataset in the workspace, or a path to load.", type: .value,
                                              completion: .file(extensions: ["jsonl", "csv", "tsv", "json"]))
    static let modelFlag = FlagSpec("model", "Model whose rules, token limit and price apply.", type: .string,
                                    completion: .choices(PriceTable.builtin.models.map(\.model)))

    // MARK: commands

    static let load = CommandSpec(["data", "load"], summary: "Load a JSONL, CSV or TSV file as a dataset.",
        discussion: "Chat (`messages`), prompt/completion and preference (DPO) formats are detected from the first example, or forced with --format. CSV and TSV files need `prompt` and `completion` columns. Lines that hold no usable example are skipped and reported.",
        arguments: [ArgumentSpec("path", "File to load.", type: .path, completion: .file(extensions: ["jsonl", "csv", "tsv", "json"]))] + [ArgumentSpec.resultName],
        flags: [FlagSpec("format", "Force the format.", type: .choice(DataFormat.allCases.map(\.rawValue)))],
        examples: ["data load @share/data/qa-en.jsonl", "data load answers.csv as support", "set ds = data load qa.jsonl"],
        display: .custom(DataRender.loaded)) { inv, ctx in
        let path = inv.string("path")!
        let name = try inv.resultName(default: Dataset.defaultName(for: path))
        let result = try DataLoader.load(path: ctx.resolve(path), display: path, name: name,
                                         format: inv.string("format").flatMap(DataFormat.init(rawValue:)))
        for d in result.findings.prefix(5) { ctx.report(d) }
        if result.findings.count > 5 { ctx.printError("… \(result.findings.count - 5) more; 'data check \(path)' lists them all") }
        var ds = result.dataset
        ds.source = path // as the person wrote it, so transcripts do not depend on the folder
        return put(ds, ctx)
    }

    static let check = CommandSpec(["data", "check"], summary: "Check a dataset against the fine-tuning rules, with token counts and cost.",
        discussion: "Every format rule of the hosted service (keys, roles, content types, tool calls, weights, assistant messages, example count, per-example token limit, file size) is an error with FILE:LINE:COL and a stable id; warnings cover missing system/user messages, duplicates, truncation and the legacy prompt/completion checks. Token statistics, the default-epochs rule, billed tokens and a dated cost estimate follow. A file is streamed in bounded memory on all cores. In a script, errors end it with status 65.",
        arguments: [datasetArgument],
        flags: [modelFlag, FlagSpec("fix", "Apply the safe fixes to the file (see 'data fix')."),
                FlagSpec("output", "With --fix: write the fixed file here instead of in place.", type: .path),
                FlagSpec("force", "With --fix: overwrite the output file."),
                FlagSpec("all", "List every finding, not the first 20.")],
        examples: ["data check @share/data/qa-en.jsonl", "data check @share/data/broken.jsonl --model gpt-4o-mini-2024-07-18",
                   "data check support --json"],
        display: .custom(DataRender.checkReport)) { inv, ctx in
        if inv.flag("fix") { return try runFix(inv, ctx) }
        let options = try checkOptions(inv, ctx)
        let report: CheckReport
        if let (_, dataset) = dataset(inv["dataset"], ctx) {
            report = try DataCheck.check(dataset, options: options)
        } else {
            let shown = inv["dataset"].text
            let path = ctx.resolve(shown)
            let start = Date()
            report = try DataCheck.check(path: path, display: shown, options: options) { done, total in
                guard total > 0 else { return }
                let elapsed = Date().timeIntervalSince(start)
                let rate = elapsed > 0 ? Double(done) / elapsed / 1e6 : 0
                ctx.progress(ProgressStatus(label: "checking", fraction: Double(done) / Double(total),
                                            detail: String(format: "%.0f MB/s", rate)))
            }
        }
        var value = report.toValue()
        if var r = value.recordValue { r["show_all"] = .bool(inv.flag("all")); value = .record(r) }
        // Scripts stop on invalid data (status 65) after the report is shown.
        if !report.isValid && !ctx.isInteractive, let first = report.firstError {
            ctx.print(DataRender.checkReport(value, RenderOptions(color: ctx.color, width: 100)))
            let at = first.location.map { " (first at line \($0.line): \(first.message))" } ?? ": \(first.message)"
            throw Diagnostic(.error, "\(report.file) has \(report.errorCount) error\(report.errorCount == 1 ? "" : "s")\(at)",
                             id: "data.invalid", exitStatus: .dataError)
        }
        return value
    }

    static let fix = CommandSpec(["data", "fix"], summary: "Apply the safe fixes to a file and say what changed.",
        discussion: "Strips a byte-order mark, turns CRLF into LF, drops blank lines, turns a JSON array into JSON Lines, trims whitespace around texts, renames legacy preference keys and drops exact duplicates. Lines that are not valid JSON are kept for a person to mend.",
        arguments: [ArgumentSpec("path", "File to fix.", type: .path, completion: .file(extensions: ["jsonl", "json"]))],
        flags: [FlagSpec("output", "Write the fixed file here instead of in place.", type: .path),
                FlagSpec("force", "Overwrite the output file (in place needs it too).")],
        examples: ["data fix raw.jsonl --output clean.jsonl", "data fix raw.jsonl --force"],
        display: .custom(DataRender.fixReport)) { inv, ctx in
        try runFix(inv, ctx)
    }

    static func runFix(_ inv: Invocation, _ ctx: CommandContext) throws -> Value {
        let shown = inv.string("path") ?? inv["dataset"].text
        if dataset(inv["dataset"], ctx) != nil {
            throw inv.error("--fix works on files; for a dataset in the workspace use 'data clean' and 'data dedupe'", id: "usage.bad-argument", at: "dataset")
        }
        let output = inv.string("output").map { ctx.resolve($0) }
        let report = try FileFixer.fix(path: ctx.resolve(shown), display: shown, output: output,
                                       overwrite: inv.flag("force") || output == nil && inv.flag("force"))
        return report.toValue()
    }

    static let stats = CommandSpec(["data", "stats"], summary: "Token statistics per example and per role, trained tokens, epochs and cost.",
        arguments: [datasetArgument], flags: [modelFlag],
        examples: ["data stats @share/data/qa-ko.jsonl", "data stats support --model gpt-4.1-mini-2025-04-14"],
        display: .custom(DataRender.stats)) { inv, ctx in
        let options = try checkOptions(inv, ctx)
        let report: CheckReport
        if let (_, ds) = dataset(inv["dataset"], ctx) { report = try DataCheck.check(ds, options: options) }
        else { report = try DataCheck.check(path: ctx.resolve(inv["dataset"].text), display: inv["dataset"].text, options: options) }
        return report.toValue()
    }

    static let show = CommandSpec(["data", "show"], summary: "Show an example: its messages, and with --tokens the token boundaries.",
        discussion: "--tokens splits each text into its tokens; --labels marks which tokens are trained (assistant messages with weight ≠ 0) and which are only context.",
        arguments: [ArgumentSpec("dataset", "Dataset name.", type: .value, completion: .object(kind: "dataset")),
                    ArgumentSpec("index", "Example number, from 1 (default 1).", type: .int, optional: true)],
        flags: [FlagSpec("tokens", "Show token boundaries."), FlagSpec("labels", "Mark trained and masked tokens."), modelFlag],
        examples: ["data show qa-en 3", "data show qa-ko 1 --tokens --labels"],
        display: .custom(DataRender.example)) { inv, ctx in
        let (_, ds) = try requireDataset(inv, ctx)
        let index = inv.int("index") ?? 1
        guard index >= 1 && index <= ds.count else {
            throw inv.error("\(ds.name) has \(ds.count) examples; index \(index) is out of range", id: "data.index-range", at: "index")
        }
        var tokenizer: (any Tokenizer)?
        if inv.flag("tokens") || inv.flag("labels") {
            tokenizer = try PriceTable.standard().encoding(for: inv.string("model"))
        }
        var value = try ExampleView(dataset: ds, index: index - 1, tokenizer: tokenizer).toValue()
        if var r = value.recordValue { r["labels"] = .bool(inv.flag("labels")); value = .record(r) }
        return value
    }

    static let tokens = CommandSpec(["data", "tokens"], summary: "Token ids of a text, exactly as tiktoken counts them.",
        discussion: "With --file, reads JSONL lines of {\"text\": ...} and returns one id list per line.",
        arguments: [ArgumentSpec("text", "Text to encode.", optional: true)],
        flags: [FlagSpec("encoding", "o200k_base or cl100k_base.", type: .choice(["o200k_base", "cl100k_base"])), modelFlag,
                FlagSpec("file", "JSONL file of {\"text\": ...} lines.", type: .path, completion: .file(extensions: ["jsonl"]))],
        examples: ["data tokens \"안녕하세요, fine-tuning\"", "data tokens hello --encoding cl100k_base --json"],
        display: .custom(DataRender.tokens)) { inv, ctx in
        let encoding: Encoding
        if let e = inv.string("encoding") { encoding = try Encoding.load(named: e) }
        else { encoding = try PriceTable.standard().encoding(for: inv.string("model")) }
        if let file = inv.string("file") {
            guard let data = FileManager.default.contents(atPath: ctx.resolve(file)) else {
                throw inv.error("cannot read \(file)", id: "io.not-found", at: "file")
            }
            var out: [Value] = []
            for (k, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
                try Interrupt.check()
                let v = try JSON.decode(bytes: Array(line), file: file, line: k + 1)
                guard let text = v["text"]?.stringValue else {
                    throw Diagnostic.error("expected {\"text\": ...} on each line", id: "data.missing-text",
                                           at: SourceLocation(file: file, line: k + 1, column: 1))
                }
                out.append(.list(encoding.encode(text).map { .int($0) }))
            }
            return .list(out)
        }
        guard let text = inv.string("text") else { throw inv.error("give a TEXT or --file", id: "usage.missing-argument") }
        let ids = encoding.encode(text)
        // A token may end inside a multi-byte character (often in Korean); such tokens are shown
        // joined with the next ones until the text is whole again.
        var pieces: [Value] = []
        var pending: [UInt8] = []
        for id in ids {
            pending += encoding.tokenBytes(id) ?? []
            if let whole = String(validating: pending, as: UTF8.self) {
                pieces.append(.string(whole))
                pending.removeAll()
            }
        }
        if !pending.isEmpty { pieces.append(.string(String(decoding: pending, as: UTF8.self))) }
        return .record(["encoding": .string(encoding.name), "count": .int(ids.count), "ids": .list(ids.map { .int($0) }),
                        "pieces": .list(pieces)])
    }

    static let clean = CommandSpec(["data", "clean"], summary: "Trim whitespace and drop empty examples; say what changed.",
        arguments: [ArgumentSpec("dataset", "Dataset name.", type: .value, completion: .object(kind: "dataset"))] + [ArgumentSpec.resultName],
        examples: ["data clean support", "data clean support as support_clean"], display: .custom(DataRender.transform)) { inv, ctx in
        let (name, ds) = try requireDataset(inv, ctx)
        let (out, report) = ds.cleaned()
        return transformed(out, report, inv, ctx, defaultName: name)
    }

    static let dedupe = CommandSpec(["data", "dedupe"], summary: "Drop duplicate examples (exact, or after normalising case and spaces).",
        arguments: [ArgumentSpec("dataset", "Dataset name.", type: .value, completion: .object(kind: "dataset"))] + [ArgumentSpec.resultName],
        flags: [FlagSpec("normalized", "Compare texts ignoring case, spacing and punctuation.")],
        examples: ["data dedupe support", "data dedupe support --normalized as unique"], display: .custom(DataRender.transform)) { inv, ctx in
        let (name, ds) = try requireDataset(inv, ctx)
        let (out, report) = ds.deduplicated(normalized: inv.flag("normalized"))
        return transformed(out, report, inv, ctx, defaultName: name)
    }

    static let split = CommandSpec(["data", "split"], summary: "Split a dataset into NAME_train and NAME_valid (seeded).",
        discussion: "Examples are shuffled with the session's seeded generator, so the same `seed` gives the same split on every machine.",
        arguments: [ArgumentSpec("dataset", "Dataset name.", type: .value, completion: .object(kind: "dataset"))],
        flags: [FlagSpec("valid", "Fraction for validation, between 0 and 1.", type: .number, default: .number(0.1))],
        examples: ["data split qa-en --valid 0.2", "set parts = data split support"]) { inv, ctx in
        let (name, ds) = try requireDataset(inv, ctx)
        let fraction = inv.number("valid") ?? 0.1
        guard fraction > 0 && fraction < 1 else { throw inv.error("--valid must be between 0 and 1", id: "usage.bad-argument", at: "valid") }
        var (train, valid) = try ds.split(validFraction: fraction, random: ctx.makeRandom())
        train.name = name + "_train"
        valid.name = name + "_valid"
        return .record(["train": put(train, ctx), "valid": put(valid, ctx)])
    }

    static let convert = CommandSpec(["data", "convert"], summary: "Convert between chat and prompt/completion formats.",
        arguments: [ArgumentSpec("dataset", "Dataset name.", type: .value, completion: .object(kind: "dataset"))] + [ArgumentSpec.resultName],
        flags: [FlagSpec("to", "Target format.", type: .choice(["chat", "completion"])),
                FlagSpec("system", "System message to add when converting to chat.", type: .string)],
        examples: ["data convert legacy --to chat --system \"You are a helpful assistant.\""], display: .custom(DataRender.transform)) { inv, ctx in
        let (name, ds) = try requireDataset(inv, ctx)
        guard let to = inv.string("to").flatMap(DataFormat.init(rawValue:)) else {
            throw inv.error("give --to chat or --to completion", id: "usage.missing-argument")
        }
        let (out, report) = try ds.converted(to: to, system: inv.string("system"))
        return transformed(out, report, inv, ctx, defaultName: name)
    }

    static let sample = CommandSpec(["data", "sample"], summary: "A seeded random sample of N examples.",
        arguments: [ArgumentSpec("dataset", "Dataset name.", type: .value, completion: .object(kind: "dataset")),
                    ArgumentSpec("n", "How many examples.", type: .int)] + [ArgumentSpec.resultName],
        examples: ["data sample qa-en 10", "data sample qa-en 20 as small"]) { inv, ctx in
        let (name, ds) = try requireDataset(inv, ctx)
        let n = inv.int("n")!
        guard n >= 1 else { throw inv.error("N must be at least 1", id: "usage.bad-argument", at: "n") }
        var out = ds.sample(n, random: ctx.makeRandom())
        out.name = try inv.resultName(default: name + "_sample")
        return put(out, ctx)
    }

    static let filter = CommandSpec(["data", "filter"], summary: "Keep the examples with at most N tokens.",
        arguments: [ArgumentSpec("dataset", "Dataset name.", type: .value, completion: .object(kind: "dataset"))] + [ArgumentSpec.resultName],
        flags: [FlagSpec("max-tokens", "Largest example to keep.", type: .int), modelFlag],
        examples: ["data filter support --max-tokens 2048"], display: .custom(DataRender.transform)) { inv, ctx in
        let (name, ds) = try requireDataset(inv, ctx)
        guard let n = inv.int("max-tokens"), n > 0 else { throw inv.error("give --max-tokens N (N > 0)", id: "usage.missing-argument") }
        let encoding = try PriceTable.standard().encoding(for: inv.string("model"))
        let (out, report) = ds.filtered(maxTokens: n, counter: encoding)
        return transformed(out, report, inv, ctx, defaultName: name)
    }

    static let save = CommandSpec(["data", "save"], summary: "Write a dataset as JSONL (atomically; --force to overwrite).",
        arguments: [ArgumentSpec("dataset", "Dataset name.", type: .value, completion: .object(kind: "dataset")),
                    ArgumentSpec("path", "File to write.", type: .path)],
        flags: [FlagSpec("force", "Replace an existing file.")],
        examples: ["data save support_train train.jsonl", "data save support out.jsonl --force"]) { inv, ctx in
        let (_, ds) = try requireDataset(inv, ctx)
        let path = inv.string("path")!
        let written = try ds.save(to: ctx.resolve(path), overwrite: inv.flag("force"))
        return .record(["path": .string(path), "examples": .int(ds.count), "bytes": .int(written)])
    }

    static let cost = CommandSpec(["data", "cost"], summary: "What training would bill: tokens × epochs × the dated price, per model.",
        discussion: "Epochs default to the hosted service's \"auto\" rule for the dataset's size. Prices come from share/data/prices.json (dated); ~/.config/ftsh/prices.json overrides them.",
        arguments: [datasetArgument],
        flags: [FlagSpec("model", "Only these models (repeatable).", type: .string, completion: .choices(PriceTable.builtin.models.map(\.model)), repeatable: true),
                FlagSpec("epochs", "Epochs instead of the default rule.", type: .int)],
        examples: ["data cost qa-en", "data cost train.jsonl --model gpt-4o-mini-2024-07-18 --epochs 3"]) { inv, ctx in
        let ds: Dataset
        if let (_, d) = dataset(inv["dataset"], ctx) { ds = d }
        else { ds = try DataLoader.load(path: ctx.resolve(inv["dataset"].text), display: inv["dataset"].text).dataset }
        let prices = try PriceTable.standard()
        let models = (inv["model"].listValue ?? []).map(\.text)
        var results: [Value] = []
        var byEncoding: [String: Encoding] = [:]
        for info in models.isEmpty ? prices.models : try models.map({ m throws(Diagnostic) -> ModelInfo in
            guard let i = prices.info(for: m) else { throw inv.error("model \"\(m)\" is not in the price table (as of \(prices.asOf))", id: "data.unknown-model", at: "model") }
            return i
        }) {
            let enc = try byEncoding[info.encoding] ?? Encoding.load(named: info.encoding)
            byEncoding[info.encoding] = enc
            let estimates = try CostEstimate.estimate(ds, counter: enc, prices: prices, models: [info.model], epochs: inv.int("epochs"))
            results += estimates.map { $0.toValue() }
        }
        return .list(results)
    }

    // MARK: helpers

    /// The dataset a value names, if it is in the workspace.
    static func dataset(_ v: Value, _ ctx: CommandContext) -> (String, Dataset)? {
        guard let (name, entry) = ctx.workspace.lookup(v), let ds = entry.object as? Dataset else { return nil }
        return (name, ds)
    }

    static func requireDataset(_ inv: Invocation, _ ctx: CommandContext) throws(Diagnostic) -> (String, Dataset) {
        if let found = dataset(inv["dataset"], ctx) { return found }
        let given = inv["dataset"].objectValue?.name ?? inv["dataset"].text
        let names = ctx.workspace.names(kind: "dataset")
        throw inv.error("no dataset named '\(given)' in the workspace", id: "workspace.unknown-dataset", at: "dataset",
                        notes: Spelling.nearest(to: given, in: names).map { ["did you mean '\($0)'?"] }
                            ?? [names.isEmpty ? "load one with 'data load PATH'" : "datasets: " + names.joined(separator: ", ")])
    }

    static func put(_ ds: Dataset, _ ctx: CommandContext) -> Value {
        ctx.workspace.put(ds, kind: "dataset", name: ds.name, summary: ds.summary())
    }

    static func transformed(_ ds: Dataset, _ report: TransformReport, _ inv: Invocation, _ ctx: CommandContext, defaultName: String) -> Value {
        var out = ds
        out.name = (try? inv.resultName(default: defaultName)) ?? defaultName
        let handle = put(out, ctx)
        guard case .record(var r) = report.toValue() else { return handle }
        r["dataset"] = handle
        return .record(r)
    }

    static func checkOptions(_ inv: Invocation, _ ctx: CommandContext) throws -> CheckOptions {
        let prices = try PriceTable.standard(paths: Paths(environment: ctx.environment))
        let model = inv.string("model")
        if let model, prices.info(for: model) == nil, Encoding.forModel(model) == nil {
            throw inv.error("unknown model '\(model)'", id: "data.unknown-model", at: "model",
                            notes: Spelling.nearest(to: model, in: prices.models.map(\.model)).map { ["did you mean '\($0)'?"] } ?? [])
        }
        var options = CheckOptions(model: model, prices: prices)
        options.counter = try prices.encoding(for: model)
        options.findingsPerRule = inv.flag("all") ? 100_000 : 200
        return options
    }
}
