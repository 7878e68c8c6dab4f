import FTCore
import FTData
import FTOpenAI
import FTPluginKit
import Foundation

/// `file upload|list|get|delete|download`.
enum FileCommands {
    static var all: [CommandSpec] { [upload, list, get, delete, download] }

    static let upload = CommandSpec(
        ["file", "upload"], summary: "Upload a JSONL file for fine-tuning (checked first).",
        discussion: "Runs the same checks as 'data check' and refuses a file with errors unless --force. The file is streamed from disk; the API takes files up to 512 MB.",
        arguments: [ArgumentSpec("path", "JSONL file to upload.", type: .path, completion: .file(extensions: ["jsonl"]))],
        flags: [FlagSpec("purpose", "What the file is for.", type: .choice(["fine-tune", "batch", "evals", "user_data"]), default: "fine-tune"),
                FlagSpec("model", "Model whose limits the check applies.", type: .string),
                FlagSpec("force", "Upload even when the check finds errors.")],
        examples: ["file upload @share/data/qa-en.jsonl", "set f = file upload train.jsonl --force"],
        display: .custom { v, _ in
            guard let f = try? OpenAIFile(v) else { return Show.raw(v) }
            return "uploaded \(f.filename ?? "file") as \(f.id) (\(Show.bytes(f.bytes)), \(f.purpose ?? "-"))"
        }
    ) { inv, ctx in
        let shown = inv.string("path")!
        let f = try await uploadChecked(path: ctx.resolve(shown), shownAs: shown, purpose: inv.string("purpose") ?? "fine-tune",
                                        model: inv.string("model"), force: inv.flag("force"), inv: inv, at: "path", ctx: ctx)
        return f.value
    }

    /// Checks (for fine-tuning files) and uploads; shared with `job create`.
    /// `checkName` is what to name in messages when the file stands for something else (a
    /// dataset of the session written out for the upload).
    static func uploadChecked(path: String, shownAs shown: String, checkName: String? = nil, purpose: String, model: String?,
                              force: Bool, inv: Invocation, at argument: String, ctx: CommandContext) async throws -> OpenAIFile {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw inv.error("no such file: \(shown)", id: "io.not-found", at: argument)
        }
        guard !isDir.boolValue else {
            throw inv.error("\(shown) is a folder; give a .jsonl file", id: "io.is-directory", at: argument)
        }
        let client = try ClientFactory.client(ctx, inv: inv)
        if purpose == "fine-tune" {
            try check(path: path, shownAs: shown, checkName: checkName, model: model, force: force, inv: inv, at: argument, ctx: ctx)
        }
        return try await ClientFactory.call(inv, at: argument) { () async throws(OpenAIError) -> OpenAIFile in
            try await client.uploadFile(path: path, purpose: purpose, filename: URL(fileURLWithPath: shown).lastPathComponent)
        }
    }

    /// `data check`'s rules over the file. Token limits are checked when the model's encoding
    /// is installed; without it the format rules still run.
    static func check(path: String, shownAs shown: String, checkName: String? = nil, model: String?, force: Bool,
                      inv: Invocation, at argument: String, ctx: CommandContext) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        if size > OpenAIClient.maxUploadBytes { return } // the client refuses it with the size in the message
        let prices = (try? PriceTable.standard(paths: Paths(environment: ctx.environment))) ?? .builtin
        var options = CheckOptions(model: model, prices: prices)
        options.counter = try? prices.encoding(for: model)
        let report = try DataCheck.check(path: path, display: shown, options: options)
        if report.errorCount > 0 {
            let first = report.firstError.map { DiagnosticPrinter.plain.format($0).replacingOccurrences(of: "error: ", with: "") } ?? ""
            if !force {
                throw inv.error("\(checkName ?? shown) has \(report.errorCount) error(s), first: \(first); fix them (data check \(checkName ?? shown)) or add --force",
                                id: "openai.data-errors", at: argument)
            }
            ctx.report(.warning("uploading \(shown) with \(report.errorCount) error(s) (--force)", id: "openai.data-errors"))
        } else if let first = report.findings.first(where: { $0.severity == .warning }) {
            // Say what the warning is: `data check` with its default model may not repeat it
            // (an unknown model such as a local server's is only a warning here).
            let more = report.warningCount > 1 ? " (and \(report.warningCount - 1) more; see 'data check \(checkName ?? shown)')" : ""
            ctx.report(.warning("\(checkName ?? shown): \(first.message) (\(first.id))\(more)", id: "openai.data-warnings"))
        }
    }

    static let list = CommandSpec(
        ["file", "list"], summary: "List uploaded files.",
        flags: [FlagSpec("purpose", "Only files with this purpose.", type: .string)],
        examples: ["file list", "file list --purpose fine-tune"]
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        let files = try await ClientFactory.call(inv) { () async throws(OpenAIError) -> [OpenAIFile] in
            try await client.allFiles(purpose: inv.string("purpose"))
        }
        return .list(files.map(Show.fileRow))
    }

    static let get = CommandSpec(
        ["file", "get"], summary: "Show one uploaded file.",
        arguments: [ArgumentSpec("id", "File id (file-…).")], examples: ["file get file-abc123"]
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        return try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> Value in
            try await client.file(inv.string("id")!).value
        }
    }

    static let delete = CommandSpec(
        ["file", "delete"], summary: "Delete an uploaded file.",
        arguments: [ArgumentSpec("id", "File id (file-…).")], examples: ["file delete file-abc123"]
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        return try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> Value in
            try await client.deleteFile(inv.string("id")!).value
        }
    }

    static let download = CommandSpec(
        ["file", "download"], summary: "Save a file's content (base64 content is decoded).",
        arguments: [ArgumentSpec("id", "File id (file-…)."),
                    ArgumentSpec("path", "Where to save it (default: the file's own name here).", type: .path, optional: true)],
        flags: [FlagSpec("force", "Replace an existing file.")],
        examples: ["file download file-abc123", "file download file-abc123 results.csv --force"]
    ) { inv, ctx in
        let client = try ClientFactory.client(ctx, inv: inv)
        let id = inv.string("id")!
        let shown: String
        if let p = inv.string("path") { shown = p } else {
            let meta = try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> OpenAIFile in try await client.file(id) }
            shown = URL(fileURLWithPath: meta.filename ?? id).lastPathComponent
        }
        let result = try await ClientFactory.call(inv, at: "id") { () async throws(OpenAIError) -> DownloadResult in
            try await client.downloadFile(id, to: ctx.resolve(shown), overwrite: inv.flag("force"))
        }
        return .record(Record([("file", .string(id)), ("path", .string(shown)), ("bytes", .int(Int(result.bytes))),
                               ("base64_decoded", .bool(result.decodedBase64))]))
    }
}

