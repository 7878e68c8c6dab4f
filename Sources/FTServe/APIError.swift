import FTCore

/// An error as the OpenAI API reports it: an HTTP status and the envelope
/// `{"error": {"message", "type", "param", "code"}}`, so the official SDKs raise the matching
/// exception (400 BadRequest, 401 Authentication, 403 PermissionDenied, 404 NotFound,
/// 409 Conflict, 413 and 5xx).
struct APIError: Error, Sendable, Equatable {
    var status: Int
    var message: String
    var type: String
    var param: String?
    var code: String?

    init(_ status: Int, _ message: String, type: String = "invalid_request_error", param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    var envelope: Value {
        .record(["error": .record([
            "message": .string(message), "type": .string(type),
            "param": param.map { .string($0) } ?? .null, "code": code.map { .string($0) } ?? .null,
        ])])
    }

    static func invalid(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(400, message, param: param, code: code)
    }

    static func notFound(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(404, message, param: param, code: code)
    }

    static func unauthorized() -> APIError {
        APIError(401, "Incorrect API key provided. Give the token this server was started with (ftsh serve --token) as the API key.",
                 code: "invalid_api_key")
    }

    static func tooLarge(_ limit: Int, what: String) -> APIError {
        APIError(413, "The \(what) is larger than this server accepts (\(limit) bytes).", code: "request_too_large")
    }

    static func server(_ message: String) -> APIError {
        APIError(500, message, type: "server_error", code: "server_error")
    }

    /// A diagnostic from a library (data check, model loading) reported to the caller.
    static func from(_ d: Diagnostic, status: Int = 400, param: String? = nil) -> APIError {
        APIError(status, d.message, type: status >= 500 ? "server_error" : "invalid_request_error", param: param, code: d.id)
    }
}
