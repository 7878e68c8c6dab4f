import FTCore
import Foundation
import Testing
@testable import FTOpenAI

@Suite struct CassetteTests {
    @Test func recordsRedactedAndReplaysOffline() async throws {
        let dir = TempDir()
        let path = dir.path + "/session.cassette.jsonl"
        let chat = #"{"id":"c1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"echo \#(testKey)"},"finish_reason":"stop"}]}"#
        let live = ScriptedTransport([.fail(.connectionLost("reset")), .respond(jsonResponse(200, chat, headers: ["x-request-id": "req_1"])),
                                      .respond(jsonResponse(200, jobJSON))])
        let recorder = CassetteTransport(recording: path, basePath: "/v1", secrets: [testKey], inner: live)
        let client = makeClient(recorder)
        let reply = try await client.chat(model: "m", messages: [("user", "my key is \(testKey)")])
        #expect(reply.content == "echo \(testKey)") // the live answer is untouched
        _ = try await client.job("ftjob-1")
        let text = String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self)
        #expect(!text.contains(testKey))
        #expect(!text.contains("sk-ftshtest"))
        #expect(text.contains("[REDACTED]"))
        #expect(text.split(separator: "\n").count == 3)
        #expect(!text.contains("127.0.0.1"))

        let player = try CassetteTransport(replaying: path, basePath: "/v1")
        let offline = makeClient(player, base: "http://elsewhere.invalid:1234/v1")
        let again = try await offline.chat(model: "m", messages: [("user", "anything")])
        #expect(again.content == "echo [REDACTED]")
        #expect(try await offline.job("ftjob-1").id == "ftjob-1")
        #expect(player.unused == 0)
        do {
            _ = try await offline.job("ftjob-1")
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostic.message.contains("no recorded answer for GET /fine_tuning/jobs/ftjob-1"))
        }
    }

    @Test func aBrokenCassetteIsALocatedError() {
        let dir = TempDir()
        let path = dir.file("bad.jsonl", "{\"method\":\"GET\",\"target\":\"/models\",\"status\":200}\nnot json\n")
        #expect {
            _ = try CassetteTransport(replaying: path, basePath: "/v1")
        } throws: { e in
            (e as! Diagnostic).location?.line == 2
        }
    }
}
