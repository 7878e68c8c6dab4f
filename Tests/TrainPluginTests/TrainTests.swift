import FTCore
import FTEngine
import Foundation
import ModelPlugin
import Testing

@Suite("train: the five methods, runs on disk, resume")
struct TrainTests {
    @Test("each method lowers the validation loss of the bundled model", arguments: ["full", "partial", "prompt", "adapter", "lora"])
    func lowersValidationLoss(method: String) async throws {
        let dir = try temporaryFolder(method)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir)
        let ctx = TestContext(directory: dir)
        try await pretrainedModel(ctx)
        let lr = ["full": "1e-4", "partial": "3e-4", "prompt": "3e-2", "adapter": "3e-3", "lora": "3e-3"][method]!
        // Virtual tokens on a pretrained model need more steps than weights do to move the loss.
        let steps = method == "prompt" ? 24 : 8
        let r = try await ctx.run(shortRun(method, steps: steps, extra: ["--lr", lr]))
        let initial = try #require(r["initial_valid_loss"]?.numberValue)
        let best = try #require(r["best_valid_loss"]?.numberValue)
        #expect(best < initial - 0.02, "\(method): \(initial) → \(best)")
        #expect(r["status"]?.stringValue == "completed")
        // The run folder holds what it promises.
        let run = dir + "/runs/\(method)-1"
        for f in ["config.json", "metrics.csv", "checkpoint/state.json", "best", "final", "data/train.jsonl", "data/valid.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + f), "\(method): \(f)")
        }
        let csv = try String(contentsOfFile: run + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy")
        // One row per step, capped by the data: 24 examples in batches of 4, for 3 epochs.
        #expect(csv.count == min(steps, 18) + 1)
        // The workspace model is the best checkpoint, and loading the run folder gives it back.
        let trained = try #require(ctx.model("\(method)-1"))
        try await ctx.run(["model", "load", "runs/\(method)-1", "as", "reloaded"])
        let reloaded = try #require(ctx.model("reloaded"))
        let ids = trained.tokenizer.encode("user: What is LoRA?\nassistant:")
        #expect(maxDifference(try logits(trained.model, ids), try logits(reloaded.model, ids)) < 1e-5)
    }

