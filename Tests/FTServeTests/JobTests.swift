import FTCore
import Foundation
import Testing
@testable import FTServe

/// Blocks the training thread at one step until the test lets it go.
final class StepGate: @unchecked Sendable {
    let step: Int
    let reached = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    init(step: Int) { self.step = step }
    func hook(_ job: String, _ step: Int) {
        guard step == self.step else { return }
        reached.signal()
        release.wait()
    }
    func waitReached() async { await withCheckedContinuation { c in DispatchQueue.global().async { self.reached.wait(); c.resume() } } }
}

/// Jobs that really train: a small random GPT learns from a chat file, with events, epoch
/// checkpoints, a result file and a model that answers at once; pause, resume, cancel, a
/// bad file, and a restart in the middle of training.
@Suite(.serialized) struct JobTests {
    func createJob(_ server: TestServer, file: String, epochs: Int = 2, batch: Int = 4, suffix: String? = "unit",
                   metadata: Value? = nil, validation: String? = nil, multiplier: Double = 2) async throws -> Value {
        var body: Record = ["model": "test", "training_file": .string(file), "seed": 11,
                            "method": ["type": "supervised", "supervised": ["hyperparameters": [
                                "n_epochs": .int(epochs), "batch_size": .int(batch), "learning_rate_multiplier": .number(multiplier)]]]]
        if let suffix { body["suffix"] = .string(suffix) }
        if let metadata { body["metadata"] = metadata }
        if let validation { body["validation_file"] = .string(validation) }
        return try await server.ok("POST", "/v1/fine_tuning/jobs", operation: "POST /fine_tuning/jobs", json: .record(body))
    }

    func allEvents(_ server: TestServer, _ job: String) async throws -> [Value] {
        var out: [Value] = []
        var after: String?
        for _ in 0..<200 {
            let page = try await server.ok("GET", "/v1/fine_tuning/jobs/\(job)/events?limit=3" + (after.map { "&after=\($0)" } ?? ""),
                                           operation: "GET /fine_tuning/jobs/{fine_tuning_job_id}/events")
            let data = page["data"]?.listValue ?? []
            out += data
            after = data.last?["id"]?.stringValue
            if page["has_more"] != .bool(true) { break }
        }
        return out
    }

