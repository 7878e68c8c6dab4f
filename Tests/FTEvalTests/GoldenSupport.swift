import FTCore
import Foundation
import Testing
@testable import FTEval

/// Golden files written by tools/reference/eval_golden.py from sacrebleu 2.6.0, rouge-score
/// 0.1.2 (NLTK 3.10.4's Porter stemmer) and the SQuAD v1.1 script's logic.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func lines(_ name: String) -> [Record] {
        let url = directory.appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden file \(url.path)")
            return []
        }
        var out: [Record] = []
        for (i, line) in text.split(separator: "\n").enumerated() {
            do {
                guard let r = try JSON.decode(String(line), file: name).recordValue else {
                    Issue.record("\(name):\(i + 1): not an object"); continue
                }
                out.append(r)
            } catch {
                Issue.record("\(name):\(i + 1): \(error)")
            }
        }
        return out
    }

    static let pairs: [Record] = lines("pairs.jsonl")
    static let corpus: [Record] = lines("corpus.jsonl")
}

extension Record {
    func string(_ key: String) -> String { self[key]?.stringValue ?? "" }
    func number(_ key: String) -> Double { self[key]?.numberValue ?? .nan }
    func strings(_ key: String) -> [String] { self[key]?.listValue?.compactMap(\.stringValue) ?? [] }
    func numbers(_ key: String) -> [Double] { self[key]?.listValue?.compactMap(\.numberValue) ?? [] }
    func record(_ key: String) -> Record { self[key]?.recordValue ?? Record() }
    var label: String { "pair \(Value.format(number("id"))) (\(string("category")))" }
}

/// Absolute difference within `tolerance`; NaN never matches.
func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance }
