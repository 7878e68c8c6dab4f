import FTCore
import FTEngine
import FTTokenizer
import Foundation
import Synchronization
import Testing
@testable import EvalPlugin

/// Answers by upper-casing the last message, counting requests and the most ever in flight.
final class FakeCompleter: ChatCompleter, Sendable {
    let endpoint = "http://fake.invalid/v1"
    let state = Mutex((calls: 0, inFlight: 0, peak: 0))
    let failOn: String?

    init(failOn: String? = nil) { self.failOn = failOn }

    func complete(model: String, messages: [ChatMessage], settings: GenerationSettings) async throws -> String {
        state.withLock { s in s.calls += 1; s.inFlight += 1; s.peak = max(s.peak, s.inFlight) }
        defer { state.withLock { $0.inFlight -= 1 } }
        // Long enough for requests to overlap when the limit lets them.
        try await Task.sleep(nanoseconds: 20_000_000)
        let last = messages.last?.content ?? ""
        if last == failOn { throw Diagnostic.error("server said no", id: "openai.api") }
        return "\(model):" + last.uppercased()
    }
}

@Suite struct HostedModelTests {
    @Test func concurrencyLimitAndCache() async throws {
        let folder = try temporaryFolder("cache")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let prompts: [Prompt] = (0..<9).map { .text("q\($0)") } + [.chat([ChatMessage(role: "user", content: "질문")])]
        let fake = FakeCompleter()
        let model = HostedModel(model: "m-1", completer: fake, cacheFolder: folder)
        let settings = GenerationSettings(maxTokens: 16, temperature: 0, concurrency: 3)
        let first = try await model.predict(prompts, settings: settings, ctx: TestContext())
        #expect(first == (0..<9).map { "m-1:Q\($0)" } + ["m-1:질문"], "answers keep the prompts' order")
        #expect(fake.state.withLock { $0.calls } == 10)
        let peak = fake.state.withLock { $0.peak }
        #expect(peak <= 3 && peak >= 2, "at most --concurrency requests at once, and they do overlap (peak \(peak))")

        // A new session with the same cache folder sends nothing.
        let again = FakeCompleter()
        let second = try await HostedModel(model: "m-1", completer: again, cacheFolder: folder)
            .predict(prompts, settings: settings, ctx: TestContext())
        #expect(second == first)
        #expect(again.state.withLock { $0.calls } == 0)

        // Other settings are other requests.
        let hotter = FakeCompleter()
        _ = try await HostedModel(model: "m-1", completer: hotter, cacheFolder: folder)
            .predict(Array(prompts.prefix(2)), settings: GenerationSettings(maxTokens: 16, temperature: 0.7, concurrency: 3), ctx: TestContext())
        #expect(hotter.state.withLock { $0.calls } == 2)
    }

    @Test func answersBeforeAFailureStayCached() async throws {
        let folder = try temporaryFolder("fail")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let prompts: [Prompt] = [.text("a"), .text("b"), .text("bad"), .text("c")]
        let settings = GenerationSettings(maxTokens: 8, temperature: 0, concurrency: 1)
        await expectDiagnostic("openai.api") {
            _ = try await HostedModel(model: "m", completer: FakeCompleter(failOn: "bad"), cacheFolder: folder)
                .predict(prompts, settings: settings, ctx: TestContext())
        }
        let retry = FakeCompleter()
        let answers = try await HostedModel(model: "m", completer: retry, cacheFolder: folder)
            .predict(prompts, settings: settings, ctx: TestContext())
        #expect(answers == ["m:A", "m:B", "m:BAD", "m:C"])
        #expect(retry.state.withLock { $0.calls } == 2, "only the failed prompt and the one never sent")
    }

    @Test func aTruncatedCacheLineIsSkipped() throws {
        let folder = try temporaryFolder("trunc")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = ResponseCache(folder: folder, model: "ft:gpt-4o-mini:acme::x1", endpoint: "e")
        #expect(!cache.path.contains("::"), "model ids become safe file names")
        let key = cache.key(messages: [ChatMessage(role: "user", content: "hi")], settings: GenerationSettings())
        try cache.append(key: key, answer: "hello")
        let handle = FileHandle(forWritingAtPath: cache.path)!
        handle.seekToEndOfFile()
        handle.write(Data(#"{"request":"x","ans"#.utf8))
        handle.closeFile()
        #expect(cache.load() == [key: "hello"])
    }
}

@Suite struct LocalModelTests {
    static let tokenizerFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../FTTokenizerTests/Golden/gpt2-tiny").standardized.path

    func modelFolder() throws -> String {
        let tokenizer = try GPT2Tokenizer.load(folder: Self.tokenizerFolder)
        let config = GPTConfig(vocabSize: tokenizer.vocabularySize, contextLength: 64, layers: 2, heads: 2, embedding: 16)
        let model = try GPTModel.random(config: config, seed: 11)
        var extra: [String: Data] = [:]
        for name in ["vocab.json", "merges.txt"] {
            extra[name] = FileManager.default.contents(atPath: Self.tokenizerFolder + "/" + name)
        }
        let folder = try temporaryFolder("model") + "/tiny"
        try HFCheckpoint.save(model, to: folder, extraFiles: extra, overwrite: false)
        return folder
    }

    @Test func greedyAnswersAreRepeatable() async throws {
        let folder = try modelFolder()
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let prompts: [Prompt] = [.text("the cat"), .chat([ChatMessage(role: "user", content: "hello there")]),
                                 .text(String(repeating: "long prompt ", count: 80))]
        let settings = GenerationSettings(maxTokens: 6, temperature: 0)
        let a = try await LocalModel(folder: folder, display: "tiny").predict(prompts, settings: settings, ctx: TestContext())
        let b = try await LocalModel(folder: folder, display: "tiny").predict(prompts, settings: settings, ctx: TestContext())
        #expect(a.count == 3)
        #expect(a == b)
        // The answer is what the model writes after the prompt, so it must decode from new tokens only.
        let tokenizer = try GPT2Tokenizer.load(folder: folder)
        #expect(tokenizer.encode(a[0]).count <= 7)
    }

    @Test func foldersWithoutATokenizerOrWeightsAreRefused() throws {
        let folder = try modelFolder()
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        try FileManager.default.removeItem(atPath: folder + "/vocab.json")
        expectDiagnostic("model.missing-file") { _ = try LocalModel(folder: folder, display: "tiny") }
        try FileManager.default.removeItem(atPath: folder + "/model.safetensors")
        expectDiagnostic("model.missing-file") { _ = try LocalModel(folder: folder, display: "tiny") }
    }

    @Test func chatLayoutAndAnswerCut() {
        let p = Prompt.chat([ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "2+2?")])
        #expect(LocalPromptLayout.render(p) == "system: Be brief.\nuser: 2+2?\nassistant:")
        #expect(LocalPromptLayout.answer(" 4\nuser: and 3+3?\nassistant: 6", chat: true) == "4")
        #expect(LocalPromptLayout.answer(" 4\nuser: x", chat: false) == "4\nuser: x")
    }
}
