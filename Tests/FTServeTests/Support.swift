import FTCore
import FTEngine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ModelPlugin
import Testing
@testable import FTServe

/// A fresh folder under the temporary directory, removed by `cleanup`.
func scratchFolder(_ label: String) -> String {
    let dir = NSTemporaryDirectory() + "ftsh-serve-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A small random GPT-2 folder with a byte-level tokenizer: trains in a moment, and every
/// text encodes.
func makeTestModel(in dir: String) throws -> String {
    let folder = dir + "/base"
    let (_, files) = try TokenizerFiles.bytes()
    let config = GPTConfig(vocabSize: 257, contextLength: 128, layers: 2, heads: 2, embedding: 32, eosTokenId: 256)
    try HFCheckpoint.save(try GPTModel.random(config: config, seed: 7), to: folder, extraFiles: files, overwrite: false)
    return folder
}

/// Chat examples that teach one fixed pattern (the answer repeats the question's word).
func chatExamples(_ n: Int) -> String {
    let words = ["red", "blue", "green", "gold", "grey", "pink", "teal", "navy", "lime", "rose", "plum", "sand", "jade", "ruby"]
    return (0..<n).map { i in
        let w = words[i % words.count]
        return #"{"messages":[{"role":"system","content":"Echo."},{"role":"user","content":"say \#(w)"},{"role":"assistant","content":"\#(w) \#(w)"}]}"#
    }.joined(separator: "\n") + "\n"
}

struct Reply {
    var status: Int
    var body: Data
    var headers: [String: String]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: Value { (try? JSON.decode(text)) ?? .null }
}

/// `ftsh serve` in this process on a free loopback port, with its own data directory.
final class TestServer: @unchecked Sendable {
    let app: ServeApp
    let port: Int
    let task: Task<Void, any Error>
    let token: String?

    init(dataDirectory: String, baseFolder: String, token: String? = nil, maxUpload: Int = 1 << 20,
         afterStep: (@Sendable (String, Int) -> Void)? = nil) async throws {
        var options = ServeOptions(host: "127.0.0.1", port: 0, token: token, dataDirectory: dataDirectory,
                                   baseModels: ["test": baseFolder], maxUploadBytes: maxUpload)
        options.maxJSONBytes = 64 * 1024
        let app = try ServeApp(options: options, environment: ["HOME": dataDirectory])
        app.runner.afterStep = afterStep
        self.app = app
        self.token = token
        let (ports, sink) = AsyncStream<Int>.makeStream()
        task = Task { try await app.run { sink.yield($0) } }
        var found: Int?
        for await p in ports { found = p; break }
        port = found ?? 0
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    func call(_ method: String, _ path: String, json: Value? = nil, raw: Data? = nil, contentType: String? = nil,
              token: String? = nil, auth: Bool = true) async throws -> Reply {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        r.httpMethod = method
        if let json { r.httpBody = Data(JSON.encode(json).utf8); r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        if let raw { r.httpBody = raw }
        if let contentType { r.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if auth, let t = token ?? self.token { r.setValue("Bearer \(t)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: r)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return Reply(status: http.statusCode, body: data, headers: headers)
    }

    /// A 200 reply whose body the spec's schema for `operation` accepts.
    func ok(_ method: String, _ path: String, operation: String, json: Value? = nil) async throws -> Value {
        let reply = try await call(method, path, json: json)
        #expect(reply.status == 200, "\(method) \(path): \(reply.text)")
        expectValid(reply.json, operation: operation)
        return reply.json
    }

    /// An error reply: the status, the API's envelope, and its code.
    @discardableResult
    func fails(_ method: String, _ path: String, json: Value? = nil, raw: Data? = nil, contentType: String? = nil,
               status: Int, code: String? = nil, param: String? = nil, token: String? = nil, auth: Bool = true) async throws -> Value {
        let reply = try await call(method, path, json: json, raw: raw, contentType: contentType, token: token, auth: auth)
        #expect(reply.status == status, "\(method) \(path): \(reply.text)")
        #expect(SchemaChecker.shared.check(reply.json, component: "ErrorResponse") == [], "\(reply.text)")
        if let code { #expect(reply.json["error"]?["code"]?.stringValue == code, "\(reply.text)") }
        if let param { #expect(reply.json["error"]?["param"]?.stringValue == param, "\(reply.text)") }
        return reply.json
    }

    func upload(_ content: String, filename: String = "train.jsonl", purpose: String = "fine-tune") async throws -> Reply {
        let (body, type) = multipart(fields: ["purpose": purpose], file: ("file", filename, Data(content.utf8)))
        return try await call("POST", "/v1/files", raw: body, contentType: type)
    }

    /// Polls a job until its status is one of `statuses` (a bound on the number of polls keeps a
    /// broken server from hanging the suite).
    func waitFor(_ job: String, _ statuses: Set<String>) async throws -> Value {
        for _ in 0..<3000 {
            let j = try await call("GET", "/v1/fine_tuning/jobs/\(job)").json
            if let s = j["status"]?.stringValue, statuses.contains(s) { return j }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        Issue.record("job \(job) never reached \(statuses)")
        return .null
    }
}

/// The known gap between the spec and the API: its job status enum lacks `paused`, which the
/// API's own /pause example returns.
func expectValid(_ v: Value, operation: String) {
    let problems = SchemaChecker.shared.check(v, operation: operation).filter { !$0.contains("\"paused\" is not one of") }
    #expect(problems == [], "\(operation): \(JSON.encode(v).prefix(400))")
}

func multipart(fields: [String: String], file: (name: String, filename: String, data: Data)?) -> (Data, String) {
    let boundary = "ftsh-test-boundary-\(UInt32.random(in: 0...UInt32.max))"
    var body = Data()
    for (k, v) in fields.sorted(by: { $0.key < $1.key }) {
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
    }
    if let file {
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += file.data
        body += Data("\r\n".utf8)
    }
    body += Data("--\(boundary)--\r\n".utf8)
    return (body, "multipart/form-data; boundary=\(boundary)")
}

/// Runs `body` against a new server with its own folder; stops the server and removes the
/// folder afterwards, whatever happens.
func withServer(_ label: String, token: String? = nil, maxUpload: Int = 1 << 20,
                _ body: (TestServer) async throws -> Void) async throws {
    let dir = scratchFolder(label)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let server = try await TestServer(dataDirectory: dir + "/data", baseFolder: try makeTestModel(in: dir), token: token, maxUpload: maxUpload)
    do { try await body(server) } catch { await server.stop(); throw error }
    await server.stop()
}

/// Request bodies written as literals in the tests.
extension Value: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) { self = .record(Record(elements)) }
}

extension Value {
    /// `list[i]` in the tests' expectations.
    subscript(index: Int) -> Value? {
        guard let l = listValue, index >= 0, index < l.count else { return nil }
        return l[index]
    }
}
