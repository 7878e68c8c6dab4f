import FTCore
import FTEngine
import FTPluginKit
import Foundation

/// How commands find the model an argument names: a workspace model, `tiny`, or a folder
/// (HF model, PEFT adapter, ftsh weights, run).
public enum ModelArguments {
    public static let argument = ArgumentSpec("model", "A model in the workspace, 'tiny', or a model, adapter or run folder.",
                                              type: .value, completion: .object(kind: "model"))

    /// The model `value` names; `argument` is the argument or flag it came from (for carets).
    public static func resolve(_ value: Value, _ inv: Invocation, _ ctx: CommandContext,
                               argument: String) throws(Diagnostic) -> (name: String, model: LocalGPT) {
        if let (name, entry) = ctx.workspace.lookup(value) {
            guard let m = entry.object as? LocalGPT else {
                throw inv.error("'\(name)' is a \(entry.kind), not a model", id: "workspace.not-a-model", at: argument)
            }
            return (name, m)
        }
        let shown = value.objectValue?.name ?? value.text
        guard !shown.isEmpty else { throw inv.error("name a model", id: "usage.missing-argument", at: argument) }
        if shown == "tiny" || shown.contains("/") || FileManager.default.fileExists(atPath: ctx.resolve(shown)) {
            do {
                return (defaultName(for: shown), try load(shown, base: nil, ctx))
            } catch { throw error.located(inv.location(of: argument)) }
        }
        let names = ctx.workspace.names(kind: "model")
        throw inv.error("no model named '\(shown)' in the workspace", id: "workspace.unknown-model", at: argument,
                        notes: Spelling.nearest(to: shown, in: names).map { ["did you mean '\($0)'?"] }
                            ?? [names.isEmpty ? "load one with 'model load tiny' or 'model load PATH'" : "models: " + names.joined(separator: ", ")])
    }

    /// Loads `tiny` or a folder as written by the person.
    public static func load(_ shown: String, base: String?, _ ctx: CommandContext) throws(Diagnostic) -> LocalGPT {
        if shown == "tiny" {
            if base != nil { throw ModelFolders.baseUnused(shown) }
            guard let dir = ModelFolders.bundledTiny(environment: ctx.environment) else {
                throw .error("the bundled model 'tiny' is not installed (share/models/tiny)", id: "model.missing-file",
                             notes: ["'model new' makes a small random model instead"])
            }
            let (model, tok, files) = try ModelFolders.hfFolder(dir, display: "tiny")
            return LocalGPT(model: model, tokenizer: tok, tokenizerFiles: files, source: "tiny", baseReference: "tiny")
        }
        return try ModelFolders.load(path: ctx.resolve(shown), display: shown, base: base.map { ctx.resolve($0) },
                                     cwd: ctx.workingDirectory, environment: ctx.environment)
    }

    /// Runs `body`, pointing an error without a location at the named argument or flag.
    public static func located<T>(_ inv: Invocation, _ name: String, _ body: () throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        do { return try body() } catch { throw error.located(inv.location(of: name)) }
    }

    /// `runs/lora-1/` → `lora-1`; `tiny` → `tiny`.
    public static func defaultName(for shown: String) -> String {
        let trimmed = shown.hasSuffix("/") ? String(shown.dropLast()) : shown
        let last = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
        return last.isEmpty ? "model" : last
    }

    /// Stores a model in the workspace and returns its handle.
    @discardableResult
    public static func put(_ m: LocalGPT, name: String, _ ctx: CommandContext) -> Value {
        // A model at rest keeps no gradient buffers (half its memory again); training works on
        // a copy and decides what trains. Attached modules stay trainable, as PEFT loads them.
        if !m.hasModules { m.model.freezeAll() }
        return ctx.workspace.put(m, kind: "model", name: name, summary: m.summary())
    }
}