    @Test func jobTrainsToAModelThatAnswers() async throws {
        try await withServer("train") { server in
            let train = try await server.upload(chatExamples(12)).json["id"]?.stringValue ?? ""
            let valid = try await server.upload(chatExamples(4), filename: "valid.jsonl").json["id"]?.stringValue ?? ""
            let created = try await createJob(server, file: train, validation: valid, multiplier: 20)
            let id = created["id"]?.stringValue ?? ""
            #expect(id.hasPrefix("ftjob-") && created["fine_tuned_model"] == .null)
            let job = try await server.waitFor(id, ["succeeded", "failed", "cancelled"])
            expectValid(job, operation: "GET /fine_tuning/jobs/{fine_tuning_job_id}")
            #expect(job["status"] == "succeeded", "\(JSON.encode(job))")
            #expect(job["hyperparameters"]?["n_epochs"] == 2 && job["hyperparameters"]?["batch_size"] == 4)
            #expect(job["hyperparameters"]?["learning_rate_multiplier"] == 20)
            #expect((job["trained_tokens"]?.intValue ?? 0) > 0)
            let model = job["fine_tuned_model"]?.stringValue ?? ""
            #expect(model == "ft:test:ftsh:unit:\(id.suffix(8))")
            // Events: newest first, the whole story, real metrics for each of the 6 steps.
            let events = try await allEvents(server, id)
            let messages = events.compactMap { $0["message"]?.stringValue }
            #expect(messages.first == "The job has successfully completed")
            #expect(messages.last == "Created fine-tuning job: \(id)")
            #expect(messages.contains("Files validated, moving job to queued state") && messages.contains("Fine-tuning job started"))
            let metrics = events.filter { $0["type"] == "metrics" }.reversed().map { $0["data"] ?? .null }
            #expect(metrics.map { $0["step"]?.intValue ?? 0 } == [1, 2, 3, 4, 5, 6])
            #expect(metrics.allSatisfy { $0["total_steps"] == 6 && ($0["train_loss"]?.numberValue ?? 0) > 0 })
            try #require(metrics.count == 6)
            #expect(metrics[2]["valid_loss"] != nil && metrics[5]["valid_loss"] != nil, "validation at each epoch's end")
            let first = metrics.first?["train_loss"]?.numberValue ?? 0, last = metrics.last?["train_loss"]?.numberValue ?? 99
            #expect(last < first, "training lowers the loss (\(first) → \(last))")
            // One checkpoint per epoch, newest first, usable as a model.
            let ckpts = try await server.ok("GET", "/v1/fine_tuning/jobs/\(id)/checkpoints",
                                            operation: "GET /fine_tuning/jobs/{fine_tuning_job_id}/checkpoints")
            let steps = (ckpts["data"]?.listValue ?? []).map { $0["step_number"]?.intValue ?? 0 }
            #expect(steps == [6, 3])
            let ckptModel = ckpts["data"]?.listValue?.last?["fine_tuned_model_checkpoint"]?.stringValue ?? ""
            #expect(ckptModel == model + ":ckpt-step-3")
            // The result file: OpenAI's columns, a row per step.
            let resultID = job["result_files"]?.listValue?.first?.stringValue ?? ""
            let meta = try await server.ok("GET", "/v1/files/\(resultID)", operation: "GET /files/{file_id}")
            #expect(meta["purpose"] == "fine-tune-results")
            let csv = try await server.call("GET", "/v1/files/\(resultID)/content").text.split(separator: "\n")
            #expect(csv.first == "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy")
            #expect(csv.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? "" }
                    == ["1", "2", "3", "4", "5", "6"])
            // The model is listed and answers at once, as does its checkpoint.
            let models = try await server.ok("GET", "/v1/models", operation: "GET /models")
            #expect((models["data"]?.listValue ?? []).contains { $0["id"] == .string(model) })
            _ = try await server.ok("GET", "/v1/models/\(model)", operation: "GET /models/{model}")
            for m in [model, ckptModel] {
                let answer = try await server.ok("POST", "/v1/chat/completions", operation: "POST /chat/completions",
                                                 json: ["model": .string(m), "messages": [["role": "system", "content": "Echo."],
                                                                                           ["role": "user", "content": "say red"]],
                                                        "temperature": 0, "max_completion_tokens": 12])
                #expect(answer["model"] == .string(m) && answer["choices"]?[0]?["message"]?["role"] == "assistant")
            }
            // Streaming: role first, text pieces, a finish reason, usage, [DONE].
            let streamed = try await server.call("POST", "/v1/chat/completions", json: [
                "model": .string(model), "messages": [["role": "user", "content": "say blue"]], "temperature": 0,
                "max_completion_tokens": 8, "stream": true, "stream_options": ["include_usage": true]])
            #expect(streamed.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            let datas = streamed.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
            #expect(datas.last == "[DONE]")
            let chunks = datas.dropLast().compactMap { try? JSON.decode($0) }
            for c in chunks { #expect(SchemaChecker.shared.check(c, component: "CreateChatCompletionStreamResponse") == [], "\(JSON.encode(c))") }
            #expect(chunks.first?["choices"]?[0]?["delta"]?["role"] == "assistant")
            #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"]?.stringValue != nil })
            #expect((chunks.last?["usage"]?["completion_tokens"]?.intValue ?? 0) >= 1)
            // Deleting the model makes it unknown.
            _ = try await server.ok("DELETE", "/v1/models/\(model)", operation: "DELETE /models/{model}")
            try await server.fails("POST", "/v1/chat/completions", json: ["model": .string(model), "messages": [["role": "user", "content": "x"]]],
                                   status: 404, code: "model_not_found")
            // Job listing with metadata filter and pagination.
            let list = try await server.ok("GET", "/v1/fine_tuning/jobs?limit=1", operation: "GET /fine_tuning/jobs")
            #expect(list["data"]?[0]?["id"] == .string(id) && list["has_more"] == .bool(false))
        }
    }

