import FTCore
import Foundation
import Testing
@testable import FTOpenAI

@Suite struct ConfigurationTests {
    @Test func readsTheSDKVariables() throws {
        let c = try OpenAIConfiguration.fromEnvironment([
            "OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": "http://localhost:8080/v1/", "OPENAI_ORG_ID": "org-1",
            "OPENAI_PROJECT_ID": "proj_2", "OPENAI_CUSTOM_HEADERS": "X-One: 1\nX-Two: two",
        ])
        #expect(c.baseURL.absoluteString == "http://localhost:8080/v1")
        let h = Dictionary(c.headers().map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(h["Authorization"] == "Bearer sk-x")
        #expect(h["OpenAI-Organization"] == "org-1")
        #expect(h["OpenAI-Project"] == "proj_2")
        #expect(h["X-Two"] == "two")
        #expect(c.maxRetries == 2 && c.timeout == 600 && c.connectTimeout == 5)
        #expect(c.url(["fine_tuning", "jobs", "a/b"], query: [("metadata[k]", "v w")]).absoluteString
            == "http://localhost:8080/v1/fine_tuning/jobs/a%2Fb?metadata%5Bk%5D=v%20w")
    }

    @Test func noKeySaysWhatToSet() {
        #expect {
            _ = try OpenAIConfiguration.fromEnvironment([:])
        } throws: { e in
            let d = e as! Diagnostic
            return d.id == "openai.no-key" && d.message.contains("OPENAI_API_KEY")
        }
    }

    @Test func aServerOnThisMachineNeedsNoKeyButARemoteOneDoes() throws {
        let local = OpenAIConfiguration.sessionEnvironment([:], baseURL: "http://127.0.0.1:41234/v1")
        #expect(try OpenAIConfiguration.fromEnvironment(local).apiKey == "local")
        #expect(OpenAIConfiguration.sessionEnvironment([:], baseURL: "http://localhost:8080/v1")["OPENAI_API_KEY"] == "local")
        // A key that is set is kept, and the session's base URL wins over the environment's.
        let keyed = OpenAIConfiguration.sessionEnvironment(["OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": "https://a.example/v1"],
                                                           baseURL: "http://127.0.0.1:9/v1")
        #expect(keyed["OPENAI_API_KEY"] == "sk-x" && keyed["OPENAI_BASE_URL"] == "http://127.0.0.1:9/v1")
        for remote in ["https://api.openai.com/v1", "http://127.0.0.1.example.com/v1"] {
            #expect(OpenAIConfiguration.sessionEnvironment([:], baseURL: remote)["OPENAI_API_KEY"] == nil)
        }
        #expect(OpenAIConfiguration.sessionEnvironment([:], baseURL: nil)["OPENAI_API_KEY"] == nil)
    }

    @Test func aBaseURLThatIsNotHTTPIsRefusedWithoutEchoingSecrets() {
        #expect {
            _ = try OpenAIConfiguration.fromEnvironment(["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "api.openai.com/sk-abcdefghijklmn"])
        } throws: { e in
            let d = e as! Diagnostic
            return d.id == "openai.bad-base-url" && !d.message.contains("sk-abcdefghijklmn")
        }
    }

    @Test func azureModeUsesTheResourceEndpointAndApiKeyHeader() throws {
        let c = try OpenAIConfiguration.fromEnvironment([
            "AZURE_OPENAI_ENDPOINT": "https://res.openai.azure.com", "AZURE_OPENAI_API_KEY": "azk", "OPENAI_API_VERSION": "2024-10-21",
        ])
        #expect(c.flavor == .azure(apiVersion: "2024-10-21"))
        #expect(c.url(["files"]).absoluteString == "https://res.openai.azure.com/openai/files?api-version=2024-10-21")
        #expect(c.headers().contains { $0.name == "api-key" && $0.value == "azk" })
        #expect(!c.headers().contains { $0.name == "Authorization" })
    }

    @Test func ownKnobsAreChecked() throws {
        let c = try OpenAIConfiguration.fromEnvironment(["OPENAI_API_KEY": "k", "FTSH_OPENAI_MAX_RETRIES": "0", "FTSH_OPENAI_TIMEOUT": "2.5"])
        #expect(c.maxRetries == 0 && c.timeout == 2.5)
        #expect(throws: Diagnostic.self) { _ = try OpenAIConfiguration.fromEnvironment(["OPENAI_API_KEY": "k", "FTSH_OPENAI_TIMEOUT": "soon"]) }
    }
}
