import FTCore
import Foundation
import Testing
@testable import FTServe

/// Files, models, errors and authentication against a server in this process; every reply is
/// checked against the spec's schema.
@Suite(.serialized) struct EndpointTests {
    @Test func filesUploadListGetContentDelete() async throws {
        try await withServer("files") { server in
            var ids: [String] = []
            for i in 0..<3 {
                let r = try await server.upload(chatExamples(10 + i), filename: "set\(i).jsonl")
                #expect(r.status == 200, "\(r.text)")
                expectValid(r.json, operation: "POST /files")
                #expect(r.json["purpose"] == "fine-tune" && r.json["bytes"]?.intValue == chatExamples(10 + i).utf8.count)
                ids.append(r.json["id"]?.stringValue ?? "")
            }
            #expect(Set(ids).count == 3 && ids.allSatisfy { $0.hasPrefix("file-") })
            // Newest first, one page at a time.
            var seen: [String] = []
            var after: String?
            for _ in 0..<4 {
                let list = try await server.ok("GET", "/v1/files?limit=1" + (after.map { "&after=\($0)" } ?? ""), operation: "GET /files")
                let page = (list["data"]?.listValue ?? []).compactMap { $0["id"]?.stringValue }
                seen += page
                after = list["last_id"]?.stringValue
                if list["has_more"] != .bool(true) { break }
            }
            #expect(seen.sorted() == ids.sorted())
            let asc = try await server.ok("GET", "/v1/files?order=asc&purpose=fine-tune", operation: "GET /files")
            #expect((asc["data"]?.listValue ?? []).compactMap { $0["id"]?.stringValue } == seen.reversed())
            let one = try await server.ok("GET", "/v1/files/\(ids[1])", operation: "GET /files/{file_id}")
            #expect(one["filename"] == "set1.jsonl")
            let content = try await server.call("GET", "/v1/files/\(ids[1])/content")
            #expect(content.status == 200 && content.text == chatExamples(11))
            let deleted = try await server.ok("DELETE", "/v1/files/\(ids[1])", operation: "DELETE /files/{file_id}")
            #expect(deleted["deleted"] == .bool(true))
            try await server.fails("GET", "/v1/files/\(ids[1])", status: 404, code: "file_not_found")
            try await server.fails("GET", "/v1/files/\(ids[1])/content", status: 404)
            try await server.fails("GET", "/v1/files?limit=0", status: 400, param: "limit")
            try await server.fails("GET", "/v1/files?after=file-nope", status: 400, param: "after")
        }
    }

    @Test func uploadsAreChecked() async throws {
        try await withServer("uploads", maxUpload: 4096) { server in
            let wrongPurpose = try await server.upload("x", filename: "a.jsonl", purpose: "homework")
            #expect(wrongPurpose.status == 400 && wrongPurpose.json["error"]?["param"] == "purpose")
            let notJSONL = try await server.upload("a,b\n", filename: "a.csv")
            #expect(notJSONL.status == 400 && notJSONL.json["error"]?["code"] == "invalid_file_format")
            let big = try await server.upload(String(repeating: "x", count: 10_000), filename: "big.jsonl")
            #expect(big.status == 413 && big.json["error"]?["type"] == "invalid_request_error", "\(big.text)")
            let (noFile, type) = multipart(fields: ["purpose": "fine-tune"], file: nil)
            try await server.fails("POST", "/v1/files", raw: noFile, contentType: type, status: 400, param: "file")
            try await server.fails("POST", "/v1/files", json: ["purpose": "fine-tune"], status: 400, code: "invalid_content_type")
            try await server.fails("POST", "/v1/files", raw: Data("--b\r\nnonsense".utf8), contentType: "multipart/form-data; boundary=b",
                                   status: 400, code: "invalid_multipart")
        }
    }

