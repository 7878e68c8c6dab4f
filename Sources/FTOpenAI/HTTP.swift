import Foundation

/// What a request carries: nothing, bytes held in memory, or a file streamed from disk (the
/// multipart body of an upload, which may be hundreds of megabytes).
public enum HTTPBody: Sendable, Equatable {
    case empty
    case bytes(Data)
    case file(path: String, length: Int64)

    public var length: Int64 {
        switch self {
        case .empty: 0
        case .bytes(let d): Int64(d.count)
        case .file(_, let n): n
        }
    }
}

/// One HTTP exchange as the client sees it, independent of how it is carried.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    /// Header names as sent; lookups are case-insensitive.
    public var headers: [(name: String, value: String)]
    public var body: HTTPBody
    /// When set, a successful response body is streamed to this path instead of memory.
    public var downloadPath: String?
    /// Seconds without progress before giving up (the SDK's read timeout).
    public var timeout: Double
    /// What the body is, for cassettes (`multipart upload of train.jsonl, 2048 bytes`); the
    /// bytes of an upload are never recorded.
    public var bodySummary: String?

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: HTTPBody = .empty,
                downloadPath: String? = nil, timeout: Double = 600, bodySummary: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.downloadPath = downloadPath
        self.timeout = timeout
        self.bodySummary = bodySummary
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Lower-cased names.
    public var headers: [String: String]
    /// The body, or empty when it was streamed to the request's `downloadPath`.
    public var body: Data
    /// Bytes written to `downloadPath`, when the body went there.
    public var downloadedBytes: Int64?

    public init(status: Int, headers: [String: String] = [:], body: Data = Data(), downloadedBytes: Int64? = nil) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
        self.downloadedBytes = downloadedBytes
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Why no response arrived. Every case but `cancelled` and `invalidRequest` is worth retrying:
/// the server may never have seen the request, or may have acted on it and lost the answer.
public enum TransportError: Error, Sendable, Equatable {
    /// No connection could be made (refused, unreachable host, DNS failure, connect timeout).
    case cannotConnect(String)
    /// Connected, then nothing arrived for longer than the timeout.
    case timedOut
    /// The connection closed before a whole response arrived (dropped, truncated body).
    case connectionLost(String)
    /// Ctrl-C.
    case cancelled
    /// The request could not even be sent (a malformed URL, an unreadable upload file).
    case invalidRequest(String)

    public var isRetryable: Bool {
        switch self {
        case .cannotConnect, .timedOut, .connectionLost: true
        case .cancelled, .invalidRequest: false
        }
    }

    public var text: String {
        switch self {
        case .cannotConnect(let why): "cannot connect: \(why)"
        case .timedOut: "timed out waiting for the server"
        case .connectionLost(let why): "connection lost: \(why)"
        case .cancelled: "cancelled"
        case .invalidRequest(let why): why
        }
    }
}

/// Carries requests to a server. The client talks only to this, so tests and cassettes can
/// stand in for the network.
public protocol Transport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}
