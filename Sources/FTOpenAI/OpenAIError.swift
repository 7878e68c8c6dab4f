import Foundation
import FTCore

/// Everything that can go wrong talking to the API, turned into one-line diagnostics that say
/// what happened and what to do.
public enum OpenAIError: Error, Sendable {
    /// The server answered with an error status.
    case api(APIError)
    /// No usable response after every attempt.
    case transport(TransportError, url: String, attempts: Int)
    /// A response that is not what the API sends (HTML from a proxy, garbage, a cut-off body).
    case badResponse(String, status: Int, url: String, requestID: String?)
    /// Bad input or configuration found before anything was sent.
    case invalid(Diagnostic)

    public var diagnostic: Diagnostic {
        switch self {
        case .api(let e): return e.diagnostic
        case .invalid(let d): return d
        case .transport(let t, let url, let attempts):
            let tries = attempts > 1 ? " after \(attempts) attempts" : ""
            switch t {
            case .timedOut:
                return .error("request to \(url) timed out\(tries); the server may be busy (try again, or raise FTSH_OPENAI_TIMEOUT)",
                              id: "openai.timeout")
            case .cancelled:
                return .error("request to \(url) cancelled", id: "shell.interrupted")
            case .invalidRequest(let why):
                return .error(why, id: "openai.bad-request")
            case .cannotConnect(let why):
                return .error("cannot reach \(url): \(why)\(tries); check OPENAI_BASE_URL and that the network (or the local server) is up",
                              id: "openai.connection")
            case .connectionLost(let why):
                return .error("lost the connection to \(url): \(why)\(tries); check the network and try again",
                              id: "openai.connection")
            }
        case .badResponse(let what, let status, let url, let requestID):
            let req = requestID.map { " [request id \($0)]" } ?? ""
            return .error("the server at \(url) answered \(status) with \(what), not the OpenAI API's JSON\(req); check OPENAI_BASE_URL (it usually ends in /v1)",
                          id: "openai.bad-response")
        }
    }

    /// The HTTP status, for callers that treat some errors as answers (404 on a lookup).
    public var status: Int? {
        if case .api(let e) = self { return e.status }
        return nil
    }
}

/// An error response: `{"error": {"message", "type", "param", "code"}}` plus the status and
/// the request id the server logged it under.
public struct APIError: Error, Sendable, Equatable {
    public var status: Int
    public var message: String
    public var type: String?
    public var param: String?
    public var code: String?
    public var requestID: String?

    public init(status: Int, message: String, type: String? = nil, param: String? = nil, code: String? = nil, requestID: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.requestID = requestID
    }

    /// `400 invalid_request_error: MESSAGE (param: suffix) [request id req_...]`
    public var text: String {
        var s = "\(status)"
        if let kind = type ?? code { s += " \(kind)" }
        s += ": " + (message.isEmpty ? Self.reason(status) : message)
        if let param { s += " (param: \(param))" }
        if let requestID { s += " [request id \(requestID)]" }
        return s
    }

    public var diagnostic: Diagnostic {
        .error(Secrets.redact(text) + hint, id: category)
    }

    var category: String {
        switch status {
        case 400: "openai.bad-request"
        case 401: "openai.unauthorized"
        case 403: "openai.forbidden"
        case 404: "openai.not-found"
        case 409: "openai.conflict"
        case 422: "openai.unprocessable"
        case 429: "openai.rate-limited"
        case 500...: "openai.server-error"
        default: "openai.http"
        }
    }

    var hint: String {
        switch status {
        case 401: "; check OPENAI_API_KEY"
        case 403: "; the key lacks permission for this (an organization Owner role is needed to delete models)"
        case 429: "; wait and retry, or lower the request rate"
        case 500...: "; the server failed, try again later"
        default: ""
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "bad request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not found"
        case 409: "conflict"
        case 422: "unprocessable entity"
        case 429: "too many requests"
        case 500: "internal server error"
        case 502: "bad gateway"
        case 503: "service unavailable"
        case 504: "gateway timeout"
        default: "HTTP error"
        }
    }
}
