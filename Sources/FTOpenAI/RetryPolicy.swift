import Foundation

/// When and how long to wait before trying a request again, as the official SDK does it:
/// two retries; retry on connection errors, timeouts, 408, 409, 429 and 5xx, or whenever the
/// server says `x-should-retry: true`; wait what `retry-after-ms` / `Retry-After` ask for when
/// that is at most 120 s, else `min(0.5·2ⁿ, 8)·(1 − 0.25·rand)` seconds.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var initialDelay = 0.5
    public var maxDelay = 8.0
    public var maxRetryAfter = 120.0

    public init(maxRetries: Int = 2) { self.maxRetries = maxRetries }

    /// Whether a response with this status and these headers is worth another attempt.
    public func shouldRetry(status: Int, headers: [String: String], now: Date = Date()) -> Bool {
        if let wait = Self.retryAfter(headers, now: now), wait > maxRetryAfter { return false }
        switch headers["x-should-retry"]?.lowercased() {
        case "true": return true
        case "false": return false
        default: break
        }
        return status == 408 || status == 409 || status == 429 || status >= 500
    }

    /// Seconds to wait before retry number `retriesTaken + 1`; `jitter` is a draw in [0, 1).
    public func delay(retriesTaken: Int, headers: [String: String] = [:], jitter: Double, now: Date = Date()) -> Double {
        if let wait = Self.retryAfter(headers, now: now), wait > 0, wait <= maxRetryAfter { return wait }
        let base = min(initialDelay * pow(2.0, Double(min(retriesTaken, 1000))), maxDelay)
        return max(0, base * (1 - 0.25 * jitter))
    }

    /// What the server asked for, in seconds: `retry-after-ms`, else `retry-after` as seconds
    /// (a decimal) or as an HTTP date.
    public static func retryAfter(_ headers: [String: String], now: Date = Date()) -> Double? {
        if let ms = headers["retry-after-ms"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), ms.isFinite {
            return ms / 1000
        }
        guard let text = headers["retry-after"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let s = Double(text), s.isFinite { return s }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = f.date(from: text) { return date.timeIntervalSince(now) }
        return nil
    }
}