    @Test func adapterMethodAndBadFile() async throws {
        try await withServer("methods") { server in
            let train = try await server.upload(chatExamples(10)).json["id"]?.stringValue ?? ""
            let a = try await createJob(server, file: train, epochs: 1, batch: 5, suffix: nil, metadata: ["ftsh_method": "adapter"])
            // Three lines, one not JSON: validation fails the job with the API's kind of error.
            let bad = try await server.upload(chatExamples(2) + "{not json\n", filename: "bad.jsonl").json["id"]?.stringValue ?? ""
            let b = try await createJob(server, file: bad)
            let done = try await server.waitFor(a["id"]?.stringValue ?? "", ["succeeded", "failed"])
            #expect(done["status"] == "succeeded" && done["metadata"]?["ftsh_method"] == "adapter", "\(JSON.encode(done))")
            #expect(done["fine_tuned_model"]?.stringValue?.hasPrefix("ft:test:ftsh::") == true)
            let answer = try await server.ok("POST", "/v1/chat/completions", operation: "POST /chat/completions",
                                             json: ["model": done["fine_tuned_model"] ?? .null, "messages": [["role": "user", "content": "say gold"]],
                                                    "max_completion_tokens": 4, "seed": 1])
            #expect(answer["choices"]?.listValue?.count == 1)
            let failed = try await server.waitFor(b["id"]?.stringValue ?? "", ["succeeded", "failed"])
            expectValid(failed, operation: "GET /fine_tuning/jobs/{fine_tuning_job_id}")
            #expect(failed["status"] == "failed" && failed["error"]?["code"] == "invalid_training_file")
            #expect(failed["error"]?["param"] == "training_file" && failed["fine_tuned_model"] == .null)
            #expect(failed["error"]?["message"]?.stringValue?.contains("line 3") == true, "\(JSON.encode(failed))")
            let events = try await allEvents(server, b["id"]?.stringValue ?? "")
            #expect(events.first?["level"] == "error")
            try await server.fails("POST", "/v1/fine_tuning/jobs/\(b["id"]?.stringValue ?? "")/cancel", status: 400, code: "invalid_state")
        }
    }

