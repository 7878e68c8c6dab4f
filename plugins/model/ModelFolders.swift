import FTCore
import FTEngine
import FTTokenizer
import Foundation

/// The folders a model can be read from and written to:
/// - an HF GPT-2 folder (`config.json`, `model.safetensors`, tokenizer files);
/// - a PEFT adapter folder (`adapter_config.json`, `adapter_model.safetensors`) for LoRA and
///   prompt tuning, on top of the base named in it;
/// - an ftsh weights folder (`ftsh_adapter.json`, `adapter.safetensors`) for bottleneck
///   adapters and partial fine-tuning, which PEFT has no format for (layout in
///   docs/training-formats.md);
/// - a run folder (`config.json` with a `method`, `metrics.csv`), read through its best weights.
public enum ModelFolders {
    public static let ftshConfigFile = "ftsh_adapter.json"
    public static let ftshWeightsFile = "adapter.safetensors"

    /// The bundled base model's folder, if installed.
    public static func bundledTiny(environment: [String: String]) -> String? {
        guard let dir = Paths.shareFile("models/tiny", environment: environment),
              FileManager.default.fileExists(atPath: dir + "/config.json") else { return nil }
        return dir
    }

    /// Resolves a base-model reference as runs and adapter files record it (`tiny` or a folder).
    public static func baseFolder(_ reference: String, relativeTo dir: String, environment: [String: String]) throws(Diagnostic) -> String {
        if reference == "tiny" {
            guard let d = bundledTiny(environment: environment) else {
                throw .error("the bundled model 'tiny' is not installed (share/models/tiny)", id: "model.missing-file")
            }
            return d
        }
        let path = resolvePath(reference, relativeTo: dir)
        guard FileManager.default.fileExists(atPath: path + "/config.json") else {
            throw .error("base model '\(reference)' is not a model folder on this machine", id: "model.missing-base",
                         notes: ["give the base with --base PATH (an HF GPT-2 folder)"])
        }
        return path
    }

