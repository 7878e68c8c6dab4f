import Testing
@testable import FTCore

@Suite struct ValueFormatTests {
    /// Whole numbers print as integers as far as a Double holds them exactly (2^53): a run's
    /// 52-bit seed must read back as the seed, not as 3.049e+15.
    @Test(arguments: [(3_049_117_843_121_001.0, "3049117843121001"), (9_007_199_254_740_992.0, "9007199254740992"),
                      (-42.0, "-42"), (0.5, "0.5"), (1e300, "1e+300"), (Double.nan, "nan"), (-Double.infinity, "-inf")])
    func numbers(_ n: Double, _ shown: String) {
        #expect(Value.format(n) == shown)
    }
}
