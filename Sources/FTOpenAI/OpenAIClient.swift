import Foundation
import FTCore
import Synchronization

/// Something the client did that a person may want to see while a command runs.
public enum ClientNotice: Sendable {
    /// A request failed in a way worth retrying; the next attempt follows after `delay` seconds.
    case retrying(method: String, path: String, reason: String, retry: Int, of: Int, delay: Double)
    /// A retried `job create` found the job its lost first attempt had made.
    case recovered(jobID: String)
}

/// The fine-tuning API over any `Transport`: requests with the SDK's retry rules, error
/// envelopes decoded, JSON decoded leniently into `Value`s that the typed objects read.
public final class OpenAIClient: Sendable {
    public let configuration: OpenAIConfiguration
    public let transport: any Transport
    public let policy: RetryPolicy
    private let random: Mutex<SeededRandom>
    private let sleeper: @Sendable (Double) async throws(TransportError) -> Void
    let notify: @Sendable (ClientNotice) -> Void

    /// `random` draws the retry jitter and client request ids, so a seeded session repeats
    /// exactly; `sleep` waits between attempts (replaying a cassette skips the waits).
    public init(configuration: OpenAIConfiguration, transport: (any Transport)? = nil,
                random: SeededRandom = SeededRandom(seed: UInt64.random(in: 0...UInt64.max)),
                sleep: (@Sendable (Double) async throws(TransportError) -> Void)? = nil,
                notify: @escaping @Sendable (ClientNotice) -> Void = { _ in }) {
        self.configuration = configuration
        self.transport = transport ?? URLSessionTransport(connectTimeout: configuration.connectTimeout, timeout: configuration.timeout)
        policy = RetryPolicy(maxRetries: configuration.maxRetries)
        self.random = Mutex(random)
        self.sleeper = sleep ?? OpenAIClient.interruptibleSleep
        self.notify = notify
    }

    /// Sleeps in short slices so Ctrl-C ends the wait promptly.
    public static let interruptibleSleep: @Sendable (Double) async throws(TransportError) -> Void = { (seconds: Double) async throws(TransportError) -> Void in
        let end = Date().addingTimeInterval(seconds)
        while true {
            if Interrupt.isSet { throw TransportError.cancelled }
            let left = end.timeIntervalSinceNow
            if left <= 0 { return }
            try? await Task.sleep(nanoseconds: UInt64(min(left, 0.1) * 1e9))
        }
    }

    func draw() -> Double { random.withLock { $0.nextDouble() } }

