import FTCore
import FTPluginKit
import Foundation
import Synchronization

/// How answers are produced: at most `maxTokens` new tokens, at `temperature` (0 = greedy),
/// with up to `concurrency` requests in flight for remote models.
public struct GenerationSettings: Sendable, Hashable {
    public var maxTokens: Int
    public var temperature: Double
    public var concurrency: Int
    public init(maxTokens: Int = 128, temperature: Double = 0, concurrency: Int = 4) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.concurrency = concurrency
    }
}

/// Anything that answers prompts: a local model, a hosted model, or a file of recorded
/// answers. `eval run` and `eval compare` only ever see this.
public protocol PredictionSource: Sendable {
    /// How results name it (`tiny`, `gpt-4o-mini`, `answers.jsonl`).
    var name: String { get }
    /// One answer per prompt, in the same order.
    func predict(_ prompts: [Prompt], settings: GenerationSettings, ctx: CommandContext) async throws -> [String]
}

/// Sources for workspace objects made by other plugins. A plugin whose objects can generate
/// (the model plugin's `model` and `run` objects) registers a factory for their kind, and
/// `eval run MODEL` / `eval compare A B --data D` then accept those objects by name.
public enum PredictionSources {
    public typealias Factory = @Sendable (_ name: String, _ entry: Workspace.Entry, _ ctx: CommandContext) throws -> any PredictionSource

    private static let factories = Mutex<[String: Factory]>([:])

    public static func register(kind: String, _ factory: @escaping Factory) {
        factories.withLock { $0[kind] = factory }
    }

    static func factory(for kind: String) -> Factory? { factories.withLock { $0[kind] } }

    /// Loads a model named on the command line (`tiny`, or a model, adapter or run folder)
    /// without loading it into the workspace first; nil when `shown` names none.
    public typealias Loader = @Sendable (_ shown: String, _ ctx: CommandContext) throws(Diagnostic) -> (any PredictionSource)?

    private static let loaders = Mutex<[Loader]>([])

    public static func registerLoader(_ loader: @escaping Loader) {
        loaders.withLock { $0.append(loader) }
    }

    static func load(_ shown: String, _ ctx: CommandContext) throws(Diagnostic) -> (any PredictionSource)? {
        for loader in loaders.withLock({ $0 }) {
            if let s = try loader(shown, ctx) { return s }
        }
        return nil
    }
}

/// A JSONL file of answers recorded earlier (`{"prompt": …, "prediction": …}` per line), used
/// as if it were the model that wrote them. When every line has a `prompt` (a message list as
/// `eval run --out` writes it, or the question as a string), answers are matched to the data's
/// prompts by it; otherwise line i answers prompt i and the counts must agree.
public struct RecordedPredictions: PredictionSource {
    public let name: String
    let file: String
    let lines: [(prompt: Prompt?, prediction: String, line: Int)]

    public init(path: String, display: String) throws(Diagnostic) {
        name = display
        file = display
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .error("cannot read \(display)", id: "eval.missing-file")
        }
        var out: [(Prompt?, String, Int)] = []
        for (k, raw) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var bytes = Array(raw)
            if bytes.last == 0x0D { bytes.removeLast() }
            if k == 0 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            let at = SourceLocation(file: display, line: k + 1, column: 1)
            let v = try JSON.decode(bytes: bytes, file: display, line: k + 1)
            guard v.recordValue != nil else {
                throw .error("expected a JSON object with \"prediction\"", id: "eval.not-an-object", at: at)
            }
            guard let p = v["prediction"] else { throw .error("missing \"prediction\"", id: "eval.missing-field", at: at) }
            guard let prediction = p.stringValue else {
                throw .error("\"prediction\" is a \(p.typeName); expected a string", id: "eval.not-a-string", at: at)
            }
            out.append((v["prompt"].flatMap(Prompt.from), prediction, k + 1))
        }
        guard !out.isEmpty else { throw .error("\(display) has no predictions", id: "eval.empty") }
        lines = out.map { (prompt: $0.0, prediction: $0.1, line: $0.2) }
    }

    public func predict(_ prompts: [Prompt], settings: GenerationSettings, ctx: CommandContext) async throws -> [String] {
        try answers(for: prompts)
    }

    func answers(for prompts: [Prompt]) throws(Diagnostic) -> [String] {
        if lines.allSatisfy({ $0.prompt != nil }) {
            var byPrompt: [Prompt: String] = [:]
            var byQuestion: [String: String] = [:]
            for l in lines where byPrompt[l.prompt!] == nil {
                byPrompt[l.prompt!] = l.prediction
                if case .text(let q) = l.prompt!, byQuestion[q] == nil { byQuestion[q] = l.prediction }
            }
            var out: [String] = []
            for (i, p) in prompts.enumerated() {
                // A plain-text prompt also answers a chat prompt whose last user message it is.
                guard let answer = byPrompt[p] ?? byQuestion[p.lastUserText] else {
                    throw .error("\(file) has no prediction for example \(i + 1) (\(JSON.quote(String(p.lastUserText.prefix(40)))))",
                                 id: "eval.missing-prediction",
                                 notes: ["answers are matched to the data by their \"prompt\""])
                }
                out.append(answer)
            }
            return out
        }
        guard lines.count == prompts.count else {
            throw .error("\(file) has \(lines.count) predictions but the data has \(prompts.count) examples",
                         id: "eval.mismatched-lengths",
                         notes: ["without a \"prompt\" on every line, line i must answer example i"])
        }
        return lines.map(\.prediction)
    }
}
