import FTCore
import FTPluginKit
import Foundation

/// Where `eval curve` reads a training log from.
enum CurveSource: Equatable {
    /// A metrics CSV: as the person named it, and its path.
    case file(shown: String, path: String)
    /// A hosted fine-tuning job, by id.
    case job(id: String)
}

extension EvalPlugin {
    /// SOURCE as `eval curve` takes it: a job record or id, a training result record, a
    /// workspace model trained in a run folder, or a CSV file or run folder.
    static func curveSource(_ inv: Invocation, _ ctx: CommandContext) throws(Diagnostic) -> CurveSource {
        let v = inv["source"]
        if case .record(let r) = v {
            if let id = jobID(r) { return .job(id: id) }
            // What `train METHOD` returns: the run folder is under "run".
            if let run = r["run"]?.stringValue, r["method"] != nil {
                return try runFolder(shown: run, path: ctx.resolve(run), inv)
            }
            throw inv.error("this record is neither a fine-tuning job nor a training run", id: "eval.unsupported-source", at: "source",
                            notes: ["give a job ('job get ID'), a run folder, a trained model or a metrics CSV"])
        }
        if let (name, entry) = ctx.workspace.lookup(v) {
            switch entry.kind {
            case "model", "run":
                guard let folder = runFolder(of: entry.object) else {
                    throw inv.error("'\(name)' is a model that was not trained in a run folder, so it has no training log",
                                    id: "eval.no-metrics", at: "source",
                                    notes: ["curves come from 'train' runs, their run folders, metrics CSVs and hosted jobs"])
                }
                let shown = entry.summary["source"]?.stringValue ?? name
                return try runFolder(shown: shown, path: folder, inv)
            case "job":
                if let id = jobID(entry.object) { return .job(id: id) }
                fallthrough
            default:
                throw inv.error("'\(name)' (a workspace \(entry.kind)) has no training log", id: "eval.unsupported-source",
                                at: "source", notes: ["give a run folder, a trained model, a metrics CSV or a fine-tuning job"])
            }
        }
        let shown = v.text
        let path = ctx.resolve(shown)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            if isJobID(shown) { return .job(id: shown) }
            throw inv.error("no such file or folder: \(shown)", id: "eval.missing-file", at: "source",
                            notes: ["a hosted job is named by its id, ftjob-…"])
        }
        if isDir.boolValue { return try runFolder(shown: shown, path: path, inv) }
        return .file(shown: shown, path: path)
    }

    /// `metrics.csv` in a run folder.
    static func runFolder(shown: String, path: String, _ inv: Invocation) throws(Diagnostic) -> CurveSource {
        let csv = path + "/metrics.csv"
        guard FileManager.default.fileExists(atPath: csv) else {
            throw inv.error("\(shown) holds no metrics.csv", id: "eval.missing-file", at: "source",
                            notes: ["a run folder keeps its per-step losses in metrics.csv"])
        }
        return .file(shown: (shown.hasSuffix("/") ? shown : shown + "/") + "metrics.csv", path: csv)
    }

    static func isJobID(_ s: String) -> Bool {
        s.hasPrefix("ftjob-") && s.count > 6 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// The id of a job record (as 'job create' and 'job get' return it) or of a job kept as a string.
    static func jobID(_ object: Any) -> String? {
        switch object {
        case let r as Record:
            guard let id = r["id"]?.stringValue else { return nil }
            return r["object"]?.stringValue == "fine_tuning.job" || isJobID(id) ? id : nil
        case let v as Value:
            if case .record(let r) = v { return jobID(r) }
            return v.stringValue.flatMap { isJobID($0) ? $0 : nil }
        case let s as String:
            return isJobID(s) ? s : nil
        default:
            return nil
        }
    }

    /// The run folder a workspace model was trained in, if it says (models of the model
    /// plugin do, through `RunFolderHolder`).
    static func runFolder(of object: Any) -> String? {
        (object as? RunFolderHolder)?.runFolder
    }
}

/// A workspace object that may come from a training run. The model plugin builds on this
/// one, so its model type cannot be named here; it declares the conformance instead.
public protocol RunFolderHolder {
    /// The run folder whose `metrics.csv` holds the training log, if there is one.
    var runFolder: String? { get }
}
