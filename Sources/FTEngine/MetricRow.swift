import Foundation

/// One row of a training metrics CSV, in the columns of OpenAI's fine-tuning result file: what
/// local runs write as `metrics.csv` and `ftsh serve` attaches as a job's result file. Validation
/// cells are empty on steps without an evaluation.
public struct MetricRow: Sendable, Equatable {
    public var step: Int
    public var trainLoss: Float
    public var trainAccuracy: Float
    public var validLoss: Float?
    public var validAccuracy: Float?

    public static let header = "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"

    public var csv: String {
        func f(_ x: Float?) -> String { x.map { String(format: "%.6f", $0) } ?? "" }
        return "\(step),\(f(trainLoss)),\(f(trainAccuracy)),\(f(validLoss)),\(f(validAccuracy))"
    }

    public init(step: Int, trainLoss: Float, trainAccuracy: Float, validLoss: Float? = nil, validAccuracy: Float? = nil) {
        self.step = step
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validLoss = validLoss
        self.validAccuracy = validAccuracy
    }

    public init?(csv line: Substring) {
        let c = line.split(separator: ",", omittingEmptySubsequences: false)
        guard c.count == 5, let s = Int(c[0]), let l = Float(c[1]), let a = Float(c[2]) else { return nil }
        self.init(step: s, trainLoss: l, trainAccuracy: a, validLoss: Float(c[3]), validAccuracy: Float(c[4]))
    }
}