    @Test func pauseResumeAndCancel() async throws {
        let dir = scratchFolder("pause")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gate = StepGate(step: 2)
        let server = try await TestServer(dataDirectory: dir + "/data", baseFolder: try makeTestModel(in: dir), afterStep: gate.hook)
        let train = try await server.upload(chatExamples(12)).json["id"]?.stringValue ?? ""
        let a = try await createJob(server, file: train)["id"]?.stringValue ?? ""
        let b = try await createJob(server, file: train)["id"]?.stringValue ?? ""
        await gate.waitReached()
        // Job a is held at step 2; b waits its turn.
        #expect(try await server.waitFor(b, ["queued"])["status"] == "queued")
        let cancelled = try await server.ok("POST", "/v1/fine_tuning/jobs/\(b)/cancel", operation: "POST /fine_tuning/jobs/{fine_tuning_job_id}/cancel")
        #expect(cancelled["status"] == "cancelled")
        let paused = try await server.ok("POST", "/v1/fine_tuning/jobs/\(a)/pause", operation: "POST /fine_tuning/jobs/{fine_tuning_job_id}/pause")
        #expect(paused["status"] == "paused")
        try await server.fails("POST", "/v1/fine_tuning/jobs/\(a)/pause", status: 400, code: "invalid_state")
        gate.release.signal()
        // The saved state is written once the trainer sees the pause.
        for _ in 0..<500 {
            if try await allEvents(server, a).first?["message"]?.stringValue?.hasPrefix("Training paused") == true { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(try await server.call("GET", "/v1/fine_tuning/jobs/\(a)").json["status"] == "paused")
        let resumed = try await server.ok("POST", "/v1/fine_tuning/jobs/\(a)/resume", operation: "POST /fine_tuning/jobs/{fine_tuning_job_id}/resume")
        #expect(resumed["status"] == "queued")
        let done = try await server.waitFor(a, ["succeeded", "failed"])
        #expect(done["status"] == "succeeded", "\(JSON.encode(done))")
        // Every step ran exactly once across the pause.
        let steps = try await allEvents(server, a).filter { $0["type"] == "metrics" }.compactMap { $0["data"]?["step"]?.intValue }
        #expect(steps.sorted() == [1, 2, 3, 4, 5, 6] && steps.count == 6)
        let csvID = done["result_files"]?[0]?.stringValue ?? ""
        #expect(try await server.call("GET", "/v1/files/\(csvID)/content").text.split(separator: "\n").count == 7)
        let list = try await server.ok("GET", "/v1/fine_tuning/jobs?limit=1", operation: "GET /fine_tuning/jobs")
        #expect(list["data"]?[0]?["id"] == .string(b) && list["has_more"] == .bool(true))
        let next = try await server.ok("GET", "/v1/fine_tuning/jobs?limit=5&after=\(b)", operation: "GET /fine_tuning/jobs")
        #expect(next["data"]?.listValue?.map { $0["id"] ?? .null } == [.string(a)])
        await server.stop()
    }

    @Test func restartInTheMiddleLosesNothing() async throws {
        let dir = scratchFolder("restart")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = try makeTestModel(in: dir)
        let gate = StepGate(step: 4)
        let first = try await TestServer(dataDirectory: dir + "/data", baseFolder: base, afterStep: gate.hook)
        var server = first
        let train = try await server.upload(chatExamples(12)).json["id"]?.stringValue ?? ""
        let other = try await server.upload(chatExamples(10), filename: "other.jsonl").json["id"]?.stringValue ?? ""
        let job = try await createJob(server, file: train)["id"]?.stringValue ?? ""
        await gate.waitReached()
        // Stop the server while the job is at step 4 (mid second epoch).
        let stopping = Task { await first.stop() }
        // Let the step finish only once the server is stopping, so the job stops right after it.
        for _ in 0..<1000 where !first.app.runner.isStopping { try await Task.sleep(nanoseconds: 5_000_000) }
        gate.release.signal()
        await stopping.value
        server = try await TestServer(dataDirectory: dir + "/data", baseFolder: base)
        let files = try await server.ok("GET", "/v1/files", operation: "GET /files")
        #expect(Set((files["data"]?.listValue ?? []).compactMap { $0["id"]?.stringValue }) == [train, other])
        let done = try await server.waitFor(job, ["succeeded", "failed"])
        #expect(done["status"] == "succeeded", "\(JSON.encode(done))")
        let messages = try await allEvents(server, job).compactMap { $0["message"]?.stringValue }
        #expect(messages.contains("The server restarted; the job continues from step 4 of 6."), "\(messages)")
        let csvID = done["result_files"]?[0]?.stringValue ?? ""
        let rows = try await server.call("GET", "/v1/files/\(csvID)/content").text.split(separator: "\n").dropFirst()
        #expect(rows.map { $0.split(separator: ",").first.map(String.init) ?? "" } == ["1", "2", "3", "4", "5", "6"])
        let ckpts = try await server.ok("GET", "/v1/fine_tuning/jobs/\(job)/checkpoints", operation: "GET /fine_tuning/jobs/{fine_tuning_job_id}/checkpoints")
        #expect((ckpts["data"]?.listValue ?? []).map { $0["step_number"]?.intValue ?? 0 } == [6, 3])
        await server.stop()
    }
}
