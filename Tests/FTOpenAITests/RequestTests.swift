import FTCore
import Foundation
import Testing
@testable import FTOpenAI

@Suite struct RequestTests {
    @Test func hyperparametersGoUnderTheMethod() {
        let r = JobCreateRequest(model: "gpt-4.1-mini-2025-04-14", trainingFile: "file-t", validationFile: "file-v", suffix: "demo",
                                 seed: 7, metadata: [("team", "nlp")], method: .dpo, epochs: .value(2), batchSize: .auto,
                                 learningRateMultiplier: .value(0.5), beta: .value(0.1))
        #expect(r.validate() == nil)
        #expect(JSON.encode(r.body(requestID: "ftsh-1")) == #"{"model":"gpt-4.1-mini-2025-04-14","training_file":"file-t","validation_file":"file-v","suffix":"demo","seed":7,"method":{"type":"dpo","dpo":{"hyperparameters":{"n_epochs":2,"batch_size":"auto","learning_rate_multiplier":0.5,"beta":0.1}}},"metadata":{"team":"nlp","ftsh_request_id":"ftsh-1"}}"#)
    }

    @Test func limitsAreCheckedBeforeSending() {
        func problem(_ r: JobCreateRequest) -> String? { r.validate()?.param }
        var r = JobCreateRequest(model: "m", trainingFile: "f")
        r.suffix = String(repeating: "x", count: 65); #expect(problem(r) == "suffix")
        r = JobCreateRequest(model: "m", trainingFile: "f", epochs: .value(51)); #expect(problem(r) == "n_epochs")
        r = JobCreateRequest(model: "m", trainingFile: "f", epochs: .value(2.5)); #expect(problem(r) == "n_epochs")
        r = JobCreateRequest(model: "m", trainingFile: "f", batchSize: .value(0)); #expect(problem(r) == "batch_size")
        r = JobCreateRequest(model: "m", trainingFile: "f", learningRateMultiplier: .value(0)); #expect(problem(r) == "learning_rate_multiplier")
        r = JobCreateRequest(model: "m", trainingFile: "f", beta: .value(0.5)); #expect(problem(r) == "beta")
        r = JobCreateRequest(model: "m", trainingFile: "f", method: .dpo, beta: .value(2.5)); #expect(problem(r) == "beta")
        r = JobCreateRequest(model: "m", trainingFile: "f", seed: -1); #expect(problem(r) == "seed")
        #expect(Hyperparameter.parse("auto") == .auto)
        #expect(Hyperparameter.parse("3") == .value(3))
        #expect(Hyperparameter.parse("x") == nil)
    }

    @Test func resultsCSVIsReadByColumnName() throws {
        let csv = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy\n1,2.5,0.4,,\n2,2.1,0.5,2.3,0.45\n"
        let r = try ResultsCSV.parse(csv)
        #expect(r.rows.count == 2)
        #expect(r.rows[0] == StepMetrics(step: 1, trainLoss: 2.5, trainAccuracy: 0.4))
        #expect(r.rows[1].validLoss == 2.3 && r.rows[1].validAccuracy == 0.45)
        #expect(throws: Diagnostic.self) { _ = try ResultsCSV.parse("a,b\n1,2\n") }
        #expect(throws: Diagnostic.self) { _ = try ResultsCSV.parse("step,train_loss\nx,1\n") }
        // A diverged step is reported where it stands, never read as a number to draw.
        #expect {
            _ = try ResultsCSV.parse("step,train_loss\n1,2.0\n2,nan\n", file: "r.csv")
        } throws: { e in
            let d = e as! Diagnostic
            return d.id == "openai.non-finite" && d.location?.line == 3 && d.location?.column == 3
        }
    }

    @Test func base64IsSniffedNotAssumed() throws {
        let csv = "step,train_loss\n1,2.5\n"
        #expect(Base64Sniffer.looksEncoded(Data(Data(csv.utf8).base64EncodedString().utf8)))
        #expect(!Base64Sniffer.looksEncoded(Data(csv.utf8)))
        #expect(!Base64Sniffer.looksEncoded(Data(#"{"messages":[]}"#.utf8)))
        let dir = TempDir()
        let src = dir.file("enc", Data(csv.utf8).base64EncodedString(options: .lineLength64Characters))
        let n = Base64Sniffer.decodeFile(src, to: dir.path + "/dec")
        #expect(n == Int64(csv.utf8.count))
        #expect(String(decoding: FileManager.default.contents(atPath: dir.path + "/dec")!, as: UTF8.self) == csv)
    }

    @Test func uploadsOverTheLimitAreRefusedBeforeSending() async throws {
        let dir = TempDir()
        let path = dir.path + "/big.jsonl"
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = FileHandle(forWritingAtPath: path)!
        try h.truncate(atOffset: UInt64(OpenAIClient.maxUploadBytes + 1))
        try h.close()
        let t = ScriptedTransport([])
        do {
            _ = try await makeClient(t).uploadFile(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostic.id == "openai.file-too-large")
            #expect(error.diagnostic.message.contains("512 MB"))
            #expect(t.count == 0)
        }
    }

    @Test func multipartBodyCarriesTheFileAndPurpose() async throws {
        let dir = TempDir()
        let path = dir.file("train.jsonl", trainingText(2))
        let t = ScriptedTransport([.respond(jsonResponse(200, #"{"id":"file-1","object":"file","bytes":10,"filename":"train.jsonl","purpose":"fine-tune"}"#))])
        let captured = CapturingTransport(inner: t)
        let f = try await makeClient(captured).uploadFile(path: path)
        #expect(f.id == "file-1")
        let body = try #require(captured.lastBody)
        let ct = try #require(captured.lastContentType)
        let boundary = String(ct.split(separator: "=").last!)
        #expect(body.hasPrefix("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n"))
        #expect(body.contains("filename=\"train.jsonl\"\r\nContent-Type: application/octet-stream\r\n\r\n" + trainingText(2) + "\r\n--\(boundary)--\r\n"))
    }
}

/// Reads a streamed upload body while the file still exists.
final class CapturingTransport: Transport, @unchecked Sendable {
    let inner: any Transport
    var lastBody: String?
    var lastContentType: String?
    init(inner: any Transport) { self.inner = inner }
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        if case .file(let p, _) = request.body { lastBody = String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self) }
        lastContentType = request.header("Content-Type")
        return try await inner.send(request)
    }
}
