import Foundation

/// Wall time as commands see it. Check mode (`--check`) installs a frozen clock so anything a
/// command prints about dates or durations is the same on every run.
public struct SessionClock: Sendable {
    public var isFrozen: Bool
    private let frozenAt: Date

    public init(frozen: Bool) {
        isFrozen = frozen
        frozenAt = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
    }

    public var now: Date { isFrozen ? frozenAt : Date() }

    /// Seconds since `start`; always 0 when frozen.
    public func elapsed(since start: Date) -> Double { isFrozen ? 0 : Date().timeIntervalSince(start) }

    /// A duration for people: `0.42s`, `3.1s`, `2m05s`.
    public static func format(seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.2fs", seconds) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let m = Int(seconds) / 60, s = Int(seconds) % 60
        if m < 60 { return String(format: "%dm%02ds", m, s) }
        return String(format: "%dh%02dm", m / 60, m % 60)
    }
}
