import FTCore
import FTOpenAI
import FTPluginKit
import Foundation
import Synchronization
import Testing
@testable import EvalPlugin

/// A server as `eval curve` sees it: answers by method and path (the query only matters for
/// the `after` cursor of event pages), and a list of what was asked.
final class RoutedTransport: Transport, @unchecked Sendable {
    let routes: [String: HTTPResponse]
    let asked = Mutex<[String]>([])

    init(_ routes: [String: HTTPResponse]) { self.routes = routes }

    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let c = URLComponents(url: request.url, resolvingAgainstBaseURL: false)!
        var key = request.method + " " + c.path
        if let after = c.queryItems?.first(where: { $0.name == "after" })?.value { key += "?after=" + after }
        asked.withLock { $0.append(key) }
        return routes[key] ?? HTTPResponse(status: 404, headers: ["content-type": "application/json"],
                                           body: Data(#"{"error":{"message":"No such route","type":"invalid_request_error","param":null,"code":null}}"#.utf8))
    }

    var requests: [String] { asked.withLock { $0 } }
}

func json(_ text: String) -> HTTPResponse {
    HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Data(text.utf8))
}

func client(_ t: RoutedTransport) -> OpenAIClient {
    OpenAIClient(configuration: OpenAIConfiguration(apiKey: "sk-test", baseURL: URL(string: "http://127.0.0.1:9/v1")!),
                 transport: t, random: SeededRandom(seed: 1), sleep: { (_: Double) async throws(TransportError) -> Void in })
}

func jobJSON(_ id: String, status: String, results: [String] = [], error: String = "null") -> String {
    #"{"object":"fine_tuning.job","id":"\#(id)","model":"gpt-4o-mini-2024-07-18","status":"\#(status)","created_at":1767225600,"# +
        #""training_file":"file-t","validation_file":"file-v","result_files":[\#(results.map { "\"\($0)\"" }.joined(separator: ","))],"# +
        #""error":\#(error),"fine_tuned_model":null,"finished_at":null,"hyperparameters":{"n_epochs":2}}"#
}

