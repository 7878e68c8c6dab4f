import FTCore
import Foundation

/// What the model commands need to know about a training run folder: the method and the base
/// model its weights apply to. The train plugin writes the full `config.json`.
public struct RunInfo: Sendable {
    public var method: String
    /// `tiny`, an absolute folder, or `base` (a copy kept inside the run folder).
    public var base: String
    public var config: Record

    /// The run in `folder`, or nil when it is not a run folder (no `config.json` with a
    /// `method` and `format: ftsh-run`).
    public static func read(folder: String) -> RunInfo? {
        guard let text = try? String(contentsOfFile: folder + "/config.json", encoding: .utf8),
              let v = try? JSON.decode(text, file: folder + "/config.json"), let r = v.recordValue,
              r["format"]?.stringValue == "ftsh-run",
              let method = r["method"]?.stringValue, let base = r["base"]?.stringValue else { return nil }
        return RunInfo(method: method, base: base, config: r)
    }
}
