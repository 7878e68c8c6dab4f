import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FTCore
import Synchronization

/// The network, through Foundation's URLSession (libcurl on Linux): TLS, proxies and HTTP/2
/// come with it. Uploads stream from a file, downloads stream to one; Ctrl-C cancels the
/// request in flight.
public final class URLSessionTransport: Transport, @unchecked Sendable {
    private let session: URLSession
    public let connectTimeout: Double
    private let environment: [String: String]
    /// host:port pairs that answered a connect probe; cleared for a host when it fails.
    private let reachable = Mutex<Set<String>>([])

    public let timeout: Double

    public init(connectTimeout: Double = 5, timeout: Double = 600,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        session = URLSession(configuration: Self.configuration(timeout: timeout))
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.environment = environment
    }

    /// Foundation on Linux applies the session's request timeout, not the request's own.
    static func configuration(timeout: Double) -> URLSessionConfiguration {
        let config = URLSessionConfiguration.ephemeral
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.urlCache = nil
        config.httpCookieStorage = nil
        config.httpShouldSetCookies = false
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = 7 * 24 * 3600
        return config
    }

    deinit { session.invalidateAndCancel() }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        try probe(request.url)
        var r = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: request.timeout)
        r.httpMethod = request.method
        for h in request.headers { r.addValue(h.value, forHTTPHeaderField: h.name) }
        // libcurl silently re-sends a request whose reused connection died before any answer
        // came. For a POST that means a second job when the server had acted on the first
        // (and Foundation re-sends it without its body). A POST therefore gets a session of its
        // own, whose only connection is new, so a lost answer reaches the client, which knows
        // how to retry a create safely.
        let idempotent = request.method == "GET" || request.method == "HEAD" || request.method == "DELETE"
        let session = idempotent ? self.session : URLSession(configuration: Self.configuration(timeout: timeout))
        defer { if !idempotent { session.finishTasksAndInvalidate() } }
        let result: Result<HTTPResponse, TransportError> = await withCheckedContinuation { continuation in
            let once = Mutex(false)
            let finish: @Sendable (Result<HTTPResponse, TransportError>) -> Void = { result in
                let first = once.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: result) }
            }
            let task: URLSessionTask
            if let destination = request.downloadPath {
                task = session.downloadTask(with: r) { url, response, error in
                    finish(Self.downloaded(url, response, error, to: destination))
                }
            } else {
                switch request.body {
                case .empty:
                    task = session.dataTask(with: r) { data, response, error in finish(Self.answered(data, response, error)) }
                case .bytes(let data):
                    task = session.uploadTask(with: r, from: data) { data, response, error in
                        finish(Self.answered(data, response, error))
                    }
                case .file(let path, _):
                    task = session.uploadTask(with: r, fromFile: URL(fileURLWithPath: path)) { data, response, error in
                        finish(Self.answered(data, response, error))
                    }
                }
            }
            task.resume()
            // Ctrl-C only sets a flag; watch it and cancel the transfer.
            let watched = UncheckedBox(task)
            Task.detached {
                while !once.withLock({ $0 }) {
                    if Interrupt.isSet { watched.value.cancel(); finish(.failure(.cancelled)); return }
                    try? await Task.sleep(nanoseconds: 100_000_000)
                }
            }
        }
        switch result {
        case .success(let response): return response
        case .failure(let error):
            if case .cannotConnect = error { forget(request.url) }
            if case .connectionLost = error { forget(request.url) }
            throw error
        }
    }

    private func key(_ url: URL) -> (String, Int)? {
        guard let host = url.host else { return nil }
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        return (host, port)
    }

    private func probe(_ url: URL) throws(TransportError) {
        guard let scheme = url.scheme, scheme == "http" || scheme == "https" else {
            throw .invalidRequest("unsupported URL \(url.absoluteString); the base URL must start with http:// or https://")
        }
        guard let (host, port) = key(url) else { throw .invalidRequest("no host in URL \(url.absoluteString)") }
        // Through a proxy the connection that matters is the proxy's; leave it to libcurl.
        let proxyVars = ["\(scheme)_proxy", "\(scheme.uppercased())_PROXY", "all_proxy", "ALL_PROXY"]
        if proxyVars.contains(where: { !(environment[$0] ?? "").isEmpty }) { return }
        let id = "\(host):\(port)"
        if reachable.withLock({ $0.contains(id) }) { return }
        if let why = ConnectProbe.check(host: host, port: port, timeout: connectTimeout) {
            throw .cannotConnect(why)
        }
        reachable.withLock { _ = $0.insert(id) }
    }

    private func forget(_ url: URL) {
        guard let (host, port) = key(url) else { return }
        reachable.withLock { _ = $0.remove("\(host):\(port)") }
    }

    private static func headers(_ http: HTTPURLResponse) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in http.allHeaderFields { out[String(describing: k).lowercased()] = String(describing: v) }
        return out
    }

    private static func answered(_ data: Data?, _ response: URLResponse?, _ error: Error?) -> Result<HTTPResponse, TransportError> {
        if let error { return .failure(map(error)) }
        guard let http = response as? HTTPURLResponse else { return .failure(.connectionLost("no HTTP response")) }
        return .success(HTTPResponse(status: http.statusCode, headers: headers(http), body: data ?? Data()))
    }

    private static func downloaded(_ url: URL?, _ response: URLResponse?, _ error: Error?, to destination: String)
        -> Result<HTTPResponse, TransportError> {
        if let error { return .failure(map(error)) }
        guard let http = response as? HTTPURLResponse, let url else { return .failure(.connectionLost("no HTTP response")) }
        let headers = headers(http)
        // The temporary file disappears when this handler returns: read or move it now.
        if !(200..<300).contains(http.statusCode) {
            let body = (try? Data(contentsOf: url)) ?? Data()
            return .success(HTTPResponse(status: http.statusCode, headers: headers, body: body))
        }
        let fm = FileManager.default
        try? fm.removeItem(atPath: destination)
        do { try fm.moveItem(at: url, to: URL(fileURLWithPath: destination)) } catch {
            do { try fm.copyItem(at: url, to: URL(fileURLWithPath: destination)) } catch {
                return .failure(.invalidRequest("cannot write \(destination): \(error.localizedDescription)"))
            }
        }
        let size = (try? fm.attributesOfItem(atPath: destination)[.size] as? NSNumber)?.int64Value ?? 0
        return .success(HTTPResponse(status: http.statusCode, headers: headers, downloadedBytes: size))
    }

    static func map(_ error: Error) -> TransportError {
        guard let e = error as? URLError else { return .connectionLost(error.localizedDescription) }
        switch e.code {
        case .cancelled: return .cancelled
        case .timedOut: return .timedOut
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet,
             .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .cannotLoadFromNetwork:
            return .cannotConnect(describe(e))
        case .badURL, .unsupportedURL, .fileDoesNotExist, .noPermissionsToReadFile:
            return .invalidRequest(describe(e))
        default:
            return .connectionLost(describe(e))
        }
    }

    private static func describe(_ e: URLError) -> String {
        switch e.code {
        case .networkConnectionLost: "the server closed the connection"
        case .cannotConnectToHost: "connection refused"
        case .cannotFindHost, .dnsLookupFailed: "cannot resolve host"
        case .notConnectedToInternet: "the network is down"
        case .secureConnectionFailed: "TLS handshake failed"
        case .badServerResponse: "malformed HTTP response"
        case .zeroByteResource: "empty response"
        case .unknown: "the answer was cut off or the connection broke"
        default: "URL error \(e.code.rawValue)"
        }
    }
}

/// Lets a non-Sendable Foundation task be cancelled from the watcher task; cancel() is
/// thread-safe.
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