func metricsEvent(_ job: String, _ n: Int, step: Int, train: String, valid: String? = nil) -> String {
    let v = valid.map { #","valid_loss":\#($0),"valid_mean_token_accuracy":0.5"# } ?? ""
    return #"{"object":"fine_tuning.job.event","id":"ftevent-\#(n)","created_at":\#(1767225600 + n),"level":"info","# +
        #""message":"Step \#(step)","type":"metrics","data":{"step":\#(step),"total_steps":6,"train_loss":\#(train),"train_mean_token_accuracy":0.4\#(v)}}"#
}

func messageEvent(_ n: Int, _ text: String) -> String {
    #"{"object":"fine_tuning.job.event","id":"ftevent-\#(n)","created_at":\#(1767225600 + n),"level":"info","message":"\#(text)","type":"message"}"#
}

func page(_ items: [String], more: Bool) -> HTTPResponse {
    json(#"{"object":"list","data":[\#(items.joined(separator: ","))],"has_more":\#(more)}"#)
}

@Suite struct JobCurveTests {
    @Test func finishedJobIsReadFromItsResultFileEvenBase64Encoded() async throws {
        let csv = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n1,2.5,0.3,2.6,0.25\n2,1.5,0.5,,\n3,1.0,0.6,1.8,0.5\n4,0.6,0.8,2.0,0.45\n"
        let t = RoutedTransport([
            "GET /v1/fine_tuning/jobs/ftjob-1": json(jobJSON("ftjob-1", status: "succeeded", results: ["file-r"])),
            "GET /v1/files/file-r/content": HTTPResponse(status: 200, body: Data(Data(csv.utf8).base64EncodedString().utf8)),
        ])
        let curve = try await JobCurve.load("ftjob-1", client: client(t))
        #expect(curve.resultFile == "file-r" && curve.origin == "result file file-r")
        #expect(curve.log.rows.count == 4)
        #expect(curve.log.train.map(\.y) == [2.5, 1.5, 1.0, 0.6])
        #expect(curve.log.validation.map(\.x) == [1, 3, 4])
        let m = try #require(curve.log.validationMinimum)
        #expect(m.step == 3 && m.loss == 1.8 && abs(m.rise - 0.2) < 1e-12)
        #expect(!t.requests.contains { $0.contains("events") }, "a result file makes the events unnecessary")
    }

    @Test func runningJobFallsBackToMetricsEventsAcrossPages() async throws {
        // The API lists events newest first; the client turns them oldest first.
        let t = RoutedTransport([
            "GET /v1/fine_tuning/jobs/ftjob-2": json(jobJSON("ftjob-2", status: "running")),
            "GET /v1/fine_tuning/jobs/ftjob-2/events": page([metricsEvent("ftjob-2", 5, step: 3, train: "1.1", valid: "1.4"),
                                                             metricsEvent("ftjob-2", 4, step: 2, train: "1.6")], more: true),
            "GET /v1/fine_tuning/jobs/ftjob-2/events?after=ftevent-4": page([metricsEvent("ftjob-2", 3, step: 1, train: "2.2", valid: "2.0"),
                                                                             messageEvent(2, "Fine-tuning job started")], more: false),
        ])
        let curve = try await JobCurve.load("ftjob-2", client: client(t))
        #expect(curve.resultFile == nil && curve.origin == "metrics events")
        #expect(curve.log.rows.map(\.step) == [1, 2, 3])
        #expect(curve.log.train.map(\.y) == [2.2, 1.6, 1.1])
        #expect(curve.log.validation.map(\.y) == [2.0, 1.4])
        #expect(curve.log.rows[0].trainAccuracy == 0.4 && curve.log.rows[0].validAccuracy == 0.5)
    }

    @Test func cancelledJobShowsTheStepsItRanAndARepeatedStepKeepsItsLatestNumbers() async throws {
        let t = RoutedTransport([
            "GET /v1/fine_tuning/jobs/ftjob-3": json(jobJSON("ftjob-3", status: "cancelled")),
            "GET /v1/fine_tuning/jobs/ftjob-3/events": page([messageEvent(9, "Job cancelled"),
                                                             metricsEvent("ftjob-3", 8, step: 2, train: "1.25"),
                                                             metricsEvent("ftjob-3", 7, step: 2, train: "1.5"),
                                                             metricsEvent("ftjob-3", 6, step: 1, train: "2.0")], more: false),
        ])
        let curve = try await JobCurve.load("ftjob-3", client: client(t))
        #expect(curve.job.status == .cancelled)
        #expect(curve.log.train.map(\.y) == [2.0, 1.25])
        #expect(curve.log.validationMinimum == nil)
    }

    @Test func jobWithoutResultFileOrMetricsIsAClearError() async throws {
        let failed = RoutedTransport([
            "GET /v1/fine_tuning/jobs/ftjob-4": json(jobJSON("ftjob-4", status: "failed",
                                                             error: #"{"code":"invalid_training_file","message":"Training file has 3 example(s)","param":"training_file"}"#)),
            "GET /v1/fine_tuning/jobs/ftjob-4/events": page([messageEvent(1, "Validating training file")], more: false),
        ])
        let d = try await diagnostic { _ = try await JobCurve.load("ftjob-4", client: client(failed)) }
        #expect(d?.id == "eval.no-metrics")
        #expect(d?.message.contains("failed before reporting any step") == true, "\(String(describing: d))")
        #expect(d?.notes.contains { $0.contains("Training file has 3 example(s)") } == true)

        let queued = RoutedTransport([
            "GET /v1/fine_tuning/jobs/ftjob-5": json(jobJSON("ftjob-5", status: "queued")),
            "GET /v1/fine_tuning/jobs/ftjob-5/events": page([], more: false),
        ])
        let q = try await diagnostic { _ = try await JobCurve.load("ftjob-5", client: client(queued)) }
        #expect(q?.id == "eval.no-metrics")
        #expect(q?.notes.contains { $0.contains("job watch ftjob-5") } == true)
    }

    @Test func badNumbersAndMissingJobsAreErrorsNotZeros() async throws {
        let nan = RoutedTransport([
            "GET /v1/fine_tuning/jobs/ftjob-6": json(jobJSON("ftjob-6", status: "succeeded", results: ["file-n"])),
            "GET /v1/files/file-n/content": HTTPResponse(status: 200, body: Data("step,train_loss,valid_loss\n1,2.0,2.1\n2,nan,1.9\n".utf8)),
        ])
        let d = try await diagnostic { _ = try await JobCurve.load("ftjob-6", client: client(nan)) }
        #expect(d?.id == "eval.non-finite")
        #expect(d?.location?.file == "file-n" && d?.location?.line == 3)

        let missing = RoutedTransport([:])
        let m = try await diagnostic { _ = try await JobCurve.load("ftjob-nope", client: client(missing)) }
        #expect(m?.id == "openai.not-found", "\(String(describing: m))")
    }

    @Test func deletedResultFileFallsBackToEvents() async throws {
        let t = RoutedTransport([
            "GET /v1/fine_tuning/jobs/ftjob-7": json(jobJSON("ftjob-7", status: "succeeded", results: ["file-gone"])),
            "GET /v1/fine_tuning/jobs/ftjob-7/events": page([metricsEvent("ftjob-7", 2, step: 2, train: "0.9"),
                                                             metricsEvent("ftjob-7", 1, step: 1, train: "1.9")], more: false),
        ])
        let curve = try await JobCurve.load("ftjob-7", client: client(t))
        #expect(curve.origin == "metrics events" && curve.log.rows.count == 2)
    }

    func diagnostic(_ body: () async throws -> Void) async throws -> Diagnostic? {
        do { try await body() } catch let d as Diagnostic { return d }
        Issue.record("expected an error")
        return nil
    }
}

@Suite struct CurveSourceTests {
    func invocation(_ source: Value) -> Invocation {
        Invocation(spec: EvalPlugin.curve, values: ["source": source],
                   locations: ["source": SourceRange(start: SourceLocation(file: "t.ftsh", line: 2, column: 12), length: 6)],
                   location: SourceLocation(file: "t.ftsh", line: 2, column: 1), json: false)
    }

    /// A model object as the model plugin keeps it: what matters here is its run folder.
    final class TrainedModel: RunFolderHolder { var source = "runs/lora-1"; var runFolder: String?; init(_ f: String?) { runFolder = f } }

    @Test func jobsAreTakenByIdOrRecord() throws {
        let ctx = TestContext()
        #expect(try EvalPlugin.curveSource(invocation(.string("ftjob-abc123")), ctx) == .job(id: "ftjob-abc123"))
        let record = try JSON.decode(jobJSON("ftjob-xyz", status: "running"))
        #expect(try EvalPlugin.curveSource(invocation(record), ctx) == .job(id: "ftjob-xyz"))
        _ = ctx.workspace.put(record, kind: "job", name: "j")
        #expect(try EvalPlugin.curveSource(invocation(.string("j")), ctx) == .job(id: "ftjob-xyz"))
        let d = expectDiagnostic("eval.unsupported-source") { _ = try EvalPlugin.curveSource(invocation(.record(["id": "file-1"])), ctx) }
        #expect(d?.location?.column == 12)
        expectDiagnostic("eval.missing-file") { _ = try EvalPlugin.curveSource(invocation(.string("nope.csv")), ctx) }
    }

    @Test func trainedModelsAndTrainResultsAreReadFromTheirRunFolder() throws {
        let ctx = TestContext()
        let folder = try temporaryFolder("curve-run")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "step,train_loss\n1,2.0\n".write(toFile: folder + "/metrics.csv", atomically: true, encoding: .utf8)
        _ = ctx.workspace.put(TrainedModel(folder), kind: "model", name: "tuned", summary: ["source": "runs/lora-1"])
        #expect(try EvalPlugin.curveSource(invocation(.string("tuned")), ctx) == .file(shown: "runs/lora-1/metrics.csv", path: folder + "/metrics.csv"))
        _ = ctx.workspace.put(TrainedModel(nil), kind: "model", name: "base")
        expectDiagnostic("eval.no-metrics") { _ = try EvalPlugin.curveSource(invocation(.string("base")), ctx) }
        let result: Value = .record(["run": .string(folder), "method": "lora", "status": "finished"])
        #expect(try EvalPlugin.curveSource(invocation(result), ctx) == .file(shown: folder + "/metrics.csv", path: folder + "/metrics.csv"))
        _ = ctx.workspace.put(3, kind: "dataset", name: "qa")
        expectDiagnostic("eval.unsupported-source") { _ = try EvalPlugin.curveSource(invocation(.string("qa")), ctx) }
    }
}
