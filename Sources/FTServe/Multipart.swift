/// `multipart/form-data` bodies (RFC 7578) as `POST /files` receives them: named text fields and
/// one uploaded file. Parts are found by scanning for the boundary, so a file may hold any bytes.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var data: ArraySlice<UInt8>
    }

    var parts: [Part] = []

    func field(_ name: String) -> String? {
        parts.first { $0.name == name && $0.filename == nil }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    func file(_ name: String) -> Part? { parts.first { $0.name == name && $0.filename != nil } }

    /// The boundary named in a `Content-Type` header, if it is multipart/form-data.
    static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for p in pieces.dropFirst() where p.lowercased().hasPrefix("boundary=") {
            var b = String(p.dropFirst("boundary=".count))
            if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = String(b.dropFirst().dropLast()) }
            return b.isEmpty ? nil : b
        }
        return nil
    }

    init(body: [UInt8], boundary: String) throws(APIError) {
        let delimiter = Array(("--" + boundary).utf8)
        let bad = APIError.invalid("The multipart body is malformed (boundary \"\(boundary)\").", code: "invalid_multipart")
        guard var at = Self.find(delimiter, in: body, from: 0) else { throw bad }
        while true {
            at += delimiter.count
            // "--" after a delimiter closes the body.
            if at + 1 < body.count, body[at] == 0x2D, body[at + 1] == 0x2D { return }
            guard let headerStart = Self.find([0x0D, 0x0A], in: body, from: at).map({ $0 + 2 }),
                  let headerEnd = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: headerStart - 2) else { throw bad }
            let headers = String(decoding: body[headerStart..<max(headerStart, headerEnd)], as: UTF8.self)
            let dataStart = headerEnd + 4
            guard let next = Self.find([0x0D, 0x0A] + delimiter, in: body, from: dataStart - 2) else { throw bad }
            var part = Part(name: "", filename: nil, contentType: nil, data: body[dataStart..<max(dataStart, next)])
            for line in headers.split(separator: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    part.name = Self.parameter("name", in: String(line)) ?? ""
                    part.filename = Self.parameter("filename", in: String(line))
                } else if lower.hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            parts.append(part)
            at = next + 2
        }
    }

    /// `name="value"` (or unquoted) from a Content-Disposition line.
    static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let kv = piece.trimmingCharacters(in: .whitespaces)
            guard kv.lowercased().hasPrefix(key + "=") else { continue }
            var v = String(kv.dropFirst(key.count + 1))
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            return v.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count, start <= hay.count - needle.count else { return nil }
        let first = needle[0]
        var i = max(0, start)
        let last = hay.count - needle.count
        while i <= last {
            if hay[i] == first {
                var k = 1
                while k < needle.count && hay[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

import Foundation
