import FTCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

typealias Context = BasicRequestContext

/// Every request passes here first: the bearer token is checked (when the server has one),
/// every failure becomes the API's error envelope, and every response gets an
/// `x-request-id`.
struct APIMiddleware: RouterMiddleware {
    let token: String?
    let counter = RequestCounter()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            if let token {
                let given = request.headers[.authorization].flatMap { h in h.hasPrefix("Bearer ") ? String(h.dropFirst(7)) : nil }
                guard let given, Self.same(given, token) else { throw APIError.unauthorized() }
            }
            response = try await next(request, context)
        } catch let e as APIError {
            response = Routes.json(e.envelope, status: e.status)
        } catch let e as any HTTPResponseError {
            let path = request.uri.path
            let error: APIError = switch e.status.code {
            case 404, 405: .notFound("Invalid URL (\(request.method.rawValue) \(path))", code: "unknown_url")
            case 413: .tooLarge(0, what: "request body")
            default: APIError(e.status.code, e.status.reasonPhrase, type: e.status.code >= 500 ? "server_error" : "invalid_request_error")
            }
            var err = error
            if e.status.code == 413 { err.message = "The request body is larger than this server accepts." }
            response = Routes.json(err.envelope, status: err.status)
        } catch let d as Diagnostic {
            response = Routes.json(APIError.from(d, status: 500).envelope, status: 500)
        } catch {
            response = Routes.json(APIError.server("The server had an error while processing your request: \(error)").envelope, status: 500)
        }
        response.headers[HTTPField.Name("x-request-id")!] = "req_" + String(format: "%016llx", counter.next())
        return response
    }

    /// Compares without stopping at the first difference, so timing says nothing of the token.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return diff == 0
    }
}

final class RequestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n: UInt64 = 0
    func next() -> UInt64 { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}

/// The endpoints, under `/v1`.
struct Routes: Sendable {
    let options: ServeOptions
    let store: Store
    let catalog: ModelCatalog
    let runner: JobRunner
    let chat: ChatService

