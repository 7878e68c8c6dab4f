import FTCore
import Foundation
import Testing
@testable import FTOpenAI

/// The client end to end against the fake server: every request it sends must match the
/// OpenAPI subset (the server checks), and every response of the fake must too.
@Suite(.serialized, .enabled(if: FakeServer.available, "needs python3 with pyyaml and jsonschema"))
struct FakeServerTests {
    func expectClean(_ server: FakeServer) async throws {
        let v = try await server.violations()
        #expect(v.requests.isEmpty, "requests off the spec: \(v.requests.map { JSON.encode($0) })")
        #expect(v.responses.isEmpty, "fake responses off the spec: \(v.responses.map { JSON.encode($0) })")
    }

    func upload(_ client: OpenAIClient, _ dir: TempDir, lines: Int = 12, name: String = "train.jsonl") async throws -> OpenAIFile {
        try await client.uploadFile(path: dir.file(name, trainingText(lines)))
    }

    /// Polls until the job ends (each request moves the fake's clock on).
    func finish(_ client: OpenAIClient, _ id: String) async throws -> FineTuningJob {
        for _ in 0..<2000 {
            let job = try await client.job(id)
            if job.status.isTerminal { return job }
        }
        throw Diagnostic.error("job did not finish", id: "test.timeout")
    }

