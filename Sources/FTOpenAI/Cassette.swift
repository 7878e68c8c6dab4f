import Foundation
import FTCore
import Synchronization

/// A recording of HTTP exchanges, one JSON object per line, that lets a session which talked
/// to a server replay offline, byte for byte. Paths are stored relative to the base URL (so a
/// server on another host or port replays the same), credentials are replaced by
/// `[REDACTED]`, and upload bodies are summarised, never stored.
public struct CassetteEntry: Sendable {
    public var method: String
    /// `/fine_tuning/jobs?limit=20`: the path below the base URL, with its query.
    public var target: String
    public var requestHeaders: Record
    public var requestBody: String?
    /// nil when the exchange ended without a response (`error` says how).
    public var status: Int?
    public var responseHeaders: [String: String]
    public var responseBody: Data
    public var error: String?

    func toValue() -> Value {
        var r = Record()
        r["method"] = .string(method)
        r["target"] = .string(target)
        r["request_headers"] = .record(requestHeaders)
        if let requestBody { r["request_body"] = .string(requestBody) }
        if let error {
            r["error"] = .string(error)
        } else {
            r["status"] = .int(status ?? 0)
            r["response_headers"] = .record(Record(responseHeaders.keys.sorted().map { ($0, .string(responseHeaders[$0]!)) }))
            if let text = String(data: responseBody, encoding: .utf8) {
                r["response_body"] = .string(text)
            } else {
                r["response_body_base64"] = .string(responseBody.base64EncodedString())
            }
        }
        return .record(r)
    }

    static func from(_ v: Value, line: Int, file: String) throws(Diagnostic) -> CassetteEntry {
        guard case .record(let r) = v, let method = r.string("method"), let target = r.string("target") else {
            throw .error("expected an exchange with \"method\" and \"target\"", id: "openai.bad-cassette",
                         at: SourceLocation(file: file, line: line, column: 1))
        }
        var headers: [String: String] = [:]
        for (k, v) in r["response_headers"]?.recordValue ?? Record() { headers[k] = v.text }
        var body = Data()
        if let s = r.string("response_body") { body = Data(s.utf8) }
        if let b = r.string("response_body_base64") { body = Data(base64Encoded: b) ?? Data() }
        return CassetteEntry(method: method, target: target, requestHeaders: r["request_headers"]?.recordValue ?? Record(),
                             requestBody: r.string("request_body"), status: r.int("status"), responseHeaders: headers,
                             responseBody: body, error: r.string("error"))
    }
}

/// A `Transport` that records the exchanges of another transport, or replays recorded ones
/// without touching the network.
public final class CassetteTransport: Transport, Sendable {
    public enum Mode: Sendable, Equatable { case record, replay }

    public let mode: Mode
    public let path: String
    /// The base URL's path (`/v1`), stripped from recorded targets.
    let basePath: String
    let secrets: [String]
    let inner: (any Transport)?
    private let state: Mutex<(entries: [CassetteEntry], used: [Bool])>

    /// Replays `path`.
    public init(replaying path: String, basePath: String) throws(Diagnostic) {
        mode = .replay
        self.path = path
        self.basePath = basePath
        secrets = []
        inner = nil
        let entries = try Self.load(path)
        state = Mutex((entries, Array(repeating: false, count: entries.count)))
    }

    /// Records what `inner` does to `path` (rewritten after each exchange, atomically).
    public init(recording path: String, basePath: String, secrets: [String], inner: any Transport) {
        mode = .record
        self.path = path
        self.basePath = basePath
        self.secrets = secrets
        self.inner = inner
        state = Mutex(([], []))
    }

    public var count: Int { state.withLock { $0.entries.count } }
    public var unused: Int { state.withLock { $0.used.filter { !$0 }.count } }

