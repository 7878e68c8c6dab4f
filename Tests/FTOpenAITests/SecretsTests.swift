import Foundation
import Testing
@testable import FTOpenAI

@Suite struct SecretsTests {
    @Test func keyShapedRunsAreMasked() {
        #expect(Secrets.redact("key sk-abcdefghij1234 end") == "key [REDACTED] end")
        #expect(Secrets.redact("sk-proj-AbC_dEf-123456789xyz") == "[REDACTED]")
        #expect(Secrets.redact("desk-top and sk-short") == "desk-top and sk-short")
        #expect(Secrets.redact("안녕 sk-0123456789 끝") == "안녕 [REDACTED] 끝")
    }

    @Test func theConfiguredKeyIsMaskedWhateverItsShape() {
        #expect(Secrets.redact("Bearer local-dev-key-42", secrets: ["local-dev-key-42"]) == "Bearer [REDACTED]")
    }

    @Test func credentialHeadersAreKnown() {
        #expect(Secrets.isSecretHeader("Authorization"))
        #expect(Secrets.isSecretHeader("api-key"))
        #expect(!Secrets.isSecretHeader("Content-Type"))
    }
}
