import FTCore
import FTEval
import FTOpenAI
import Foundation

/// The training log of a hosted fine-tuning job (OpenAI, Azure OpenAI, `ftsh serve` or any
/// server speaking the API). A finished job's result file holds every step; a job that is
/// still running, or that failed or was cancelled, has none, so its `metrics` events are
/// read instead: they carry the same numbers for the steps it did run.
struct JobCurve {
    var job: FineTuningJob
    var log: TrainingLog
    /// The result file's id, or nil when the numbers came from the job's events.
    var resultFile: String?

    var origin: String { resultFile.map { "result file \($0)" } ?? "metrics events" }

    static func load(_ id: String, client: OpenAIClient) async throws(Diagnostic) -> JobCurve {
        let job: FineTuningJob
        do { job = try await client.job(id) } catch { throw error.diagnostic }
        if let file = job.resultFiles.first {
            do {
                let content = try await client.fileContent(file)
                guard let text = String(data: content.data, encoding: .utf8) else {
                    throw Diagnostic.error("the result file \(file) of \(id) is not UTF-8 text", id: "eval.bad-csv")
                }
                return JobCurve(job: job, log: try TrainingLog.parse(text, file: file), resultFile: file)
            } catch let e as OpenAIError where e.status == 404 {
                // A deleted result file: the events still hold the numbers.
            } catch let e as OpenAIError {
                throw e.diagnostic
            } catch let d as Diagnostic {
                throw d
            } catch {
                throw .error("cannot read the result file \(file): \(error)", id: "eval.bad-csv")
            }
        }
        let events: [JobEvent]
        do { events = try await client.allEvents(id) } catch { throw error.diagnostic }
        guard let log = try fromEvents(events, file: "\(id) events") else {
            let why = job.status.isTerminal ? "it \(job.status) before reporting any step"
                                            : "it is \(job.status) and has not reported a step yet"
            throw .error("\(id) has no result file and no metrics events: \(why)", id: "eval.no-metrics",
                         notes: job.status.isTerminal ? (job.errorMessage.map { ["the job's error: \($0)"] } ?? [])
                                                      : ["follow it with 'job watch \(id)', then draw the curve again"])
        }
        return JobCurve(job: job, log: log, resultFile: nil)
    }

    /// Rows from `metrics` events, in step order; a step reported twice (a resumed job) keeps
    /// its latest numbers. Nil when no event carries a loss.
    static func fromEvents(_ events: [JobEvent], file: String) throws(Diagnostic) -> TrainingLog? {
        var byStep: [Int: TrainingLog.Row] = [:]
        for event in events {
            guard let m = event.metrics else { continue }
            let at = SourceLocation(file: file, line: 1, column: 1)
            for (name, value) in [("train_loss", m.trainLoss), ("train_mean_token_accuracy", m.trainAccuracy),
                                  ("valid_loss", m.validLoss ?? m.fullValidLoss), ("valid_mean_token_accuracy", m.validAccuracy)] {
                if let value, !value.isFinite {
                    throw .error("\(name) is \(value) at step \(m.step) (event \(event.id)); a training log must hold finite numbers",
                                 id: "eval.non-finite", at: at, notes: ["a NaN or infinite loss means training diverged at this step"])
                }
            }
            guard m.trainLoss != nil || m.validLoss != nil || m.fullValidLoss != nil else { continue }
            byStep[m.step] = TrainingLog.Row(step: Double(m.step), trainLoss: m.trainLoss, trainAccuracy: m.trainAccuracy,
                                             validLoss: m.validLoss ?? m.fullValidLoss, validAccuracy: m.validAccuracy)
        }
        guard !byStep.isEmpty else { return nil }
        return TrainingLog(rows: byStep.keys.sorted().map { byStep[$0]! })
    }
}
