import FTCore
import Foundation

/// Checks on the form of a prediction that need no reference: is it JSON, does it match a
/// pattern, does it contain a string. Each passes (1) or fails (0) per line.
public enum FormatCheck: Sendable, Hashable {
    /// The whole prediction is one JSON document (surrounding whitespace allowed).
    case json
    /// The pattern (ICU syntax, as `NSRegularExpression` reads it) matches somewhere in the
    /// prediction; anchor it with `^…$` to require a whole match.
    case regex(String)
    /// The prediction contains the string, compared code point by code point.
    case contains(String)

    public var name: String {
        switch self {
        case .json: "json"
        case .regex(let p): "regex:" + p
        case .contains(let s): "contains:" + s
        }
    }

    /// A checker ready to run; compiling the pattern is where a bad regex is reported.
    public func compiled() throws(Diagnostic) -> CompiledFormatCheck {
        switch self {
        case .json: return CompiledFormatCheck(check: self, regex: nil)
        case .contains: return CompiledFormatCheck(check: self, regex: nil)
        case .regex(let pattern):
            do {
                return CompiledFormatCheck(check: self, regex: try NSRegularExpression(pattern: pattern))
            } catch {
                throw Diagnostic.error("invalid regular expression \(JSON.quote(pattern))", id: "eval.bad-regex",
                                       notes: ["patterns use ICU syntax, e.g. ^[0-9]+$"])
            }
        }
    }
}

public struct CompiledFormatCheck: @unchecked Sendable {
    public let check: FormatCheck
    // NSRegularExpression is immutable once made and documented as safe to share between threads.
    let regex: NSRegularExpression?

    public func passes(_ prediction: String) -> Bool {
        switch check {
        case .json:
            return (try? JSON.decode(prediction)) != nil
        case .contains(let needle):
            return PythonText.contains(PythonText.scalars(prediction), PythonText.scalars(needle))
        case .regex:
            guard let regex else { return false }
            let range = NSRange(prediction.startIndex..<prediction.endIndex, in: prediction)
            return regex.firstMatch(in: prediction, options: [], range: range) != nil
        }
    }
}

/// Mean loss and perplexity from a summed token negative log-likelihood (natural log), as the
/// engine reports it for a validation pass.
public struct LossSummary: Sendable, Hashable {
    public var totalNLL: Double
    public var tokens: Int
    public var meanLoss: Double
    public var perplexity: Double

    public init(totalNLL: Double, tokens: Int) throws(Diagnostic) {
        guard tokens > 0 else {
            throw Diagnostic.error("no tokens were scored, so there is no mean loss", id: "eval.no-tokens")
        }
        guard totalNLL.isFinite, totalNLL >= 0 else {
            throw Diagnostic.error("summed loss is \(Value.format(totalNLL)); expected a finite, non-negative number",
                                   id: "eval.bad-loss")
        }
        self.totalNLL = totalNLL
        self.tokens = tokens
        meanLoss = totalNLL / Double(tokens)
        perplexity = exp(meanLoss)
    }

    public func toValue() -> Value {
        .record(["loss": .number(meanLoss), "perplexity": .number(perplexity), "tokens": .int(tokens),
                 "total_nll": .number(totalNLL)])
    }
}