    /// 16 hex digits from the client's generator.
    func token() -> String {
        let n = random.withLock { $0.next() }
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public func sleep(_ seconds: Double) async throws(OpenAIError) {
        do { try await sleeper(seconds) } catch { throw .transport(error, url: "", attempts: 0) }
    }

    /// A request as the API wants it.
    public struct Call: Sendable {
        public var method: String
        public var path: [String]
        public var query: [(String, String)] = []
        public var json: Value?
        public var body: HTTPBody?
        public var contentType: String?
        public var bodySummary: String?
        public var downloadPath: String?
        /// A JSON answer is expected (false for file content), so a cut-off one can be refetched.
        public var expectsJSON = true

        public init(_ method: String, _ path: [String], query: [(String, String)] = [], json: Value? = nil) {
            self.method = method
            self.path = path
            self.query = query
            self.json = json
        }

        var displayPath: String { "/" + path.joined(separator: "/") }
    }

    /// Sends `call` with retries. `beforeRetry` runs before each retry that follows a lost
    /// response; returning a value ends the call with it (how `job create` finds a job its
    /// first attempt made).
    public func perform(_ call: Call, beforeRetry: (@Sendable () async throws(OpenAIError) -> HTTPResponse?)? = nil)
        async throws(OpenAIError) -> HTTPResponse {
        let url = configuration.url(call.path, query: call.query)
        var headers = configuration.headers()
        var body = call.body ?? .empty
        if let json = call.json {
            body = .bytes(Data(JSON.encode(json).utf8))
            headers.append(("Content-Type", "application/json"))
        } else if let type = call.contentType {
            headers.append(("Content-Type", type))
        }
        let request = HTTPRequest(method: call.method, url: url, headers: headers, body: body,
                                  downloadPath: call.downloadPath, timeout: configuration.timeout,
                                  bodySummary: call.bodySummary)
        let shown = displayURL(url)
        let idempotent = call.method == "GET" || call.method == "DELETE"
        var retries = 0
        while true {
            if Interrupt.isSet { throw .transport(.cancelled, url: shown, attempts: retries + 1) }
            let outcome: Result<HTTPResponse, TransportError>
            do { outcome = .success(try await transport.send(request)) } catch { outcome = .failure(error) }
            var reason: String
            var waitHeaders: [String: String] = [:]
            switch outcome {
            case .failure(let error):
                guard error.isRetryable, retries < policy.maxRetries else {
                    throw .transport(error, url: shown, attempts: retries + 1)
                }
                reason = error.text
            case .success(let response):
                if (200..<300).contains(response.status) {
                    // A cut-off body from a read is safe to fetch again.
                    if idempotent, call.expectsJSON, call.downloadPath == nil, retries < policy.maxRetries,
                       !response.body.isEmpty, (try? JSON.decode(bytes: Array(response.body))) == nil {
                        reason = "unreadable response body"
                        break
                    }
                    return response
                }
                guard policy.shouldRetry(status: response.status, headers: response.headers), retries < policy.maxRetries else {
                    throw Self.failure(response, url: shown)
                }
                reason = "\(response.status) \(APIError.reason(response.status))"
                waitHeaders = response.headers
            }
            let delay = policy.delay(retriesTaken: retries, headers: waitHeaders, jitter: draw())
            retries += 1
            notify(.retrying(method: call.method, path: call.displayPath, reason: reason, retry: retries,
                             of: policy.maxRetries, delay: delay))
            try await sleep(delay)
            // Only a lost answer or a server failure may hide a request that was carried out.
            var mayHaveActed = false
            switch outcome {
            case .failure: mayHaveActed = true
            case .success(let r): mayHaveActed = r.status >= 500
            }
            if mayHaveActed, let beforeRetry, let found = try await beforeRetry() { return found }
        }
    }

    /// `perform` and decode the JSON body.
    public func json(_ call: Call, beforeRetry: (@Sendable () async throws(OpenAIError) -> HTTPResponse?)? = nil)
        async throws(OpenAIError) -> Value {
        let response = try await perform(call, beforeRetry: beforeRetry)
        return try decode(response, url: displayURL(configuration.url(call.path, query: call.query)))
    }

    func decode(_ response: HTTPResponse, url: String) throws(OpenAIError) -> Value {
        let value: Value
        do { value = try JSON.decode(bytes: Array(response.body)) } catch {
            throw .badResponse(Self.describeBody(response), status: response.status, url: url,
                               requestID: response.header("x-request-id"))
        }
        guard case .record = value else {
            throw .badResponse("JSON that is not an object", status: response.status, url: url,
                               requestID: response.header("x-request-id"))
        }
        return value
    }

    /// The error a failed response stands for: the envelope when there is one, else a
    /// description of what came back instead.
    static func failure(_ response: HTTPResponse, url: String) -> OpenAIError {
        let requestID = response.header("x-request-id")
        if let v = try? JSON.decode(bytes: Array(response.body)), case .record(let r) = v {
            if case .record(let e)? = r["error"] {
                return .api(APIError(status: response.status, message: e["message"]?.stringValue ?? "",
                                     type: e["type"]?.stringValue, param: e["param"]?.stringValue,
                                     code: e["code"]?.stringValue ?? e["code"].flatMap { $0 == .null ? nil : $0.text },
                                     requestID: requestID))
            }
            if let message = (r["error"] ?? r["detail"] ?? r["message"])?.stringValue {
                return .api(APIError(status: response.status, message: message, requestID: requestID))
            }
        }
        if response.body.isEmpty {
            return .api(APIError(status: response.status, message: "", requestID: requestID))
        }
        return .badResponse(describeBody(response), status: response.status, url: url, requestID: requestID)
    }

    /// `an HTML page`, `an empty body`, `text starting "Bad Gateway"`.
    static func describeBody(_ response: HTTPResponse) -> String {
        if response.body.isEmpty { return "an empty body" }
        let head = String(decoding: response.body.prefix(200), as: UTF8.self)
        let trimmed = head.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.lowercased().hasPrefix("<!doctype html") || trimmed.lowercased().hasPrefix("<html") {
            return "an HTML page"
        }
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") { return "cut-off or malformed JSON" }
        let words = trimmed.prefix(30).map { c in c.asciiValue.map { $0 >= 0x20 && $0 < 0x7F } == true ? String(c) : "?" }.joined()
        return "text starting \"\(Secrets.redact(words))\""
    }

    /// The URL without its query, for messages.
    func displayURL(_ url: URL) -> String {
        var c = URLComponents(url: url, resolvingAgainstBaseURL: false)
        c?.query = nil
        return c?.string ?? url.absoluteString
    }
}
