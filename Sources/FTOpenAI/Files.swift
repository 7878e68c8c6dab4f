import Foundation
import FTCore

/// What `downloadFile` wrote.
public struct DownloadResult: Sendable {
    public var path: String
    public var bytes: Int64
    /// The server sent the content base64-encoded (seen with result CSVs); it was decoded.
    public var decodedBase64: Bool
}

extension OpenAIClient {
    /// The API's per-file limit.
    public static let maxUploadBytes: Int64 = 512 * 1024 * 1024

    /// Uploads a file as `multipart/form-data`, streamed from disk: the body is assembled in a
    /// temporary file by copying in 1 MiB blocks, so memory stays flat for a 500 MB dataset.
    public func uploadFile(path: String, purpose: String = "fine-tune", filename: String? = nil) async throws(OpenAIError) -> OpenAIFile {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw .invalid(.error("no such file: \(path)", id: "io.not-found"))
        }
        let size = (try? fm.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        let name = filename ?? URL(fileURLWithPath: path).lastPathComponent
        if size > Self.maxUploadBytes {
            throw .invalid(.error("\(name) is \(Self.megabytes(size)); the API takes files up to 512 MB: split it (data split) or sample it (data sample)",
                                  id: "openai.file-too-large"))
        }
        if size == 0 { throw .invalid(.error("\(name) is empty; nothing to upload", id: "openai.empty-file")) }
        let boundary = "ftsh-boundary-" + token() + token()
        let body = NSTemporaryDirectory() + "ftsh-upload-\(getpid())-\(token()).multipart"
        defer { try? fm.removeItem(atPath: body) }
        let length = try Self.writeMultipart(to: body, boundary: boundary, fields: [("purpose", purpose)],
                                             fileField: "file", filename: name, source: path)
        var call = Call("POST", ["files"])
        call.body = .file(path: body, length: length)
        call.contentType = "multipart/form-data; boundary=\(boundary)"
        call.bodySummary = "multipart: purpose=\(purpose) file=\(name) (\(size) bytes)"
        return try OpenAIFile(try await json(call))
    }

    static func megabytes(_ n: Int64) -> String {
        String(format: "%.1f MB", Double(n) / 1_048_576)
    }

    static func writeMultipart(to out: String, boundary: String, fields: [(String, String)], fileField: String,
                               filename: String, source: String) throws(OpenAIError) -> Int64 {
        guard FileManager.default.createFile(atPath: out, contents: nil),
              let w = FileHandle(forWritingAtPath: out) else {
            throw .invalid(.error("cannot create a temporary file in \(NSTemporaryDirectory())", id: "io.write"))
        }
        guard let r = FileHandle(forReadingAtPath: source) else {
            try? w.close()
            throw .invalid(.error("cannot read \(source)", id: "io.read"))
        }
        defer { try? r.close(); try? w.close() }
        let safeName = filename.replacingOccurrences(of: "\"", with: "%22")
            .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
        var head = ""
        for (k, v) in fields {
            head += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n"
        }
        head += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fileField)\"; filename=\"\(safeName)\"\r\n"
        head += "Content-Type: application/octet-stream\r\n\r\n"
        let tail = "\r\n--\(boundary)--\r\n"
        var total: Int64 = 0
        do {
            try w.write(contentsOf: Data(head.utf8))
            total += Int64(head.utf8.count)
            while true {
                if Interrupt.isSet { throw OpenAIError.transport(.cancelled, url: "", attempts: 0) }
                guard let chunk = try r.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
                try w.write(contentsOf: chunk)
                total += Int64(chunk.count)
            }
            try w.write(contentsOf: Data(tail.utf8))
            total += Int64(tail.utf8.count)
        } catch let e as OpenAIError {
            throw e
        } catch {
            throw .invalid(.error("cannot prepare the upload: \(error.localizedDescription)", id: "io.write"))
        }
        return total
    }

    public func listFiles(purpose: String? = nil, after: String? = nil, limit: Int? = nil, order: String? = nil)
        async throws(OpenAIError) -> Page<OpenAIFile> {
        var q: [(String, String)] = []
        if let purpose { q.append(("purpose", purpose)) }
        if let limit { q.append(("limit", String(limit))) }
        if let order { q.append(("order", order)) }
        if let after { q.append(("after", after)) }
        let v = try await json(Call("GET", ["files"], query: q))
        return try Page.decode(v, item: { v throws(OpenAIError) in try OpenAIFile(v) }, id: \.id)
    }

    public func allFiles(purpose: String? = nil) async throws(OpenAIError) -> [OpenAIFile] {
        try await collect(max: .max) { after throws(OpenAIError) in try await listFiles(purpose: purpose, after: after) }
    }

    public func file(_ id: String) async throws(OpenAIError) -> OpenAIFile {
        try OpenAIFile(try await json(Call("GET", ["files", id])))
    }

    public func deleteFile(_ id: String) async throws(OpenAIError) -> Deletion {
        let v = try await json(Call("DELETE", ["files", id]))
        return Deletion(id: v["id"]?.stringValue ?? id, deleted: v["deleted"]?.boolValue ?? false)
    }

    /// Streams a file's content to `path` (atomically: a temporary file beside it, renamed at
    /// the end). Content that arrives base64-encoded is decoded on the way.
    public func downloadFile(_ id: String, to path: String, overwrite: Bool) async throws(OpenAIError) -> DownloadResult {
        let fm = FileManager.default
        if fm.fileExists(atPath: path), !overwrite {
            throw .invalid(.error("\(path) already exists; add --force to overwrite it", id: "io.exists"))
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let partial = dir + "/.\(URL(fileURLWithPath: path).lastPathComponent).part-\(getpid())-\(token())"
        defer { try? fm.removeItem(atPath: partial) }
        var call = Call("GET", ["files", id, "content"])
        call.downloadPath = partial
        call.expectsJSON = false
        let response = try await perform(call)
        var bytes = response.downloadedBytes ?? 0
        var decoded = false
        if Base64Sniffer.looksEncoded(path: partial) {
            let plain = partial + ".decoded"
            defer { try? fm.removeItem(atPath: plain) }
            if let n = Base64Sniffer.decodeFile(partial, to: plain) {
                try? fm.removeItem(atPath: partial)
                do { try fm.moveItem(atPath: plain, toPath: partial) } catch {
                    throw .invalid(.error("cannot write \(path): \(error.localizedDescription)", id: "io.write"))
                }
                bytes = n
                decoded = true
            }
        }
        if overwrite { try? fm.removeItem(atPath: path) } else if fm.fileExists(atPath: path) {
            throw .invalid(.error("\(path) already exists; add --force to overwrite it", id: "io.exists"))
        }
        if rename(partial, path) != 0 {
            throw .invalid(.error("cannot write \(path): \(String(cString: strerror(errno)))", id: "io.write"))
        }
        return DownloadResult(path: path, bytes: bytes, decodedBase64: decoded)
    }

    /// A file's content in memory (result CSVs are small), base64 decoded when it came so.
    public func fileContent(_ id: String) async throws(OpenAIError) -> (data: Data, decodedBase64: Bool) {
        var call = Call("GET", ["files", id, "content"])
        call.expectsJSON = false
        let response = try await perform(call)
        if Base64Sniffer.looksEncoded(response.body.prefix(4096)),
           let text = String(data: response.body, encoding: .ascii),
           let plain = Data(base64Encoded: text.filter { !$0.isWhitespace }) {
            return (plain, true)
        }
        return (response.body, false)
    }
}

