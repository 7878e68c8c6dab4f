import FTCore
import FTEngine
import FTPluginKit
import Foundation
import ModelPlugin
import Testing
import TrainPlugin

/// A session stand-in: records what commands print and report, with a seeded generator and a
/// working folder of its own.
final class TestContext: CommandContext, @unchecked Sendable {
    var printed: [String] = []
    var reported: [Diagnostic] = []
    let workspace = Workspace()
    let workingDirectory: String
    var seed: UInt64 = 1
    let commands: [String: CommandSpec]

    init(directory: String) {
        workingDirectory = directory
        var all: [String: CommandSpec] = [:]
        for spec in ModelPlugin.plugin().commands + TrainPlugin.plugin().commands { all[spec.name] = spec }
        commands = all
    }

    func print(_ text: String) { printed.append(text) }
    func printError(_ text: String) { printed.append(text) }
    func report(_ diagnostic: Diagnostic) { reported.append(diagnostic) }
    func progress(_ status: ProgressStatus?) {}
    func resolve(_ path: String) -> String { resolvePath(path, relativeTo: workingDirectory) }
    func makeRandom() -> SeededRandom { SeededRandom(seed: seed) }
    var isInteractive: Bool { false }
    var color: Bool { false }
    let clock = SessionClock(frozen: true)
    var environment: [String: String] { [:] }
    func variable(_ name: String) -> Value? { nil }
    var isCheckMode: Bool { true }
    func run(source: String, file: String, firstLine: Int) async -> FTCore.ExitStatus { .ok }
    func pause(_ prompt: String) -> Bool { true }

    /// Runs a command line given as words (the command's name first), as the shell would bind it.
    @discardableResult
    func run(_ line: [String]) async throws -> Value {
        for k in stride(from: min(3, line.count), to: 0, by: -1) {
            if let spec = commands[line[0..<k].joined(separator: " ")] {
                let words = line[k...].enumerated().map { i, w in
                    ArgumentWord(value: .string(w), location: SourceLocation(file: "test", line: 1, column: i + 1),
                                 length: w.count, isLiteralText: false)
                }
                let inv = try ArgumentBinder.bind(Array(words), to: spec, at: SourceLocation(file: "test", line: 1, column: 1))
                return try await spec.run!(inv, self)
            }
        }
        throw Diagnostic.error("no command \(line.joined(separator: " "))", id: "test.unknown-command")
    }

    func model(_ name: String) -> LocalGPT? { workspace.get(name, as: LocalGPT.self) }
}

/// A fresh folder under the system's temporary folder.
func temporaryFolder(_ label: String) throws -> String {
    let dir = NSTemporaryDirectory() + "ftsh-train-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// ftsh's sample English questions and answers.
let sampleData = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../share/data/qa-en.jsonl").standardized.path

/// Splits the sample data into train and valid files in `dir`.
func writeSplit(_ dir: String, train: Int = 24, valid: Int = 8) throws {
    let lines = try String(contentsOfFile: sampleData, encoding: .utf8).split(separator: "\n")
    try (lines[0..<train].joined(separator: "\n") + "\n").write(toFile: dir + "/train.jsonl", atomically: true, encoding: .utf8)
    try (lines[train..<(train + valid)].joined(separator: "\n") + "\n").write(toFile: dir + "/valid.jsonl", atomically: true, encoding: .utf8)
}

/// A tiny seeded model in the workspace as `g`: small enough that a few steps take moments.
func tinyModel(_ ctx: TestContext) async throws {
    try await ctx.run(["model", "new", "--layers", "2", "--heads", "2", "--dims", "32", "--context", "320", "--seed", "3", "as", "g"])
}

/// A model that already predicts text, as `g`: the bundled model when installed; otherwise a
/// small random model given a short full fine-tuning on the sample data first (prompt tuning,
/// for one, can only steer a model whose output depends on its input).
func pretrainedModel(_ ctx: TestContext) async throws {
    if ModelFolders.bundledTiny(environment: [:]) != nil {
        try await ctx.run(["model", "load", "tiny", "as", "g"])
        return
    }
    try await ctx.run(["model", "new", "--layers", "2", "--heads", "2", "--dims", "64", "--context", "320", "--seed", "3", "as", "raw"])
    try await ctx.run(["train", "full", "--model", "raw", "--data", sampleData.replacingOccurrences(of: "qa-en", with: "qa-ko"), "--max-steps", "40", "--batch", "8", "--lr", "3e-3",
                       "--seed", "2", "--max-length", "160", "--out", "warmup", "as", "g"])
}

/// The common training words for a short run.
func shortRun(_ method: String, steps: Int = 8, extra: [String] = []) -> [String] {
    ["train", method, "--model", "g", "--data", "train.jsonl", "--valid", "valid.jsonl", "--max-steps", "\(steps)",
     "--eval-every", "4", "--batch", "4", "--seed", "11", "--max-length", "160"] + extra
}

/// The error a body throws must be a `Diagnostic` with this id.
func expectDiagnostic(_ id: String, sourceLocation: Testing.SourceLocation = #_sourceLocation,
                      _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(id), nothing was thrown", sourceLocation: sourceLocation)
    } catch let d as Diagnostic {
        #expect(d.id == id, "\(d)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(id), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Logits of `model` for each position of `ids`, one cached step at a time.
func logits(_ model: GPTModel, _ ids: [Int]) throws -> [[Float]] {
    let g = Generator(model: model, capacity: ids.count + (model.prompt?.shape[0] ?? 0))
    return try ids.map { Array(try g.feed([$0])) }
}

func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
    zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
}