    static func load(_ path: String) throws(Diagnostic) -> [CassetteEntry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .error("no such cassette: \(path)", id: "io.not-found")
        }
        var out: [CassetteEntry] = []
        let name = URL(fileURLWithPath: path).lastPathComponent
        for (k, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let v = try JSON.decode(bytes: Array(line.utf8), file: name, line: k + 1)
            out.append(try CassetteEntry.from(v, line: k + 1, file: name))
        }
        return out
    }

    func target(of url: URL) -> String {
        let c = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var p = c?.percentEncodedPath ?? url.path
        if !basePath.isEmpty, p.hasPrefix(basePath) { p = String(p.dropFirst(basePath.count)) }
        // api-version belongs to the configuration, not to the exchange.
        let query = (c?.percentEncodedQuery ?? "").split(separator: "&").filter { !$0.hasPrefix("api-version=") }
        return query.isEmpty ? p : p + "?" + query.joined(separator: "&")
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        switch mode {
        case .replay: return try replay(request)
        case .record: return try await record(request)
        }
    }

    private func replay(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let wanted = target(of: request.url)
        let found: CassetteEntry? = state.withLock { s in
            guard let i = s.entries.indices.first(where: { !s.used[$0] && s.entries[$0].method == request.method && s.entries[$0].target == wanted })
            else { return nil }
            s.used[i] = true
            return s.entries[i]
        }
        guard let entry = found else {
            throw .invalidRequest("the cassette \(URL(fileURLWithPath: path).lastPathComponent) has no recorded answer for \(request.method) \(wanted); record it again with 'openai cassette \(URL(fileURLWithPath: path).lastPathComponent) --mode record'")
        }
        if let error = entry.error { throw Self.transportError(error) }
        var response = HTTPResponse(status: entry.status ?? 0, headers: entry.responseHeaders, body: entry.responseBody)
        if let destination = request.downloadPath, (200..<300).contains(response.status) {
            guard FileManager.default.createFile(atPath: destination, contents: entry.responseBody) else {
                throw .invalidRequest("cannot write \(destination)")
            }
            response.downloadedBytes = Int64(entry.responseBody.count)
            response.body = Data()
        }
        return response
    }

    private func record(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        var entry = CassetteEntry(method: request.method, target: Secrets.redact(target(of: request.url), secrets: secrets),
                                  requestHeaders: Record(), requestBody: nil, status: nil, responseHeaders: [:],
                                  responseBody: Data(), error: nil)
        for h in request.headers {
            entry.requestHeaders[h.name] = .string(Secrets.isSecretHeader(h.name) ? Secrets.mask : Secrets.redact(h.value, secrets: secrets))
        }
        switch request.body {
        case .empty: break
        case .bytes(let d): entry.requestBody = Secrets.redact(String(decoding: d, as: UTF8.self), secrets: secrets)
        case .file: entry.requestBody = request.bodySummary.map { Secrets.redact($0, secrets: secrets) } ?? "(streamed body)"
        }
        let result: Result<HTTPResponse, TransportError>
        do { result = .success(try await inner!.send(request)) } catch { result = .failure(error) }
        switch result {
        case .failure(let error):
            if error == .cancelled { throw error }
            entry.error = Self.errorText(error)
        case .success(let response):
            entry.status = response.status
            for (k, v) in response.headers where Self.keptHeaders.contains(k) || k.hasPrefix("x-ratelimit") {
                entry.responseHeaders[k] = Secrets.redact(v, secrets: secrets)
            }
            var body = response.body
            if let p = request.downloadPath, response.downloadedBytes != nil {
                body = FileManager.default.contents(atPath: p) ?? Data()
            }
            if let text = String(data: body, encoding: .utf8) {
                entry.responseBody = Data(Secrets.redact(text, secrets: secrets).utf8)
            } else {
                entry.responseBody = body
            }
        }
        let text: String = state.withLock { s in
            s.entries.append(entry)
            s.used.append(true)
            return s.entries.map { JSON.encode($0.toValue()) + "\n" }.joined()
        }
        do { try AtomicFile.write(text, to: path, overwrite: true) } catch {
            throw .invalidRequest("cannot write the cassette \(path): \(error.message)")
        }
        return try result.get()
    }

    /// Response headers worth keeping: the ones the client reads.
    static let keptHeaders: Set<String> = ["content-type", "x-request-id", "retry-after", "retry-after-ms", "x-should-retry",
                                           "openai-processing-ms", "content-length"]

    static func errorText(_ e: TransportError) -> String {
        switch e {
        case .cannotConnect(let s): "cannot-connect: \(s)"
        case .timedOut: "timed-out"
        case .connectionLost(let s): "connection-lost: \(s)"
        case .cancelled: "cancelled"
        case .invalidRequest(let s): "invalid-request: \(s)"
        }
    }

    static func transportError(_ text: String) -> TransportError {
        func rest(_ prefix: String) -> String { String(text.dropFirst(prefix.count)) }
        if text.hasPrefix("cannot-connect: ") { return .cannotConnect(rest("cannot-connect: ")) }
        if text == "timed-out" { return .timedOut }
        if text.hasPrefix("connection-lost: ") { return .connectionLost(rest("connection-lost: ")) }
        if text.hasPrefix("invalid-request: ") { return .invalidRequest(rest("invalid-request: ")) }
        return .connectionLost(text)
    }
}