/// Base64 content where text was expected: every byte of the sample is from the base64
/// alphabet or whitespace, it has no line that plain CSV or JSONL would have (commas, braces),
/// and its start decodes to printable text.
enum Base64Sniffer {
    static func isAlphabet(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2B || b == 0x2F || b == 0x3D
    }

    static func looksEncoded(_ sample: Data) -> Bool {
        let bytes = Array(sample)
        let letters = bytes.filter { !($0 == 0x0A || $0 == 0x0D || $0 == 0x20 || $0 == 0x09) }
        guard letters.count >= 8, letters.allSatisfy(isAlphabet) else { return false }
        let whole = letters.prefix(letters.count / 4 * 4)
        guard let decoded = Data(base64Encoded: Data(whole)) else { return false }
        return decoded.allSatisfy { $0 >= 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            && String(data: decoded, encoding: .utf8) != nil
    }

    static func looksEncoded(path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        guard let sample = try? h.read(upToCount: 4096) else { return false }
        // A sample cut inside a multi-byte character would fail the UTF-8 test; trim to whole quads.
        return looksEncoded(sample)
    }

    /// Decodes `source` into `dest` in blocks; nil when it is not base64 after all.
    static func decodeFile(_ source: String, to dest: String) -> Int64? {
        guard let r = FileHandle(forReadingAtPath: source),
              FileManager.default.createFile(atPath: dest, contents: nil),
              let w = FileHandle(forWritingAtPath: dest) else { return nil }
        defer { try? r.close(); try? w.close() }
        var carry: [UInt8] = []
        var total: Int64 = 0
        while true {
            let chunk: Data
            do { chunk = try r.read(upToCount: 1 << 20) ?? Data() } catch { return nil }
            if chunk.isEmpty { break }
            for b in chunk where !(b == 0x0A || b == 0x0D || b == 0x20 || b == 0x09) {
                guard isAlphabet(b) else { return nil }
                carry.append(b)
            }
            let usable = carry.count / 4 * 4
            if usable > 0 {
                guard let d = Data(base64Encoded: Data(carry[..<usable])) else { return nil }
                try? w.write(contentsOf: d)
                total += Int64(d.count)
                carry.removeFirst(usable)
            }
        }
        if !carry.isEmpty {
            let padded = carry + Array(repeating: UInt8(ascii: "="), count: (4 - carry.count % 4) % 4)
            guard let d = Data(base64Encoded: Data(padded)) else { return nil }
            try? w.write(contentsOf: d)
            total += Int64(d.count)
        }
        return total
    }
}
