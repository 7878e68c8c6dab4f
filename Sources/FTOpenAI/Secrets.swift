import Foundation

/// Keeps API keys out of everything ftsh prints or writes. Two nets: the exact key the client
/// was configured with, and anything shaped like an OpenAI key (`sk-` and at least ten more
/// key characters), wherever it came from.
public enum Secrets {
    public static let mask = "[REDACTED]"

    /// Header names whose values are credentials.
    public static let secretHeaders: Set<String> = ["authorization", "api-key", "openai-api-key", "x-api-key",
                                                    "proxy-authorization", "cookie", "set-cookie"]

    /// `text` with every key-shaped run and every given secret replaced by `[REDACTED]`.
    public static func redact(_ text: String, secrets: [String] = []) -> String {
        var out = text
        for s in secrets where s.count >= 4 && out.contains(s) {
            out = out.replacingOccurrences(of: s, with: mask)
        }
        return redactKeyShapes(out)
    }

    public static func isSecretHeader(_ name: String) -> Bool { secretHeaders.contains(name.lowercased()) }

    /// Scans for `sk-` followed by ten or more of `[A-Za-z0-9_-]`.
    static func redactKeyShapes(_ text: String) -> String {
        guard text.contains("sk-") else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func isKeyByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
        while i < bytes.count {
            if bytes[i] == 0x73, i + 2 < bytes.count, bytes[i + 1] == 0x6B, bytes[i + 2] == 0x2D {
                var j = i + 3
                while j < bytes.count, isKeyByte(bytes[j]) { j += 1 }
                if j - (i + 3) >= 10 {
                    out.append(contentsOf: Array(mask.utf8))
                    i = j
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