    @Test func filesRoundTrip() async throws {
        let server = try FakeServer()
        let client = server.client()
        let dir = TempDir()
        let a = try await upload(client, dir, name: "a.jsonl")
        let b = try await upload(client, dir, name: "b.jsonl")
        #expect(a.filename == "a.jsonl" && a.bytes == trainingText().utf8.count && a.purpose == "fine-tune")
        let first = try await client.listFiles(limit: 1)
        #expect(first.items.map(\.id) == [b.id] && first.hasMore)
        let second = try await client.listFiles(after: first.lastID, limit: 1)
        #expect(second.items.map(\.id) == [a.id] && !second.hasMore)
        #expect(try await client.allFiles().count == 2)
        #expect(try await client.file(a.id).filename == "a.jsonl")
        let out = dir.path + "/copy.jsonl"
        let d = try await client.downloadFile(a.id, to: out, overwrite: false)
        #expect(!d.decodedBase64 && d.bytes == Int64(trainingText().utf8.count))
        #expect(FileManager.default.contents(atPath: out) == Data(trainingText().utf8))
        do {
            _ = try await client.downloadFile(a.id, to: out, overwrite: false)
            Issue.record("expected io.exists")
        } catch { #expect(error.diagnostic.id == "io.exists") }
        #expect(try await client.deleteFile(a.id).deleted)
        do {
            _ = try await client.file(a.id)
            Issue.record("expected 404")
        } catch { #expect(error.status == 404 && error.diagnostic.id == "openai.not-found") }
        try await expectClean(server)
    }

    @Test func aJobRunsToSuccessWithEventsCheckpointsAndResults() async throws {
        let server = try FakeServer()
        let client = server.client()
        let dir = TempDir()
        let train = try await upload(client, dir, lines: 20)
        let valid = try await upload(client, dir, lines: 10, name: "valid.jsonl")
        let created = try await client.createJob(JobCreateRequest(model: "gpt-4o-mini-2024-07-18", trainingFile: train.id,
                                                                  validationFile: valid.id, suffix: "demo", seed: 3,
                                                                  epochs: .value(2), batchSize: .value(2)))
        #expect(created.status == .validatingFiles)
        #expect(created.metadata["ftsh_request_id"]?.hasPrefix("ftsh-") == true)
        let done = try await finish(client, created.id)
        #expect(done.status == .succeeded)
        #expect(done.fineTunedModel?.hasPrefix("ft:gpt-4o-mini-2024-07-18:org-fake:demo:") == true)
        let events = try await client.allEvents(created.id, pageSize: 7)
        #expect(events.first?.message.hasPrefix("Created fine-tuning job") == true)
        #expect(events.last?.message == "The job has successfully completed")
        let steps = events.compactMap(\.metrics)
        #expect(steps.map(\.step) == Array(1...20))
        #expect(steps.last?.totalSteps == 20)
        #expect(steps.contains { $0.validLoss != nil })
        let checkpoints = try await client.allCheckpoints(created.id)
        #expect(checkpoints.compactMap(\.step) == [20, 10])
        // The result file comes base64-encoded, as OpenAI's sometimes does.
        let resultID = try #require(done.resultFiles.first)
        let content = try await client.fileContent(resultID)
        #expect(content.decodedBase64)
        let csv = try ResultsCSV.parse(String(decoding: content.data, as: UTF8.self))
        #expect(csv.rows.map(\.step) == Array(1...20))
        let saved = try await client.downloadFile(resultID, to: dir.path + "/results.csv", overwrite: false)
        #expect(saved.decodedBase64)
        #expect(FileManager.default.contents(atPath: dir.path + "/results.csv") == content.data)
        let models = try await client.models().map(\.id)
        #expect(models.contains(done.fineTunedModel!))
        let reply = try await client.chat(model: done.fineTunedModel!, messages: [("user", "안녕")])
        #expect(reply.content?.hasSuffix("you said: 안녕") == true)
        #expect(try await client.deleteModel(done.fineTunedModel!).deleted)
        try await expectClean(server)
    }

    @Test func pauseResumeAndCancel() async throws {
        let server = try FakeServer()
        let client = server.client()
        let dir = TempDir()
        let train = try await upload(client, dir, lines: 40)
        let job = try await client.createJob(JobCreateRequest(model: "gpt-4o-mini-2024-07-18", trainingFile: train.id))
        var j = try await client.job(job.id)
        while j.status != .running { j = try await client.job(job.id) }
        #expect(try await client.pauseJob(job.id).status == .pausing)
        while j.status != .paused { j = try await client.job(job.id) }
        #expect(try await client.resumeJob(job.id).status == .running)
        #expect(try await client.cancelJob(job.id).status == .cancelled)
        do {
            _ = try await client.cancelJob(job.id)
            Issue.record("expected 400")
        } catch { #expect(error.diagnostic.message.contains("already cancelled")) }
        let bad = try await client.uploadFile(path: dir.file("few.jsonl", trainingText(3)))
        let failing = try await client.createJob(JobCreateRequest(model: "gpt-4o-mini-2024-07-18", trainingFile: bad.id))
        let failed = try await finish(client, failing.id)
        #expect(failed.status == .failed)
        #expect(failed.errorMessage?.contains("at least 10 examples") == true)
        #expect(failed.errorMessage?.hasSuffix("(param: training_file)") == true)
        try await expectClean(server)
    }

    @Test func paginationOverHundredsOfJobsAndEvents() async throws {
        let server = try FakeServer()
        let client = server.client()
        let dir = TempDir()
        let train = try await upload(client, dir, lines: 100)
        var ids: [String] = []
        for _ in 0..<230 {
            ids.append(try await client.createJob(JobCreateRequest(model: "gpt-4o-mini-2024-07-18", trainingFile: train.id)).id)
        }
        let all = try await client.allJobs(pageSize: 100)
        #expect(all.count == 230)
        #expect(Set(all.map(\.id)) == Set(ids))
        #expect(all.map(\.id) == ids.reversed()) // newest first
        #expect(try await client.allJobs(pageSize: 100, max: 150).count == 150)
        let done = try await finish(client, ids[0])
        #expect(done.status == .succeeded)
        let events = try await client.allEvents(ids[0], pageSize: 100)
        #expect(events.count > 300)
        #expect(events.compactMap(\.metrics).map(\.step) == Array(1...300))
        let log = try await server.requestLog()
        #expect(log.contains { $0["query"]?["after"] != nil && ($0["path"]?.stringValue ?? "").hasSuffix("/events") })
        try await expectClean(server)
    }

    @Test func retriesInjectedFaults() async throws {
        let server = try FakeServer()
        let sleeps = SleepLog()
        let client = server.client(sleeps: sleeps)
        try await server.faults(#"[{"path": "/models$", "kind": "status", "status": 429, "retry_after": 1, "times": 1},"#
            + #"{"path": "/models$", "kind": "status", "status": 503, "times": 1},"#
            + #"{"path": "/models/", "kind": "truncate", "times": 1},"#
            + #"{"path": "/files$", "method": "GET", "kind": "garbage", "times": 1},"#
            + #"{"path": "/chat/completions$", "kind": "drop", "times": 1}]"#)
        #expect(!(try await client.models()).isEmpty)
        #expect(sleeps.all.count == 2 && sleeps.all[0] == 1)
        #expect(try await client.model("babbage-002").id == "babbage-002")
        #expect(try await client.listFiles().items.isEmpty)
        #expect(sleeps.all.count == 4)
        #expect(try await client.chat(model: "babbage-002", messages: [("user", "hi")]).content != nil)
        #expect(sleeps.all.count == 5)
        try await server.faults(#"[{"path": "/models$", "kind": "status", "status": 500, "times": 5}]"#)
        do {
            _ = try await client.models()
            Issue.record("expected 500")
        } catch { #expect(error.diagnostic.id == "openai.server-error") }
        try await expectClean(server)
    }

    @Test func aDroppedCreateResponseLeavesExactlyOneJob() async throws {
        let server = try FakeServer()
        let client = server.client()
        let dir = TempDir()
        let train = try await upload(client, dir)
        try await server.faults(#"[{"method": "POST", "path": "/fine_tuning/jobs$", "kind": "drop-after", "times": 1}]"#)
        let job = try await client.createJob(JobCreateRequest(model: "gpt-4o-mini-2024-07-18", trainingFile: train.id))
        let all = try await client.allJobs()
        #expect(all.map(\.id) == [job.id])
        let posts = try await server.requestLog().filter { $0["method"] == "POST" && $0["path"] == "/fine_tuning/jobs" }
        #expect(posts.count == 1)
        try await expectClean(server)
    }

    @Test func slowAnswersTimeOut() async throws {
        let server = try FakeServer()
        try await server.faults(#"[{"path": "/models$", "kind": "slow", "delay": 3, "times": 2}]"#)
        do {
            _ = try await server.client(retries: 1, timeout: 1).models()
            Issue.record("expected a timeout")
        } catch {
            #expect(error.diagnostic.id == "openai.timeout")
            #expect(error.diagnostic.message.contains("after 2 attempts"))
        }
    }

    @Test func badInputGivesOneLineErrors() async throws {
        let server = try FakeServer()
        func failure(_ client: OpenAIClient, _ body: (OpenAIClient) async throws(OpenAIError) -> Void) async -> Diagnostic? {
            do { try await body(client); return nil } catch { return error.diagnostic }
        }
        let wrongKey = await failure(server.client(key: "sk-wrongwrongwrong123")) { c throws(OpenAIError) in _ = try await c.models() }
        #expect(wrongKey?.id == "openai.unauthorized")
        #expect(wrongKey?.message.contains("sk-wrong") == false)
        let noJob = await failure(server.client()) { c throws(OpenAIError) in _ = try await c.job("ftjob-nope") }
        #expect(noJob?.id == "openai.not-found")
        #expect(noJob?.message.hasPrefix("404 invalid_request_error: Could not find fine-tune: ftjob-nope (param: fine_tuning_job_id)") == true)
        let wrongBase = await failure(server.client(base: "http://127.0.0.1:\(server.port)")) { c throws(OpenAIError) in _ = try await c.models() }
        #expect(wrongBase?.id == "openai.bad-response")
        #expect(wrongBase?.message.contains("HTML page") == true)
        // A port nobody listens on: refused at once, retried, then reported.
        let down = await failure(server.client(sleeps: SleepLog(), base: "http://127.0.0.1:9/v1")) { c throws(OpenAIError) in _ = try await c.models() }
        #expect(down?.id == "openai.connection")
        #expect(down?.message.contains("after 3 attempts") == true)
        for d in [wrongKey, noJob, wrongBase, down] { #expect(d.map { !$0.message.contains("\n") } == true) }
        try await expectClean(server)
    }

    @Test func azureFlavourSpeaksTheSameAPI() async throws {
        let server = try FakeServer()
        let config = try OpenAIConfiguration.fromEnvironment(["AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:\(server.port)",
                                                              "AZURE_OPENAI_API_KEY": server.key, "OPENAI_API_VERSION": "2024-10-21"])
        let client = OpenAIClient(configuration: config, random: SeededRandom(seed: 2))
        #expect(try await client.models().contains { $0.id == "gpt-4o-mini-2024-07-18" })
        let reply = try await client.chat(model: "my-deployment", messages: [("user", "hello")])
        #expect(reply.content?.contains("you said: hello") == true)
        try await expectClean(server)
    }
}
