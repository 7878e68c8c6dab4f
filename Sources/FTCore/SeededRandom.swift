/// xoshiro256** (Blackman & Vigna, 2018), seeded through SplitMix64: a specified generator, so a
/// `seed N` gives the same data splits, initial weights, dropout masks and samples on every
/// machine and Swift version. (Swift's `SystemRandomNumberGenerator` is not seedable, and the
/// standard library's `random(in:)` algorithms are not promised to stay the same, so the helpers
/// below draw from the raw 64-bit stream themselves.)
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E3779B97F4A7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        s = (splitmix(&sm), splitmix(&sm), splitmix(&sm), splitmix(&sm))
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = Self.rotl(s.3, 45)
        return result
    }

    /// A double in [0, 1) from the top 53 bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A float in [0, 1) from the top 24 bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// An integer in `0..<bound`, unbiased (Lemire's multiply-and-reject).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A standard normal sample (Box–Muller; the second value is discarded to keep the
    /// stream position simple to reason about).
    public mutating func nextGaussian() -> Double {
        var u1 = nextDouble()
        while u1 <= Double.leastNormalMagnitude { u1 = nextDouble() }
        let u2 = nextDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates, drawing with `nextInt(below:)`.
    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { a.swapAt(i, j) }
        }
    }

    /// An independent generator for a named consumer (`"split"`, `"init"`, `"dropout"`), so
    /// adding draws in one place does not shift every other result.
    public func derived(_ label: String) -> SeededRandom {
        var h: UInt64 = 0xCBF29CE484222325 // FNV-1a over the label, mixed with the seed
        for b in label.utf8 { h = (h ^ UInt64(b)) &* 0x100000001B3 }
        return SeededRandom(seed: seed ^ h)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
