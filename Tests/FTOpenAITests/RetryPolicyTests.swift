import Foundation
import Testing
@testable import FTOpenAI

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 2)

    @Test func retriesTheStatusesTheSDKRetries() {
        for s in [408, 409, 429, 500, 502, 503, 504] { #expect(policy.shouldRetry(status: s, headers: [:]), "status \(s)") }
        for s in [400, 401, 403, 404, 422] { #expect(!policy.shouldRetry(status: s, headers: [:]), "status \(s)") }
    }

    @Test func theServerCanSayOtherwise() {
        #expect(policy.shouldRetry(status: 400, headers: ["x-should-retry": "true"]))
        #expect(!policy.shouldRetry(status: 503, headers: ["x-should-retry": "false"]))
    }

    @Test func aRetryAfterBeyondTwoMinutesIsNotWaitedFor() {
        #expect(!policy.shouldRetry(status: 429, headers: ["retry-after": "121"]))
        #expect(policy.shouldRetry(status: 429, headers: ["retry-after": "120"]))
    }

    @Test func backoffDoublesFromHalfASecondUpToEight() {
        #expect(policy.delay(retriesTaken: 0, jitter: 0) == 0.5)
        #expect(policy.delay(retriesTaken: 1, jitter: 0) == 1.0)
        #expect(policy.delay(retriesTaken: 5, jitter: 0) == 8.0)
        #expect(policy.delay(retriesTaken: 0, jitter: 0.999_999) > 0.375)
        #expect(abs(policy.delay(retriesTaken: 1, jitter: 1) - 0.75) < 1e-12)
    }

    @Test func retryAfterHeadersWinWhenReasonable() {
        #expect(policy.delay(retriesTaken: 0, headers: ["retry-after-ms": "250"], jitter: 0) == 0.25)
        #expect(policy.delay(retriesTaken: 0, headers: ["retry-after": "3"], jitter: 0) == 3)
        #expect(policy.delay(retriesTaken: 0, headers: ["retry-after": "1.5"], jitter: 0) == 1.5)
        // Out of range: back to the computed delay.
        #expect(policy.delay(retriesTaken: 0, headers: ["retry-after": "0"], jitter: 0) == 0.5)
        #expect(policy.delay(retriesTaken: 0, headers: ["retry-after": "500"], jitter: 0) == 0.5)
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let wait = RetryPolicy.retryAfter(["retry-after": "Thu, 01 Jan 2026 00:00:05 GMT"], now: now)
        #expect(wait == 5)
    }
}