    @Test("partial fine-tuning trains only the top blocks and the final layer norm")
    func partialFreezes() async throws {
        let dir = try temporaryFolder("partial-freeze")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir)
        let ctx = TestContext(directory: dir)
        try await ctx.run(["model", "new", "--layers", "4", "--heads", "2", "--dims", "32", "--context", "320", "--seed", "3", "as", "g"])
        let before = try #require(ctx.model("g")).model.blocks[0].attn.weight.values.map { $0 }
        let r = try await ctx.run(shortRun("partial", steps: 2, extra: ["--train-layers", "1"]))
        let m = try #require(ctx.model("partial-1")).model
        #expect(m.blocks[0].attn.weight.values.map { $0 } == before)
        let config = try JSON.decode(String(contentsOfFile: dir + "/runs/partial-1/config.json", encoding: .utf8))
        #expect(config["options"]?["trained_blocks"] == .list([.int(3)]))
        // Block 3's 12 tensors and ln_f's two.
        let c = 32, h = 128
        let block = 2 * c + c * 3 * c + 3 * c + c * c + c + 2 * c + c * h + h + h * c + c
        #expect(r["trainable"]?.intValue == block + 2 * c)
    }

    @Test("a paused run resumed gives the same weights and metrics as an uninterrupted one",
          arguments: ["lora", "adapter", "lora --dropout 0.3"])
    func resumeEqualsUninterrupted(variant: String) async throws {
        let words = variant.split(separator: " ").map(String.init)
        let method = words[0], settings = Array(words.dropFirst())
        let dir = try temporaryFolder("resume-\(method)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir)
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        try await ctx.run(shortRun(method, steps: 10, extra: ["--out", "whole", "--lr", "1e-2"] + settings))
        let paused = try await ctx.run(shortRun(method, steps: 10, extra: ["--out", "parts", "--lr", "1e-2", "--stop-at", "6"] + settings))
        #expect(paused["status"]?.stringValue == "paused")
        #expect(paused["steps"]?.intValue == 6)
        let resumed = try await ctx.run(["train", "resume", "parts"])
        #expect(resumed["status"]?.stringValue == "completed")
        let a = try String(contentsOfFile: dir + "/whole/metrics.csv", encoding: .utf8)
        let b = try String(contentsOfFile: dir + "/parts/metrics.csv", encoding: .utf8)
        #expect(a == b)
        for file in ["checkpoint/trainable.safetensors", "checkpoint/optimizer.safetensors"] {
            #expect(FileManager.default.contents(atPath: dir + "/whole/" + file) == FileManager.default.contents(atPath: dir + "/parts/" + file), "\(file)")
        }
        let w = try #require(ctx.model("whole")).model, p = try #require(ctx.model("parts")).model
        for (x, y) in zip(w.trainableParameters, p.trainableParameters) { #expect(x.values.map { $0 } == y.values.map { $0 }, "\(x.name)") }
        await expectDiagnostic("train.finished") { try await ctx.run(["train", "resume", "parts"]) }
    }

    @Test("LoRA dropout changes the training steps, not the evaluations, and is recorded as PEFT's lora_dropout")
    func loraDropout() async throws {
        let dir = try temporaryFolder("lora-dropout")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir)
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        let plain = try await ctx.run(shortRun("lora", steps: 4, extra: ["--out", "plain", "--lr", "1e-2"]))
        let dropped = try await ctx.run(shortRun("lora", steps: 4, extra: ["--out", "dropped", "--lr", "1e-2", "--dropout", "0.5"]))
        let again = try await ctx.run(shortRun("lora", steps: 4, extra: ["--out", "again", "--lr", "1e-2", "--dropout", "0.5"]))
        // B starts at zero, so before any step the branch adds nothing with or without dropout;
        // evaluations see no dropout at all.
        #expect(plain["initial_valid_loss"] == dropped["initial_valid_loss"])
        #expect(plain["final_train_loss"] != dropped["final_train_loss"])
        #expect(dropped["final_train_loss"] == again["final_train_loss"])
        let metrics = { (run: String) in try String(contentsOfFile: dir + "/" + run + "/metrics.csv", encoding: .utf8) }
        #expect(try metrics("dropped") == metrics("again"))
        #expect(try metrics("dropped") != metrics("plain"))
        let config = try #require(JSON.decode(String(contentsOfFile: dir + "/dropped/final/adapter_config.json", encoding: .utf8)).recordValue)
        #expect(config["lora_dropout"]?.numberValue == 0.5)
        let plainConfig = try #require(JSON.decode(String(contentsOfFile: dir + "/plain/final/adapter_config.json", encoding: .utf8)).recordValue)
        #expect(plainConfig["lora_dropout"]?.numberValue == 0)
        let runConfig = try #require(JSON.decode(String(contentsOfFile: dir + "/dropped/config.json", encoding: .utf8)).recordValue)
        #expect(runConfig["options"]?.recordValue?["dropout"]?.numberValue == 0.5)
    }

    @Test("resuming on a different base model is refused")
    func resumeOtherBase() async throws {
        let dir = try temporaryFolder("resume-base")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir)
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        try await ctx.run(shortRun("lora", steps: 4, extra: ["--stop-at", "2"]))
        try await ctx.run(["model", "new", "--layers", "2", "--heads", "2", "--dims", "32", "--context", "320", "--seed", "4", "as", "other"])
        await expectDiagnostic("train.base-mismatch") { try await ctx.run(["train", "resume", "runs/lora-1", "--model", "other"]) }
        let r = try await ctx.run(["train", "resume", "runs/lora-1"])
        #expect(r["steps"]?.intValue == 4)
    }

    @Test("bad settings and bad data give clear errors")
    func badInput() async throws {
        let dir = try temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir)
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        await expectDiagnostic("usage.bad-argument") { try await ctx.run(shortRun("lora", extra: ["--virtual-tokens", "4"])) }
        await expectDiagnostic("train.bad-option") { try await ctx.run(shortRun("lora", extra: ["--rank", "64"])) }
        await expectDiagnostic("train.bad-option") { try await ctx.run(shortRun("lora", extra: ["--targets", "q_proj"])) }
        await expectDiagnostic("train.bad-option") { try await ctx.run(shortRun("lora", extra: ["--dropout", "1"])) }
        await expectDiagnostic("train.bad-option") { try await ctx.run(shortRun("lora", extra: ["--dropout", "-0.1"])) }
        await expectDiagnostic("train.bad-option") { try await ctx.run(shortRun("partial", extra: ["--train-layers", "9"])) }
        let noAnswers = #"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello", "weight": 0}]}"#
        try (noAnswers + "\n").write(toFile: dir + "/silent.jsonl", atomically: true, encoding: .utf8)
        await expectDiagnostic("train.no-trainable-tokens") {
            try await ctx.run(["train", "lora", "--model", "g", "--data", "silent.jsonl"])
        }
        await expectDiagnostic("train.missing-data") { try await ctx.run(["train", "lora", "--model", "g", "--data", "nothing.jsonl"]) }
        await expectDiagnostic("usage.missing-argument") {
            try await ctx.run(["train", "lora", "--model", "g", "--data", "train.jsonl", "--early-stop", "2"])
        }
        // Nothing was left behind by the refused runs.
        #expect(!FileManager.default.fileExists(atPath: dir + "/runs"))
        // Validation data that repeats training data is allowed, with a warning.
        try await ctx.run(["train", "lora", "--model", "g", "--data", "train.jsonl", "--valid", "train.jsonl", "--max-steps", "1",
                           "--max-length", "160"])
        #expect(ctx.reported.contains { $0.id == "train.valid-overlap" })
        await expectDiagnostic("io.exists") {
            try await ctx.run(["train", "lora", "--model", "g", "--data", "train.jsonl", "--max-steps", "1", "--out", "runs/lora-1"])
        }
    }

    @Test("early stopping ends the run when the validation loss stops improving")
    func earlyStop() async throws {
        let dir = try temporaryFolder("early")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir)
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        // A learning rate this large overshoots at once, so the first evaluation stays the best.
        let r = try await ctx.run(shortRun("full", steps: 40, extra: ["--lr", "0.5", "--eval-every", "1", "--early-stop", "2",
                                                                         "--grad-clip", "0"]))
        #expect(r["status"]?.stringValue == "early-stop")
        let steps = try #require(r["steps"]?.intValue), best = try #require(r["best_step"]?.intValue)
        #expect(steps == best + 2)
    }

    @Test("compare runs every method with one seed and budget and fills the table")
    func compare() async throws {
        let dir = try temporaryFolder("compare")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir, train: 12, valid: 4)
        try "A plain text about bread and rivers, to measure forgetting.".write(toFile: dir + "/plain.txt", atomically: true, encoding: .utf8)
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        let r = try await ctx.run(["train", "compare", "lora", "prompt", "--model", "g", "--data", "train.jsonl", "--valid", "valid.jsonl",
                                   "--max-steps", "3", "--batch", "4", "--max-length", "160", "--base-text", "plain.txt"])
        let rows = try #require(r["methods"]?.listValue)
        #expect(rows.map { $0["method"]?.stringValue } == ["lora", "prompt"])
        for row in rows {
            #expect(row["best_valid_loss"]?.numberValue != nil)
            // Check mode: no timings or memory figures.
            #expect(row["seconds_per_step"] == .null)
            #expect(row["peak_rss_bytes"] == .null)
        }
        // LoRA starts as the base model (B = 0): the plain-text loss before is the base's own.
        let lora = rows[0], prompt = rows[1]
        #expect(lora["base_text_loss_before"] == prompt["base_text_loss_before"])
        let seeds = try ["lora", "prompt"].map {
            try JSON.decode(String(contentsOfFile: dir + "/runs/compare-1/\($0)/config.json", encoding: .utf8))["seed"]
        }
        #expect(seeds[0] == seeds[1])
    }
}
