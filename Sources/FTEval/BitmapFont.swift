/// ftsh's own 5 × 9 bitmap font for printable ASCII (rows 0–6 are the cap height, 7–8 hold
/// descenders), used to put labels into PNG charts without a font library. Each glyph is nine
/// characters, one per row, each a base-32 digit whose five bits are the row's pixels, leftmost
/// pixel in the high bit.
enum BitmapFont {
    static let columns = 5
    static let rows = 9
    static let capHeight = 7
    /// Advance per character in font pixels (one column of spacing).
    static let advance = 6

    static let glyphs: [String] = [
        "000000000", "444440400", "AA0000000", "AVAAVA000", "4FKE5U400", "OP248J300", "CIK8LID00",
        "440000000", "248884200", "842224800", "04LEL4000", "044V44000", "00000C480", "000V00000",
        "00000CC00", "122488G00", "EHJLPHE00", "4C4444E00", "EH1248V00", "V2421HE00", "26AIV2200",
        "VGU11HE00", "68GUHHE00", "V12488800", "EHHEHHE00", "EHHF12C00", "0CC0CC000", "0CC0C4800",
        "248G84200", "00V0V0000", "842124800", "EH1240400", "EH1DLLE00", "EHHVHHH00", "UHHUHHU00",
        "EHGGGHE00", "SIHHHIS00", "VGGUGGV00", "VGGUGGG00", "EHGNHHF00", "HHHVHHH00", "E44444E00",
        "72222IC00", "HIKOKIH00", "GGGGGGV00", "HRLLHHH00", "HHPLJHH00", "EHHHHHE00", "UHHUGGG00",
        "EHHHLID00", "UHHUKIH00", "FGGE11U00", "V44444400", "HHHHHHE00", "HHHHHA400", "HHHLLLA00",
        "HHA4AHH00", "HHA444400", "V1248GV00", "E88888E00", "G88422100", "E22222E00", "4AH000000",
        "0000000V0", "840000000", "00E1FHF00", "GGMPHHU00", "00EGGHE00", "11DJHHF00", "00EHVGE00",
        "698S88800", "00FHHJD1E", "GGMPHHH00", "40C444E00", "2062222IC", "GGIKOKI00", "C44444E00",
        "00QLLHH00", "00MPHHH00", "00EHHHE00", "00MPHPMGG", "00DJHJD11", "00MPGGG00", "00FGE1U00",
        "88S889600", "00HHHJD00", "00HHHA400", "00HHLLA00", "00HA4AH00", "00HHHJD1E", "00V248V00",
        "344844300", "444444400", "O44244O00", "008L20000",
    ]

    static let decoded: [[UInt8]] = glyphs.map { g in
        g.unicodeScalars.map { c -> UInt8 in
            let v = c.value
            return UInt8(v >= 0x41 ? v - 0x41 + 10 : v - 0x30)
        }
    }

    /// Whether font pixel (column, row) of `scalar` is set; characters outside printable ASCII
    /// draw as an outlined box.
    @inline(__always)
    static func pixel(_ scalar: Unicode.Scalar, _ column: Int, _ row: Int) -> Bool {
        guard column >= 0, column < columns, row >= 0, row < rows else { return false }
        let v = scalar.value
        guard v >= 32 && v < 127 else {
            guard row >= 1 && row <= 6 else { return false }
            return row == 1 || row == 6 || column == 0 || column == 4
        }
        return decoded[Int(v) - 32][row] & (0x10 >> UInt8(column)) != 0
    }
}
