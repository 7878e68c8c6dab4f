import FTCore
import Foundation
import Synchronization
import Testing
@testable import FTOpenAI

let jobJSON = #"{"id":"ftjob-1","object":"fine_tuning.job","status":"queued","model":"gpt-4o-mini-2024-07-18","training_file":"file-1","result_files":[],"metadata":{"ftsh_request_id":"REQ"}}"#

@Suite struct ClientTests {
    @Test func retriesTwiceThenSucceeds() async throws {
        let t = ScriptedTransport([.respond(jsonResponse(503, #"{"error":{"message":"busy","type":"server_error"}}"#)),
                                   .fail(.connectionLost("reset")), .respond(jsonResponse(200, jobJSON))])
        let sleeps = SleepLog()
        let job = try await makeClient(t, sleeps: sleeps).job("ftjob-1")
        #expect(job.id == "ftjob-1" && job.status == JobStatus.queued)
        #expect(t.count == 3)
        #expect(sleeps.all.count == 2)
        #expect(sleeps.all[0] > 0.375 && sleeps.all[0] <= 0.5)
        #expect(sleeps.all[1] > 0.75 && sleeps.all[1] <= 1.0)
    }

    @Test func givesUpAfterTwoRetriesWithTheLastError() async {
        let t = ScriptedTransport(Array(repeating: .respond(jsonResponse(500, #"{"error":{"message":"boom","type":"server_error"}}"#)), count: 5))
        do {
            _ = try await makeClient(t).job("ftjob-1")
            Issue.record("expected an error")
        } catch {
            #expect(t.count == 3)
            #expect(error.diagnostic.id == "openai.server-error")
            #expect(error.diagnostic.message.hasPrefix("500 server_error: boom"))
        }
    }

    @Test func honoursRetryAfter() async throws {
        let t = ScriptedTransport([.respond(jsonResponse(429, #"{"error":{"message":"slow down","type":"requests"}}"#, headers: ["retry-after": "2"])),
                                   .respond(jsonResponse(200, jobJSON))])
        let sleeps = SleepLog()
        _ = try await makeClient(t, sleeps: sleeps).job("ftjob-1")
        #expect(sleeps.all == [2])
    }

    @Test func doesNotRetryClientErrorsAndFormatsThemLikeTheIssueSays() async {
        let body = #"{"error":{"message":"None is not of type 'string' - 'suffix'","type":"invalid_request_error","param":"suffix","code":null}}"#
        let t = ScriptedTransport([.respond(jsonResponse(400, body, headers: ["x-request-id": "req_abc"]))])
        do {
            _ = try await makeClient(t).job("x")
            Issue.record("expected an error")
        } catch {
            #expect(t.count == 1)
            #expect(error.diagnostic.message == "400 invalid_request_error: None is not of type 'string' - 'suffix' (param: suffix) [request id req_abc]")
        }
    }

    @Test func htmlAndGarbageAreNamedNotDumped() async {
        let html = HTTPResponse(status: 404, headers: ["content-type": "text/html"], body: Data("<!DOCTYPE html><html>nope</html>".utf8))
        do {
            _ = try await makeClient(ScriptedTransport([.respond(html)])).job("x")
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostic.id == "openai.bad-response")
            #expect(error.diagnostic.message.contains("404 with an HTML page"))
            #expect(error.diagnostic.message.contains("OPENAI_BASE_URL"))
        }
        let junk = HTTPResponse(status: 200, body: Data([0, 0x17, 0x41, 0xFF]))
        do {
            _ = try await makeClient(ScriptedTransport(Array(repeating: .respond(junk), count: 3))).job("x")
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostic.id == "openai.bad-response")
            #expect(!error.diagnostic.message.contains("\u{0}"))
        }
    }

    @Test func theKeyNeverAppearsInAnErrorMessage() async {
        let body = #"{"error":{"message":"Incorrect API key provided: \#(testKey)","type":"invalid_request_error","code":"invalid_api_key"}}"#
        do {
            _ = try await makeClient(ScriptedTransport([.respond(jsonResponse(401, body))])).models()
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostic.id == "openai.unauthorized")
            #expect(!error.diagnostic.message.contains(testKey))
            #expect(error.diagnostic.message.contains("check OPENAI_API_KEY"))
        }
    }

    @Test func aLostCreateResponseDoesNotMakeASecondJob() async throws {
        // The first POST reaches the server but its answer is lost; the lookup finds the job.
        let notices = NoticeLog()
        // The lookup must answer with the job tagged by the id the client drew; draw it the same way.
        let expectedID = "ftsh-" + makeClient(ScriptedTransport([])).token()
        let listing = #"{"object":"list","data":[\#(jobJSON.replacingOccurrences(of: "REQ", with: expectedID))],"has_more":false}"#
        let t2 = ScriptedTransport([.fail(.connectionLost("reset")), .respond(jsonResponse(200, listing))])
        let job = try await makeClient(t2, notices: notices).createJob(JobCreateRequest(model: "gpt-4o-mini-2024-07-18", trainingFile: "file-1"))
        #expect(job.id == "ftjob-1")
        let sent: [HTTPRequest] = t2.sent.withLock { $0 }
        #expect(sent.map { $0.method } == ["POST", "GET"])
        #expect(sent[1].url.query?.contains("metadata%5Bftsh_request_id%5D=\(expectedID)") == true)
        #expect(notices.all.contains { if case .recovered("ftjob-1") = $0 { true } else { false } })
    }

    @Test func aCreateRetriesWhenTheLookupFindsNothing() async throws {
        let t = ScriptedTransport([.fail(.timedOut), .respond(jsonResponse(200, #"{"object":"list","data":[],"has_more":false}"#)),
                                   .respond(jsonResponse(200, jobJSON))])
        let job = try await makeClient(t).createJob(JobCreateRequest(model: "m", trainingFile: "file-1"))
        #expect(job.id == "ftjob-1")
        let methods: [String] = t.sent.withLock { $0.map { $0.method } }
        #expect(methods == ["POST", "GET", "POST"])
        // Both attempts carry the same client request id.
        let bodies: [HTTPBody] = t.sent.withLock { $0.filter { $0.method == "POST" }.map { $0.body } }
        #expect(bodies[0] == bodies[1])
    }

    @Test func unknownStatusesAndExtraFieldsDecode() throws {
        let v = try JSON.decode(#"{"id":"j","status":"weird_new_state","error":{},"user_provided_suffix":"x","hyperparameters":{"n_epochs":"auto"},"result_files":["file-r"]}"#)
        let job = try FineTuningJob(v)
        #expect(job.status.rawValue == "weird_new_state" && !job.status.isTerminal)
        #expect(job.errorMessage == nil)
        #expect(job.resultFiles == ["file-r"])
        #expect(job.raw["user_provided_suffix"] == "x")
    }

    @Test func eventsAreCollectedOldestFirstAcrossPages() async throws {
        func page(_ ids: [Int], more: Bool) -> ScriptedTransport.Step {
            let items = ids.map { #"{"id":"ev\#($0)","object":"fine_tuning.job.event","created_at":\#($0),"level":"info","message":"m\#($0)"}"# }
            return .respond(jsonResponse(200, #"{"object":"list","data":[\#(items.joined(separator: ","))],"has_more":\#(more)}"#))
        }
        let t = ScriptedTransport([page([5, 4], more: true), page([3, 2], more: true), page([1], more: false)])
        let events = try await makeClient(t).allEvents("j", pageSize: 2)
        #expect(events.map(\.id) == ["ev1", "ev2", "ev3", "ev4", "ev5"])
        let queries: [String] = t.sent.withLock { $0.map { $0.url.query ?? "" } }
        #expect(queries == ["limit=2", "after=ev4&limit=2", "after=ev2&limit=2"])
        let t2 = ScriptedTransport([page([7, 6], more: true), page([5, 4], more: true)])
        let fresh = try await makeClient(t2).newEvents("j", seen: ["ev5", "ev4"], pageSize: 2)
        #expect(fresh.map(\.id) == ["ev6", "ev7"])
    }
}
