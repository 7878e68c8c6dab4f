import FTCore
import FTEngine
import FTTokenizer
import Foundation
import ModelPlugin
import Testing

@Suite("model: counts, folders, PEFT round trips, merge")
struct ModelTests {
    @Test("PEFT's trainable-parameter line, digit for digit, for GPT-2 124M with LoRA r=8 on c_attn")
    func peftLine() throws {
        let model = try GPTModel(config: .gpt2)
        try model.addLoRA(targets: ["c_attn"], rank: 8, alpha: 8, seed: 0)
        #expect(LocalGPT.trainableLine(trainable: model.trainableCount, all: model.parameterCount)
                == "trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364")
        #expect(LocalGPT.grouped(0) == "0")
        #expect(LocalGPT.grouped(999) == "999")
        #expect(LocalGPT.grouped(1000) == "1,000")
    }

    @Test("the byte tokenizer encodes any text one byte per token and decodes it back")
    func byteTokenizer() throws {
        let (tok, files) = try TokenizerFiles.bytes()
        #expect(tok.vocabularySize == 257)
        #expect(tok.endOfTextID == 256)
        let text = "Fine-tuning 미세 조정 ✓\n"
        #expect(tok.encode(text).count == text.utf8.count)
        #expect(tok.decode(tok.encode(text)) == text)
        #expect(files.keys.sorted() == ["merges.txt", "vocab.json"])
    }

    @Test("a LoRA and a prompt-tuning run write PEFT folders with PEFT's keys that read back to the same logits",
          arguments: ["lora", "prompt"])
    func peftRoundTrip(method: String) async throws {
        let dir = try temporaryFolder("peft-\(method)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir)
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        try await ctx.run(shortRun(method, steps: 3, extra: ["--lr", "1e-2"] + (method == "lora" ? ["--targets", "c_attn,mlp.c_proj", "--rank", "4", "--alpha", "16"] : ["--virtual-tokens", "5"])))
        let best = dir + "/runs/\(method)-1/best"
        let config = try JSON.decode(String(contentsOfFile: best + "/adapter_config.json", encoding: .utf8))
        let file = try SafetensorsFile(path: best + "/adapter_model.safetensors")
        if method == "lora" {
            #expect(config["peft_type"] == "LORA")
            #expect(config["task_type"] == "CAUSAL_LM")
            #expect(config["r"] == .int(4))
            #expect(config["lora_alpha"] == .int(16))
            #expect(config["fan_in_fan_out"] == .bool(true))
            #expect(config["target_modules"] == .list(["attn.c_attn", "mlp.c_proj"]))
            #expect(file.entries["base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"]?.shape == [4, 32])
            #expect(file.entries["base_model.model.transformer.h.1.attn.c_attn.lora_B.weight"]?.shape == [96, 4])
            #expect(file.entries["base_model.model.transformer.h.1.mlp.c_proj.lora_A.weight"]?.shape == [4, 128])
            #expect(file.names.count == 8)
        } else {
            #expect(config["peft_type"] == "PROMPT_TUNING")
            #expect(config["num_virtual_tokens"] == .int(5))
            #expect(config["token_dim"] == .int(32))
            #expect(file.names == ["prompt_embeddings"])
            #expect(file.entries["prompt_embeddings"]?.shape == [5, 32])
        }
        // The adapter folder alone, on its base, is the trained model.
        try await ctx.run(["model", "load", "runs/\(method)-1/best", "--base", "runs/\(method)-1/base", "as", "back"])
        let back = try #require(ctx.model("back")), trained = try #require(ctx.model("\(method)-1"))
        let ids = trained.tokenizer.encode("user: What is a learning rate?\nassistant:")
        #expect(maxDifference(try logits(trained.model, ids), try logits(back.model, ids)) < 1e-5)
        let info = try await ctx.run(["model", "info", "back"])
        #expect(info["peft_line"]?.stringValue == LocalGPT.trainableLine(trainable: trained.model.trainableCount,
                                                                         all: trained.model.parameterCount))
    }

    @Test("model merge folds LoRA into the weights: same logits, an HF folder without adapters")
    func merge() async throws {
        let dir = try temporaryFolder("merge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try writeSplit(dir)
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        try await ctx.run(shortRun("lora", steps: 4, extra: ["--lr", "3e-2", "--targets", "all"]))
        let r = try await ctx.run(["model", "merge", "runs/lora-1"])
        #expect((r["max_logit_difference"]?.numberValue ?? 1) < 1e-4)
        #expect(r["merged_modules"] == .int(8))
        let merged = try HFCheckpoint.load(folder: dir + "/runs/lora-1/merged")
        #expect(merged.loraModules.isEmpty)
        let lora = try #require(ctx.model("lora-1"))
        let ids = lora.tokenizer.encode("user: hello\nassistant:")
        #expect(maxDifference(try logits(lora.model, ids), try logits(merged, ids)) < 1e-4)
        // LoRA changed something: the merged weights differ from the base.
        let base = try HFCheckpoint.load(folder: dir + "/runs/lora-1/base")
        #expect(base.blocks[0].attn.weight.values.map { $0 } != merged.blocks[0].attn.weight.values.map { $0 })
        await expectDiagnostic("model.cannot-merge") { try await ctx.run(["model", "merge", "g"]) }
    }

    @Test("model save and load: HF folder with tokenizer, no overwrite without --force, located errors")
    func saveLoad() async throws {
        let dir = try temporaryFolder("save")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        try await ctx.run(["model", "save", "g", "out"])
        for f in ["config.json", "model.safetensors", "vocab.json", "merges.txt"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/out/" + f), "\(f)")
        }
        await expectDiagnostic("io.exists") { try await ctx.run(["model", "save", "g", "out"]) }
        try await ctx.run(["model", "save", "g", "out", "--force"])
        try await ctx.run(["model", "load", "out", "as", "h"])
        let g = try #require(ctx.model("g")), h = try #require(ctx.model("h"))
        for (a, b) in zip(g.model.baseParameters, h.model.baseParameters) { #expect(a.values.map { $0 } == b.values.map { $0 }) }
        await expectDiagnostic("model.missing-file") { try await ctx.run(["model", "load", "nowhere/"]) }
        try FileManager.default.createDirectory(atPath: dir + "/broken", withIntermediateDirectories: true)
        try "{\"model_type\": \"llama\"}".write(toFile: dir + "/broken/config.json", atomically: true, encoding: .utf8)
        await expectDiagnostic("model.unsupported-architecture") { try await ctx.run(["model", "load", "broken"]) }
        await expectDiagnostic("workspace.unknown-model") { try await ctx.run(["model", "info", "nosuch"]) }
    }

    @Test("generate is greedy by default and repeatable when sampling with a seed; model next ranks tokens")
    func generateAndNext() async throws {
        let dir = try temporaryFolder("generate")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ctx = TestContext(directory: dir)
        try await tinyModel(ctx)
        let a = try await ctx.run(["generate", "g", "Hello", "--max-tokens", "8"])
        #expect(a["tokens"] == .int(8))
        let s1 = try await ctx.run(["generate", "g", "Hello", "--max-tokens", "8", "--temperature", "1", "--top-k", "20", "--seed", "4"])
        let s2 = try await ctx.run(["generate", "g", "Hello", "--max-tokens", "8", "--temperature", "1", "--top-k", "20", "--seed", "4"])
        #expect(s1["text"] == s2["text"])
        #expect(s1["tokens_per_second"] == .null)
        let next = try await ctx.run(["model", "next", "g", "Hello", "--top", "3"])
        let top = try #require(next["top"]?.listValue)
        #expect(top.count == 3)
        let probs = top.compactMap { $0["probability"]?.numberValue }
        #expect(probs == probs.sorted(by: >))
        // Greedy generation starts with the most likely next token.
        let g = try #require(ctx.model("g"))
        let first = g.tokenizer.decode([try #require(top[0]["id"]?.intValue)])
        #expect(a["text"]?.stringValue?.hasPrefix(first) == true)
        await expectDiagnostic("usage.bad-argument") { try await ctx.run(["generate", "g", "x", "--top-p", "2"]) }
    }
}