    static func json(_ v: Value, status: Int = 200) -> Response {
        Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: JSON.encode(v))))
    }

    static func jobNotFound(_ id: String) -> APIError {
        .notFound("Could not find fine-tuning job: \(id)", param: "fine_tuning_job_id", code: "fine_tune_not_found")
    }

    func router() -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: APIMiddleware(token: options.token))
        let v1 = router.group("v1")
        v1.post("files") { req, _ in try await uploadFile(req) }
        v1.get("files") { req, _ in try listFiles(req) }
        v1.get("files/:id") { _, ctx in Self.json(try file(ctx).value) }
        v1.delete("files/:id") { _, ctx in
            let f = try file(ctx)
            _ = store.deleteFile(f.id)
            return Self.json(.record(["id": .string(f.id), "object": "file", "deleted": true]))
        }
        v1.get("files/:id/content") { _, ctx in
            let f = try file(ctx)
            guard let data = FileManager.default.contents(atPath: store.filePath(f.id)) else {
                throw APIError.server("The content of \(f.id) cannot be read.")
            }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        v1.post("fine_tuning/jobs") { req, _ in Self.json(try await createJob(req).value) }
        v1.get("fine_tuning/jobs") { req, _ in try listJobs(req) }
        v1.get("fine_tuning/jobs/:id") { _, ctx in Self.json(try job(ctx).value) }
        v1.post("fine_tuning/jobs/:id/cancel") { _, ctx in Self.json(try cancel(job(ctx).id).value) }
        v1.post("fine_tuning/jobs/:id/pause") { _, ctx in Self.json(try pause(job(ctx).id).value) }
        v1.post("fine_tuning/jobs/:id/resume") { _, ctx in Self.json(try resume(job(ctx).id).value) }
        v1.get("fine_tuning/jobs/:id/events") { req, ctx in
            let events = try job(ctx).events.reversed().map { ($0.id, $0.value) }
            return Self.json(try page(events, req, defaultLimit: 20, maxLimit: 1000, ends: false))
        }
        v1.get("fine_tuning/jobs/:id/checkpoints") { req, ctx in
            let list = try job(ctx).checkpoints.reversed().map { ($0.id, $0.value) }
            return Self.json(try page(list, req, defaultLimit: 10, maxLimit: 100, ends: true, nullEnds: true))
        }
        v1.get("models") { _, _ in Self.json(.record(["object": "list", "data": .list(catalog.list())])) }
        v1.get("models/:model") { _, ctx in
            let id = ctx.parameters.get("model") ?? ""
            guard let m = catalog.describe(id) else {
                throw APIError.notFound("The model '\(id)' does not exist", param: "model", code: "model_not_found")
            }
            return Self.json(m)
        }
        v1.delete("models/:model") { _, ctx in Self.json(try catalog.delete(ctx.parameters.get("model") ?? "")) }
        v1.post("chat/completions") { req, _ in try await chat.respond(req) }
        return router
    }

    // MARK: helpers

    /// The request's JSON body, read up to the JSON limit.
    static func body(_ req: Request, limit: Int) async throws -> String {
        do {
            let buffer = try await req.body.collect(upTo: limit)
            return String(buffer: buffer)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit, what: "request body")
        }
    }

    func fields(_ req: Request) async throws -> RequestFields { try await Self.fields(req, limit: options.maxJSONBytes) }

    /// The body as JSON, whatever the content type says (`curl -d` sends JSON labelled as a form).
    static func fields(_ req: Request, limit: Int) async throws -> RequestFields {
        try RequestFields(json: try await body(req, limit: limit))
    }

    func query(_ req: Request, _ name: String) -> String? {
        req.uri.queryParameters.get(name)
    }

    func limit(_ req: Request, default d: Int, max m: Int) throws(APIError) -> Int {
        guard let text = query(req, "limit") else { return d }
        guard let n = Int(text), (1...m).contains(n) else {
            throw .invalid("Invalid 'limit': expected an integer from 1 to \(m), got '\(text)'.", param: "limit", code: "invalid_value")
        }
        return n
    }

    /// One page of a list in its order, starting after the item whose id is `after`.
    func page(_ items: [(String, Value)], _ req: Request, defaultLimit: Int, maxLimit: Int, ends: Bool,
              nullEnds: Bool = false) throws(APIError) -> Value {
        let n = try limit(req, default: defaultLimit, max: maxLimit)
        var start = 0
        if let after = query(req, "after") {
            guard let i = items.firstIndex(where: { $0.0 == after }) else {
                throw .invalid("Invalid 'after': no item with id '\(after)' in this list.", param: "after", code: "invalid_value")
            }
            start = i + 1
        }
        let slice = Array(items[start..<min(items.count, start + n)])
        var r: Record = ["object": "list", "data": .list(slice.map(\.1)), "has_more": .bool(start + n < items.count)]
        if ends {
            let empty: Value = nullEnds ? .null : ""
            r["first_id"] = slice.first.map { .string($0.0) } ?? empty
            r["last_id"] = slice.last.map { .string($0.0) } ?? empty
        }
        return .record(r)
    }

    // MARK: files

    static let purposes: Set<String> = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]

    func file(_ ctx: Context) throws(APIError) -> FileRecord {
        let id = ctx.parameters.get("id") ?? ""
        guard let f = store.file(id) else { throw .notFound("No such File object: \(id)", param: "file_id", code: "file_not_found") }
        return f
    }

    func uploadFile(_ req: Request) async throws -> Response {
        guard let boundary = MultipartForm.boundary(contentType: req.headers[.contentType] ?? "") else {
            throw APIError.invalid("Uploads must be sent as multipart/form-data with the fields 'file' and 'purpose'.",
                                   code: "invalid_content_type")
        }
        let bytes: ByteBuffer
        do { bytes = try await req.body.collect(upTo: options.maxUploadBytes + 64 * 1024) } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(options.maxUploadBytes, what: "file")
        }
        let form = try MultipartForm(body: Array(buffer: bytes), boundary: boundary)
        guard let purpose = form.field("purpose") else {
            throw APIError.invalid("Missing required parameter: 'purpose'.", param: "purpose", code: "missing_required_parameter")
        }
        guard Self.purposes.contains(purpose) else {
            throw APIError.invalid("'\(purpose)' is not one of \(Self.purposes.sorted()) - 'purpose'", param: "purpose", code: "invalid_value")
        }
        guard let part = form.file("file") else {
            throw APIError.invalid("Missing required parameter: 'file'.", param: "file", code: "missing_required_parameter")
        }
        guard part.data.count <= options.maxUploadBytes else { throw APIError.tooLarge(options.maxUploadBytes, what: "file") }
        let name = (part.filename ?? "upload").split(separator: "/").last.map(String.init) ?? "upload"
        if purpose == "fine-tune" && !name.lowercased().hasSuffix(".jsonl") {
            throw APIError.invalid("Invalid file format for Fine-Tuning API. Must be .jsonl", param: "file", code: "invalid_file_format")
        }
        let f = try store.addFile(filename: name, purpose: purpose, data: Data(part.data))
        return Self.json(f.value)
    }

    func listFiles(_ req: Request) throws -> Response {
        var files = store.allFiles()
        if let p = query(req, "purpose") { files = files.filter { $0.purpose == p } }
        switch query(req, "order") ?? "desc" {
        case "desc": break
        case "asc": files.reverse()
        case let o: throw APIError.invalid("Invalid 'order': '\(o)' is not one of ['asc', 'desc'].", param: "order", code: "invalid_value")
        }
        return Self.json(try page(files.map { ($0.id, $0.value) }, req, defaultLimit: 10000, maxLimit: 10000, ends: true))
    }
}
