/// Character classes the pre-tokenizer patterns ask about, one byte of flags per scalar.
///
/// The table is built once from Swift's own Unicode data, then pinned to the Unicode version
/// tiktoken's regex engine uses (16.0): scalars assigned later count as unassigned, and the few
/// scalars whose category changed later keep their 16.0 category. The test suite compares the
/// whole table with the classes extracted from tiktoken itself.
enum ScalarClass {
    /// `\p{L}`
    static let letter: UInt8 = 1
    /// `\p{N}`
    static let number: UInt8 = 2
    /// o200k's leading class `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`
    static let upperish: UInt8 = 4
    /// o200k's trailing class `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`
    static let lowerish: UInt8 = 8
    /// `\s`: the White_Space property
    static let space: UInt8 = 16
    /// `\r` or `\n`
    static let newline: UInt8 = 32

    /// The Unicode version whose categories the patterns were written against.
    static let pinnedMajorVersion = 16

    /// Categories that changed after the pinned version, restored to their old value.
    static let pinnedOverrides: [(UInt32, Unicode.GeneralCategory)] = [
        (0x0295, .lowercaseLetter), // LATIN LETTER PHARYNGEAL VOICED FRICATIVE: Ll until 17.0
    ]

    static func flags(for category: Unicode.GeneralCategory) -> UInt8 {
        switch category {
        case .uppercaseLetter, .titlecaseLetter: return letter | upperish
        case .lowercaseLetter: return letter | lowerish
        case .modifierLetter, .otherLetter: return letter | upperish | lowerish
        case .nonspacingMark, .spacingMark, .enclosingMark: return upperish | lowerish
        case .decimalNumber, .letterNumber, .otherNumber: return number
        default: return 0
        }
    }

    static func computeFlags(_ value: UInt32) -> UInt8 {
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        let p = scalar.properties
        var f: UInt8 = 0
        if let age = p.age, age.major <= pinnedMajorVersion {
            f = flags(for: p.generalCategory)
            if p.isWhitespace { f |= space }
        }
        if value == 0x0A || value == 0x0D { f |= newline }
        return f
    }
}

/// A two-stage look-up table: blocks of 256 scalars, identical blocks stored once, so the hot
/// blocks (ASCII, Latin, Hangul, CJK) stay in cache. Built once per process and never freed.
struct ScalarClassTable: @unchecked Sendable {
    private let blockIndex: UnsafeMutablePointer<UInt16>  // scalar >> 8 → block number
    private let blocks: UnsafeMutablePointer<UInt8>       // block number << 8 | low byte → flags
    let asciiFlags: UnsafePointer<UInt8>

    static let shared = ScalarClassTable()

    private init() {
        let blockCount = 0x110000 >> 8
        var index = [UInt16](repeating: 0, count: blockCount)
        var all = [UInt8](repeating: 0, count: 256)  // block 0: all zero (unassigned)
        var seen: [[UInt8]: UInt16] = [[UInt8](repeating: 0, count: 256): 0]
        var block = [UInt8](repeating: 0, count: 256)
        var overrides: [UInt32: UInt8] = [:]
        for (v, cat) in ScalarClass.pinnedOverrides {
            var f = ScalarClass.flags(for: cat)
            if let s = Unicode.Scalar(v), s.properties.isWhitespace { f |= ScalarClass.space }
            overrides[v] = f
        }
        for b in 0..<blockCount {
            let base = UInt32(b << 8)
            // Planes 4-13 hold no assigned scalars.
            if base >= 0x40000 && base < 0xE0000 { continue }
            for low in 0..<256 {
                let v = base | UInt32(low)
                block[low] = overrides[v] ?? ScalarClass.computeFlags(v)
            }
            if let k = seen[block] {
                index[b] = k
            } else {
                let k = UInt16(seen.count)
                seen[block] = k
                all.append(contentsOf: block)
                index[b] = k
            }
        }
        blockIndex = .allocate(capacity: blockCount)
        blockIndex.initialize(from: index, count: blockCount)
        blocks = .allocate(capacity: all.count)
        blocks.initialize(from: all, count: all.count)
        asciiFlags = UnsafePointer(blocks + (Int(index[0]) << 8))
    }

    @inline(__always)
    func flags(_ scalar: UInt32) -> UInt8 {
        if scalar >= 0x110000 { return 0 }
        return blocks[Int(blockIndex[Int(scalar >> 8)]) << 8 | Int(scalar & 0xFF)]
    }
}
