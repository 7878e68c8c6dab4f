import FTCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import FTOpenAI
import Synchronization

/// A transport that answers from a script and remembers what it was sent.
final class ScriptedTransport: Transport, @unchecked Sendable {
    enum Step { case respond(HTTPResponse), fail(TransportError) }
    private let steps: Mutex<[Step]>
    let sent = Mutex<[HTTPRequest]>([])

    init(_ steps: [Step]) { self.steps = Mutex(steps) }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        sent.withLock { $0.append(request) }
        let step: Step? = steps.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch step {
        case .respond(let r)?: return r
        case .fail(let e)?: throw e
        case nil: throw .invalidRequest("script ran out")
        }
    }

    var count: Int { sent.withLock { $0.count } }
}

func jsonResponse(_ status: Int, _ text: String, headers: [String: String] = [:]) -> HTTPResponse {
    var h = headers
    h["content-type"] = "application/json"
    return HTTPResponse(status: status, headers: h, body: Data(text.utf8))
}

/// Records the waits instead of sleeping.
final class SleepLog: @unchecked Sendable {
    let waits = Mutex<[Double]>([])
    var sleeper: @Sendable (Double) async throws(TransportError) -> Void {
        { (s: Double) async throws(TransportError) -> Void in self.waits.withLock { $0.append(s) } }
    }
    var all: [Double] { waits.withLock { $0 } }
}

let testKey = "sk-ftshtest-" + "Zq9xV3kLm2Pw8Rt5Yb7N"

final class NoticeLog: @unchecked Sendable {
    let items = Mutex<[ClientNotice]>([])
    var all: [ClientNotice] { items.withLock { $0 } }
}

extension Error {
    /// The diagnostic any error of the client turns into.
    var diagnostic: Diagnostic {
        if let e = self as? OpenAIError { return e.diagnostic }
        if let d = self as? Diagnostic { return d }
        return .error("\(self)", id: "test.unexpected")
    }
    var status: Int? { (self as? OpenAIError)?.status }
}

func makeClient(_ transport: any Transport, sleeps: SleepLog = SleepLog(), retries: Int = 2,
                notices: NoticeLog? = nil, base: String = "http://127.0.0.1:9/v1") -> OpenAIClient {
    var config = OpenAIConfiguration(apiKey: testKey, baseURL: URL(string: base)!)
    config.maxRetries = retries
    return OpenAIClient(configuration: config, transport: transport, random: SeededRandom(seed: 7), sleep: sleeps.sleeper,
                        notify: { n in notices?.items.withLock { $0.append(n) } })
}

final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "ftopenai-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String, _ text: String) -> String {
        let p = path + "/" + name
        FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        return p
    }
}

/// Twelve valid chat lines.
func trainingText(_ n: Int = 12) -> String {
    (0..<n).map { #"{"messages":[{"role":"user","content":"question \#($0)"},{"role":"assistant","content":"answer \#($0)"}]}"# }
        .joined(separator: "\n") + "\n"
}