    @Test func badRequestsGetTheErrorEnvelope() async throws {
        try await withServer("bad") { server in
            let train = try await server.upload(chatExamples(10)).json["id"]?.stringValue ?? ""
            let other = try await server.upload("{}", filename: "notes.txt", purpose: "assistants").json["id"]?.stringValue ?? ""
            let jobs = "/v1/fine_tuning/jobs"
            try await server.fails("POST", jobs, raw: Data("{\"model\": ".utf8), contentType: "application/json", status: 400, code: "invalid_json")
            try await server.fails("POST", jobs, json: ["training_file": .string(train)], status: 400, code: "missing_required_parameter", param: "model")
            try await server.fails("POST", jobs, json: ["model": "test"], status: 400, param: "training_file")
            try await server.fails("POST", jobs, json: ["model": "test", "training_file": "file-unknown"], status: 400, param: "training_file")
            try await server.fails("POST", jobs, json: ["model": "test", "training_file": .string(other)], status: 400, param: "training_file")
            try await server.fails("POST", jobs, json: ["model": "gpt-4o-mini-2024-07-18", "training_file": .string(train)], status: 400,
                                   code: "model_not_available", param: "model")
            try await server.fails("POST", jobs, json: ["model": 5, "training_file": .string(train)], status: 400, param: "model")
            try await server.fails("POST", jobs, json: ["model": "test", "training_file": .string(train),
                                                        "method": ["type": "supervised", "supervised": ["hyperparameters": ["n_epochs": 0]]]],
                                   status: 400, param: "method.supervised.hyperparameters.n_epochs")
            try await server.fails("POST", jobs, json: ["model": "test", "training_file": .string(train), "hyperparameters": ["batch_size": "big"]],
                                   status: 400, param: "hyperparameters.batch_size")
            try await server.fails("POST", jobs, json: ["model": "test", "training_file": .string(train), "method": ["type": "dpo"]],
                                   status: 400, code: "unsupported_method")
            try await server.fails("POST", jobs, json: ["model": "test", "training_file": .string(train), "suffix": "a:b"], status: 400, param: "suffix")
            try await server.fails("POST", jobs, json: ["model": "test", "training_file": .string(train), "metadata": ["ftsh_method": "magic"]],
                                   status: 400, param: "metadata")
            try await server.fails("GET", jobs + "/ftjob-nope", status: 404, code: "fine_tune_not_found")
            try await server.fails("POST", jobs + "/ftjob-nope/cancel", status: 404)
            try await server.fails("GET", jobs + "/ftjob-nope/events", status: 404)
            try await server.fails("GET", "/v1/models/ft:test:ftsh::nothing", status: 404, code: "model_not_found")
            try await server.fails("DELETE", "/v1/models/test", status: 403)
            try await server.fails("GET", "/v1/nothing-here", status: 404, code: "unknown_url")
            try await server.fails("PUT", "/v1/files", status: 404, code: "unknown_url")
            try await server.fails("POST", "/v1/chat/completions", json: ["model": "test"], status: 400, param: "messages")
            try await server.fails("POST", "/v1/chat/completions", json: ["model": "nope", "messages": [["role": "user", "content": "hi"]]],
                                   status: 404, code: "model_not_found")
            try await server.fails("POST", "/v1/chat/completions", json: ["model": "test", "messages": [["role": "wizard", "content": "hi"]]],
                                   status: 400, param: "messages.[0].role")
            try await server.fails("POST", "/v1/chat/completions", json: ["model": "test", "messages": [["role": "user", "content": "hi"]], "temperature": 3],
                                   status: 400, param: "temperature")
            let huge = Value.string(String(repeating: "a", count: 70_000))
            try await server.fails("POST", "/v1/chat/completions", json: ["model": "test", "messages": [["role": "user", "content": huge]]],
                                   status: 413)
        }
    }

    @Test func bearerTokenIsRequiredWhenSet() async throws {
        try await withServer("auth", token: "s3cret") { server in
            try await server.fails("GET", "/v1/models", status: 401, code: "invalid_api_key", auth: false)
            try await server.fails("GET", "/v1/models", status: 401, code: "invalid_api_key", token: "s3cre")
            let models = try await server.ok("GET", "/v1/models", operation: "GET /models")
            #expect((models["data"]?.listValue ?? []).contains { $0["id"] == "test" })
            let reply = try await server.call("GET", "/v1/models/test")
            #expect(reply.status == 200 && reply.headers["x-request-id"]?.hasPrefix("req_") == true)
            expectValid(reply.json, operation: "GET /models/{model}")
        }
    }

    @Test func baseModelAnswersChat() async throws {
        try await withServer("chat") { server in
            let request: Value = ["model": "test", "messages": [["role": "user", "content": "hello"]], "max_completion_tokens": 5,
                                  "seed": 3, "n": 2]
            let a = try await server.ok("POST", "/v1/chat/completions", operation: "POST /chat/completions", json: request)
            let b = try await server.ok("POST", "/v1/chat/completions", operation: "POST /chat/completions", json: request)
            #expect(a["choices"]?.listValue?.count == 2)
            #expect(a["choices"] == b["choices"], "the same seed gives the same answers")
            let usage = a["usage"]
            #expect((usage?["completion_tokens"]?.intValue ?? 0) >= 1 && (usage?["completion_tokens"]?.intValue ?? 0) <= 10)
            #expect(usage?["total_tokens"]?.intValue == (usage?["prompt_tokens"]?.intValue ?? 0) + (usage?["completion_tokens"]?.intValue ?? 0))
        }
    }
}