    /// Loads whatever `path` holds. `display` is the path as written; `base` overrides the base
    /// model an adapter folder names.
    public static func load(path: String, display: String, base: String? = nil, cwd: String,
                            environment: [String: String]) throws(Diagnostic) -> LocalGPT {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw .error("no model folder at \(display)", id: "model.missing-file",
                         notes: ["give an HF GPT-2 folder, a PEFT adapter folder, a run folder or 'tiny'"])
        }
        if let run = RunInfo.read(folder: path) {
            let weights = ["best", "final"].map { path + "/" + $0 }.first { fm.fileExists(atPath: $0) }
            guard let weights else {
                throw .error("run \(display) has no saved weights yet", id: "train.no-weights",
                             notes: ["'train resume \(display)' continues it"])
            }
            // --base stands in for a base model that has moved since the run.
            let ref = base ?? run.base
            let baseDir = try baseFolder(ref, relativeTo: base != nil ? cwd : path, environment: environment)
            let m = try loadWeights(folder: weights, display: display, baseFolder: baseDir,
                                    baseReference: base == nil || ref == "tiny" ? ref : baseDir)
            m.source = display
            m.runFolder = path
            m.method = run.method
            return m
        }
        if fm.fileExists(atPath: path + "/adapter_config.json") || fm.fileExists(atPath: path + "/" + ftshConfigFile) {
            let named = try adapterBase(folder: path, display: display)
            let ref = base ?? named
            guard let ref, !ref.isEmpty else {
                throw .error("\(display) does not name its base model", id: "model.missing-base",
                             notes: ["give the base with --base PATH"])
            }
            let baseDir = try baseFolder(ref, relativeTo: base != nil ? cwd : path, environment: environment)
            let m = try loadWeights(folder: path, display: display, baseFolder: baseDir,
                                    baseReference: ref == "tiny" ? "tiny" : baseDir)
            m.source = display
            return m
        }
        if base != nil { throw baseUnused(display) }
        let (model, tok, files) = try hfFolder(path, display: display)
        return LocalGPT(model: model, tokenizer: tok, tokenizerFiles: files, source: display, baseReference: path)
    }

    /// A whole model has no base to replace; saying one would silently do nothing.
    public static func baseUnused(_ display: String) -> Diagnostic {
        .error("--base applies to adapter and run folders; \(display) is a whole model", id: "model.base-unused",
               notes: ["drop --base, or give the adapter folder to load on top of it"])
    }

    /// An HF GPT-2 folder with its tokenizer, checked to fit each other.
    public static func hfFolder(_ folder: String, display: String) throws(Diagnostic) -> (GPTModel, GPT2Tokenizer, [String: Data]) {
        let model = try HFCheckpoint.load(folder: folder)
        let (tok, files) = try TokenizerFiles.load(folder: folder, display: display)
        try model.config.checkTokenizer(vocabularySize: tok.vocabularySize, source: display + " tokenizer")
        return (model, tok, files)
    }

    /// The base model an adapter folder names.
    static func adapterBase(folder: String, display: String) throws(Diagnostic) -> String? {
        for file in ["adapter_config.json", ftshConfigFile] {
            let p = folder + "/" + file
            guard let text = try? String(contentsOfFile: p, encoding: .utf8) else { continue }
            let v = try JSON.decode(text, file: display + "/" + file)
            return v["base_model_name_or_path"]?.stringValue ?? v["base_model"]?.stringValue
        }
        return nil
    }

    /// Weights in any of the method formats on top of the base in `baseFolder`. A full
    /// fine-tuning result is itself an HF folder and needs no base.
    public static func loadWeights(folder: String, display: String, baseFolder: String,
                                   baseReference: String) throws(Diagnostic) -> LocalGPT {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder + "/model.safetensors") {
            let (model, tok, files) = try hfFolder(folder, display: display)
            return LocalGPT(model: model, tokenizer: tok, tokenizerFiles: files, source: display,
                            baseReference: baseReference, method: "full")
        }
        let (model, tok, files) = try hfFolder(baseFolder, display: baseReference)
        let out = LocalGPT(model: model, tokenizer: tok, tokenizerFiles: files, source: display, baseReference: baseReference)
        if fm.fileExists(atPath: folder + "/adapter_config.json") {
            try PEFTAdapter.load(folder: folder, into: model)
            out.method = model.prompt != nil ? "prompt" : "lora"
        } else if fm.fileExists(atPath: folder + "/" + ftshConfigFile) {
            out.method = try loadFTSHWeights(folder: folder, display: display, into: model)
        } else {
            throw .error("\(display) holds no model weights", id: "model.missing-file")
        }
        return out
    }

    // MARK: trained weights, per method

    /// Writes a fine-tuned model in its method's format, replacing files in `folder`: a whole HF
    /// folder (`full`), a PEFT adapter folder (`lora`, `prompt`) or ftsh weights (`adapter`,
    /// `partial`). Local runs and `ftsh serve` jobs both save this way.
    public static func saveTrained(_ m: LocalGPT, method: String, to folder: String) throws(Diagnostic) {
        switch method {
        case "full":
            try HFCheckpoint.save(m.model, to: folder, extraFiles: m.tokenizerFiles, overwrite: true)
        case "partial":
            try saveFTSHWeights(m, method: "partial", trained: m.model.trainableParameters, to: folder, overwrite: true)
        case "adapter":
            try saveFTSHWeights(m, method: "adapter", trained: [], to: folder, overwrite: true)
        case "prompt", "lora":
            try PEFTAdapter.save(m.model, to: folder, baseModel: m.baseReference ?? "", overwrite: true)
        default:
            throw .error("unknown fine-tuning method '\(method)'", id: "internal.unknown-method")
        }
    }

    // MARK: ftsh weights (bottleneck adapters, partial fine-tuning)

    /// Writes bottleneck adapters or the trained tensors of a partial run.
    public static func saveFTSHWeights(_ m: LocalGPT, method: String, trained: [Parameter], to folder: String,
                                       overwrite: Bool) throws(Diagnostic) {
        var config: Record = ["format": .string("ftsh-" + method), "base_model": .string(m.baseReference ?? "")]
        let tensors: [Parameter]
        if method == "adapter" {
            let adapters = m.model.adapters
            guard let first = adapters.first else {
                throw .error("the model has no bottleneck adapters to save", id: "model.no-adapter")
            }
            tensors = adapters.flatMap(\.parameters)
            let positions = Set(adapters.map { $0.down.path.split(separator: ".").dropLast().last.map(String.init) ?? "" })
            let layers = Set(m.model.blocks.filter { $0.attnAdapter != nil || $0.mlpAdapter != nil }.map(\.index))
            config["size"] = .int(first.size)
            config["activation"] = .string(first.activation.rawValue)
            config["positions"] = .list(positions.sorted().map { .string($0) })
            config["layers"] = .list(layers.sorted().map { .int($0) })
        } else {
            tensors = trained
            config["tensors"] = .list(trained.map { .string($0.name) })
        }
        let data = SafetensorsFile.encode(tensors.map {
            SafetensorsFile.Tensor(name: $0.name, shape: $0.shape, values: UnsafeBufferPointer($0.values))
        })
        try HFCheckpoint.writeFolder(folder, files: [
            (ftshConfigFile, Data((JSON.encode(.record(config), indent: 2) + "\n").utf8)),
            (ftshWeightsFile, data),
        ], overwrite: overwrite)
    }

    /// Reads an ftsh weights folder onto `model`; returns the method.
    static func loadFTSHWeights(folder: String, display: String, into model: GPTModel) throws(Diagnostic) -> String {
        let cfgPath = folder + "/" + ftshConfigFile
        guard let text = try? String(contentsOfFile: cfgPath, encoding: .utf8) else {
            throw .error("cannot read \(display)/\(ftshConfigFile)", id: "model.missing-file")
        }
        let cfg = try JSON.decode(text, file: display + "/" + ftshConfigFile)
        let file = try SafetensorsFile(path: folder + "/" + ftshWeightsFile)
        let targets: [Parameter]
        switch cfg["format"]?.stringValue {
        case "ftsh-adapter":
            guard let size = cfg["size"]?.intValue, size > 0 else {
                throw .error("\(display)/\(ftshConfigFile): size must be a positive integer", id: "model.bad-adapter")
            }
            let act = BottleneckAdapter.Activation(rawValue: cfg["activation"]?.stringValue ?? "relu") ?? .relu
            let positions = Set((cfg["positions"]?.listValue ?? []).compactMap { $0.stringValue.flatMap(BottleneckAdapter.Position.init(rawValue:)) })
            let layers = cfg["layers"]?.listValue?.compactMap(\.intValue)
            let added = try model.addAdapters(size: size, positions: positions.isEmpty ? [.attention, .mlp] : positions,
                                              activation: act, layers: layers, seed: 0)
            targets = added.flatMap(\.parameters)
        case "ftsh-partial":
            let names = Set((cfg["tensors"]?.listValue ?? []).compactMap(\.stringValue))
            targets = model.baseParameters.filter { names.contains($0.name) }
            guard targets.count == names.count else {
                throw .error("\(display): names tensors this model does not have", id: "model.shape-mismatch")
            }
        default:
            throw .error("\(display)/\(ftshConfigFile): unknown format \(JSON.encode(cfg["format"] ?? .null))",
                         id: "model.bad-adapter")
        }
        for p in targets {
            guard let e = file.entries[p.name] else {
                throw .error("\(display): missing tensor \(p.name)", id: "model.missing-tensor")
            }
            guard e.shape == p.shape else {
                throw .error("\(display): \(p.name) has shape \(e.shape), expected \(p.shape)", id: "model.shape-mismatch")
            }
            try file.read(p.name, into: p.value)
        }
        return cfg["format"]?.stringValue == "ftsh-adapter" ? "adapter" : "partial"
    }
}
