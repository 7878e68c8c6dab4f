import FTCore
import FTEngine
import FTPluginKit
import Foundation
import ModelPlugin
import Testing
import TrainPlugin

/// The plugin kit's recording context with the model and train commands, in a working folder
/// of its own.
final class TestContext: RecordingContext, @unchecked Sendable {
    init(directory: String) {
        super.init(directory: directory, plugins: [ModelPlugin.plugin(), TrainPlugin.plugin()])
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
