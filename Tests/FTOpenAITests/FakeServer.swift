import FTCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import FTOpenAI

/// The fake API server (Tests/fakeopenai/server.py) on a free loopback port, for one suite.
final class FakeServer: @unchecked Sendable {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fakeopenai").path

    /// Whether python3 with PyYAML and jsonschema is here; without them the suites are skipped.
    static let available: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import yaml, jsonschema, referencing"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            FileHandle.standardError.write(Data("FTOpenAITests: skipping fake-server tests (needs python3 with pyyaml and jsonschema: pip install pyyaml jsonschema)\n".utf8))
        }
        return p.terminationStatus == 0
    }()

    let process: Process
    let port: Int
    let key: String

    init(key: String = testKey, arguments: [String] = []) throws {
        self.key = key
        let portFile = NSTemporaryDirectory() + "ftsh-fake-port-\(UUID().uuidString)"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.directory + "/server.py", "--port", "0", "--port-file", portFile, "--key", key] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        while Date() < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text) { found = p; break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        try? FileManager.default.removeItem(atPath: portFile)
        guard let found else {
            process.terminate()
            throw Diagnostic.error("the fake server did not start", id: "test.fake-server")
        }
        port = found
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    func client(retries: Int = 2, timeout: Double = 600, sleeps: SleepLog = SleepLog(), base: String? = nil,
                key: String? = nil) -> OpenAIClient {
        var c = OpenAIConfiguration(apiKey: key ?? self.key, baseURL: URL(string: base ?? baseURL)!)
        c.maxRetries = retries
        c.timeout = timeout
        return OpenAIClient(configuration: c, random: SeededRandom(seed: 1), sleep: sleeps.sleeper)
    }

    /// Calls a control endpoint (`/_fake/...`).
    @discardableResult
    func control(_ method: String, _ path: String, _ body: String? = nil) async throws -> Value {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        r.httpMethod = method
        if let body { r.httpBody = Data(body.utf8) }
        let (data, _) = try await URLSession.shared.data(for: r)
        return try JSON.decode(bytes: Array(data))
    }

    func faults(_ json: String) async throws { try await control("POST", "/_fake/faults", json) }

    /// Requests that did not match the OpenAPI subset, and responses of the fake that did not.
    func violations() async throws -> (requests: [Value], responses: [Value]) {
        let v = try await control("GET", "/_fake/violations")
        return (v["requests"]?.listValue ?? [], v["responses"]?.listValue ?? [])
    }

    func requestLog() async throws -> [Value] { try await control("GET", "/_fake/log")["requests"]?.listValue ?? [] }
}
