import FTCore
import FTData
import FTEval
import FTOpenAI
import FTPluginKit
import OpenAIPlugin
import Foundation

/// The outcome of `eval run`, kept in the workspace (kind `evaluation`) so `eval compare` and
/// `eval report` can use it without files.
public struct EvalRun: Sendable {
    public var model: String
    public var data: String
    public var prompts: [Prompt]
    public var predictions: [String]
    public var references: [String]
    public var report: MetricReport
}

/// Turning command arguments into metrics, data, prediction sources and scored examples.
enum EvalInputs {
    /// `--metrics bleu,chrf,rouge` (commas, or the flag repeated). A piece that follows
    /// `regex:` or `contains:` and is not itself a metric name belongs to that pattern.
    static func metrics(_ inv: Invocation, flag: String = "metrics") throws(Diagnostic) -> [Metric] {
        let given = (inv[flag].listValue ?? (inv[flag] == .null ? [] : [inv[flag]])).map(\.text)
        guard !given.isEmpty else { return Metric.defaults }
        var specs: [String] = []
        for word in given {
            var patternOpen = false
            for piece in word.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                if patternOpen, !isMetricName(piece) { specs[specs.count - 1] += "," + piece; continue }
                patternOpen = piece.hasPrefix("regex:") || piece.hasPrefix("contains:")
                specs.append(piece.trimmingCharacters(in: .whitespaces))
            }
        }
        var out: [Metric] = []
        for spec in specs {
            guard !spec.isEmpty else { throw inv.error("empty metric name in --\(flag)", id: "usage.unknown-metric", at: flag) }
            do {
                for m in try Metric.parse(spec) where !out.contains(m) { out.append(m) }
            } catch {
                var notes: [String] = []
                if let near = Spelling.nearest(to: spec, in: Metric.names.filter { !$0.hasSuffix(":") }) {
                    notes.append("did you mean '\(near)'?")
                }
                if notes.isEmpty { notes.append("metrics: " + Metric.names.joined(separator: ", ")) }
                throw inv.error("unknown metric \(JSON.quote(spec))", id: "usage.unknown-metric", at: flag, notes: notes)
            }
        }
        return out
    }

    static func isMetricName(_ s: String) -> Bool {
        s.hasPrefix("regex:") || s.hasPrefix("contains:") || (try? Metric.parse(s)) != nil
    }

    /// A predictions file read as examples, with errors naming the file as the person wrote it.
    static func examples(path shown: String, ctx: CommandContext, requireReference: Bool,
                         at location: SourceLocation? = nil) throws(Diagnostic) -> [FTEval.Example] {
        let path = ctx.resolve(shown)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw .error("no such file: \(shown)", id: "eval.missing-file", at: location)
        }
        guard !isDir.boolValue else {
            throw .error("\(shown) is a folder, not a predictions file", id: "eval.missing-file", at: location)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .error("cannot read \(shown): permission denied or unreadable", id: "io.unreadable", at: location)
        }
        return try ExampleFile.parse(bytes: [UInt8](data), file: shown, requireReference: requireReference)
    }

    /// Evaluation items from a dataset in the workspace or a file.
    static func items(_ v: Value, ctx: CommandContext, inv: Invocation, flag: String) throws -> (name: String, items: [EvalItem]) {
        if let (name, entry) = ctx.workspace.lookup(v) {
            guard let ds = entry.object as? Dataset else {
                throw inv.error("'\(name)' is a \(entry.kind), not a dataset", id: "eval.not-a-dataset", at: flag)
            }
            return (name, try EvalData.items(from: ds, file: ds.source ?? name))
        }
        let shown = v.text
        let path = ctx.resolve(shown)
        guard FileManager.default.fileExists(atPath: path) else {
            let names = ctx.workspace.names(kind: "dataset")
            throw inv.error("no dataset or file named '\(shown)'", id: "eval.missing-file", at: flag,
                            notes: Spelling.nearest(to: shown, in: names).map { ["did you mean '\($0)'?"] } ?? [])
        }
        let loaded = try DataLoader.load(path: path, display: shown)
        // Skipping unusable lines would quietly evaluate on less data than asked.
        if var first = loaded.findings.first {
            first.notes.append("evaluation uses every example; 'data check \(shown)' lists all problems")
            throw first
        }
        return (shown, try EvalData.items(from: loaded.dataset, file: shown))
    }

    /// What one side of a run or comparison is.
    enum Side {
        /// Predictions with their references, ready to score.
        case scored(name: String, examples: [FTEval.Example], prompts: [Prompt]?)
        /// Something that can answer the data's prompts.
        case source(any PredictionSource)
    }

    /// Resolves MODEL / A / B: an `eval run` result, a workspace object whose kind can generate,
    /// a predictions file, `tiny` or a model folder, or else a hosted model id.
    static func side(_ v: Value, flag: String, hasData: Bool, inv: Invocation, ctx: CommandContext) throws -> Side {
        if let run = evaluation(v, ctx) {
            return .scored(name: run.model, examples: zip(run.predictions, run.references).map { FTEval.Example(prediction: $0, reference: $1) },
                           prompts: run.prompts)
        }
        if let (name, entry) = ctx.workspace.lookup(v) {
            if let make = PredictionSources.factory(for: entry.kind) {
                guard hasData else { throw needsData(name, flag: flag, inv: inv) }
                return .source(try make(name, entry, ctx))
            }
            let modelKinds = ["model", "run", "adapter", "job"]
            let why = modelKinds.contains(entry.kind) ? "model kind '\(entry.kind)' cannot generate answers yet" : "a \(entry.kind) is not a model"
            throw inv.error("'\(name)' is a \(entry.kind): \(why)", id: "eval.cannot-generate", at: flag,
                            notes: ["give a predictions JSONL file, an HF model folder, an 'eval run' result or a hosted model id"])
        }
        let shown = v.text
        let path = ctx.resolve(shown)
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        // The bundled model and model, adapter or run folders, as `model load` reads them.
        if shown == "tiny" || (exists && isDir.boolValue) {
            if let source = try located(inv, flag, { () throws(Diagnostic) in try PredictionSources.load(shown, ctx) }) {
                guard hasData else { throw needsData(shown, flag: flag, inv: inv) }
                return .source(source)
            }
        }
        if exists {
            if isDir.boolValue {
                guard FileManager.default.fileExists(atPath: path + "/config.json") else {
                    throw inv.error("\(shown) is a folder without config.json, so not a model folder", id: "eval.not-a-model", at: flag)
                }
                guard hasData else { throw needsData(shown, flag: flag, inv: inv) }
                return .source(try located(inv, flag) { () throws(Diagnostic) in try LocalModel(folder: path, display: shown) })
            }
            if hasData {
                return .source(try located(inv, flag) { () throws(Diagnostic) in try RecordedPredictions(path: path, display: shown) })
            }
            let read = try examples(path: shown, ctx: ctx, requireReference: true)
            // Prompts, when every line has one, only label the examples shown.
            let recorded = try? RecordedPredictions(path: path, display: shown)
            let prompts = recorded.flatMap { r in r.lines.count == read.count && r.lines.allSatisfy { $0.prompt != nil } ? r.lines.map { $0.prompt! } : nil }
            return .scored(name: shown, examples: read, prompts: prompts)
        }
        if shown.hasSuffix(".jsonl") || shown.hasSuffix(".json") || shown.contains("/") {
            throw inv.error("no such file: \(shown)", id: "eval.missing-file", at: flag)
        }
        guard !shown.isEmpty, shown.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }) else {
            throw inv.error("'\(shown)' is not a file, a workspace object or a model id", id: "eval.unknown-model", at: flag)
        }
        guard hasData else { throw needsData(shown, flag: flag, inv: inv) }
        return .source(try hosted(shown, ctx: ctx))
    }

    static func needsData(_ name: String, flag: String, inv: Invocation) -> Diagnostic {
        inv.error("\(name) is a model; give --data so it can answer the data's prompts", id: "usage.missing-argument", at: flag)
    }

    /// Errors without a place of their own point at the argument that led to them.
    static func located<T>(_ inv: Invocation, _ flag: String, _ body: () throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        do { return try body() } catch { throw error.located(inv.location(of: flag)) }
    }

    static func hosted(_ model: String, ctx: CommandContext) throws -> HostedModel {
        let client = try openAIClient(ctx)
        let folder = Paths(environment: ctx.environment).cache + "/eval"
        return HostedModel(model: model, completer: OpenAIChatCompleter(client: client), cacheFolder: folder)
    }

    /// The client the job commands use (their settings, cassette and session).
    static func openAIClient(_ ctx: CommandContext) throws -> OpenAIClient {
        try OpenAISession.client(ctx)
    }

    /// An `eval run` result: its workspace name or handle, or the record `eval run` returned.
    static func evaluation(_ v: Value, _ ctx: CommandContext) -> EvalRun? {
        if let inner = v["evaluation"], case .object = inner { return evaluation(inner, ctx) }
        guard let (_, entry) = ctx.workspace.lookup(v) else { return nil }
        return entry.object as? EvalRun
    }
}
