import FTCore
import Foundation

/// HF GPT-2 model folders: `config.json` plus `model.safetensors`, the layout transformers
/// writes with `save_pretrained` and reads with `from_pretrained`.
public enum HFCheckpoint {
    /// Buffers of an older GPT-2 export and the tied output layer, none of which hold weights
    /// ftsh needs.
    static func isIgnorable(_ key: String) -> Bool {
        key.hasSuffix(".attn.bias") || key.hasSuffix(".attn.masked_bias") || key == "lm_head.weight"
    }

    /// Loads a model folder. Every check runs before the model is returned; nothing is written.
    public static func load(folder: String) throws(Diagnostic) -> GPTModel {
        let configPath = folder + "/config.json"
        guard FileManager.default.fileExists(atPath: folder) else {
            throw .error("no model folder at \(folder)", id: "model.missing-file")
        }
        guard let text = try? String(contentsOfFile: configPath, encoding: .utf8) else {
            throw .error("cannot read \(configPath)", id: "model.missing-file",
                         notes: ["a model folder holds config.json and model.safetensors"])
        }
        let config = try GPTConfig.fromHF(json: text, file: configPath)
        let weightsPath = folder + "/model.safetensors"
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            let notes = FileManager.default.fileExists(atPath: folder + "/pytorch_model.bin")
                ? ["pytorch_model.bin (pickle) is not read; convert it to model.safetensors"] : []
            throw .error("missing \(weightsPath)", id: "model.missing-file", notes: notes)
        }
        let file = try SafetensorsFile(path: weightsPath)
        let model = try GPTModel(config: config)
        try loadWeights(into: model, from: file)
        return model
    }

    /// Fills the base tensors of `model` from `file`, accepting keys with or without the
    /// `transformer.` prefix, checking every shape first.
    public static func loadWeights(into model: GPTModel, from file: SafetensorsFile) throws(Diagnostic) {
        var plan: [(Parameter, String)] = []
        var used = Set<String>()
        for p in model.baseParameters {
            let short = String(p.name.dropFirst("transformer.".count))
            guard let key = [p.name, short].first(where: { file.entries[$0] != nil }) else {
                throw .error("\(file.path): missing tensor \(p.name)", id: "model.missing-tensor")
            }
            let e = file.entries[key]!
            guard e.shape == p.shape else {
                throw .error("\(file.path): \(key) has shape \(e.shape) but config.json implies \(p.shape)",
                             id: "model.shape-mismatch")
            }
            plan.append((p, key))
            used.insert(key)
        }
        let unexpected = file.names.filter { !used.contains($0) && !isIgnorable($0) }
        if !unexpected.isEmpty {
            throw .error("\(file.path): unexpected tensors \(unexpected.prefix(3).joined(separator: ", "))"
                         + (unexpected.count > 3 ? " and \(unexpected.count - 3) more" : ""),
                         id: "model.unexpected-tensor", notes: ["ftsh reads GPT2LMHeadModel checkpoints"])
        }
        for (p, key) in plan { try file.read(key, into: p.value) }
        for p in model.baseParameters {
            for i in 0..<p.count where !p.value[i].isFinite {
                throw .error("\(file.path): \(p.name) holds a non-finite value", id: "model.bad-safetensors")
            }
        }
    }

    /// Writes `config.json` and `model.safetensors` (plus `extraFiles`, e.g. tokenizer files,
    /// name → bytes) into `folder`. A new folder appears complete or not at all; an existing one
    /// is only written into with `overwrite`, file by file, each atomically.
    public static func save(_ model: GPTModel, to folder: String, dtype: SafetensorsFile.DType = .f32,
                            extraFiles: [String: Data] = [:], overwrite: Bool) throws(Diagnostic) {
        guard model.loraModules.isEmpty, model.adapters.isEmpty, model.prompt == nil else {
            throw .error("the model has adapters or virtual tokens; save them as an adapter (LoRA can be merged first)",
                         id: "model.has-adapters")
        }
        let tensors = model.baseParameters.map {
            SafetensorsFile.Tensor(name: $0.name, shape: $0.shape, values: UnsafeBufferPointer($0.values))
        }
        var files: [(String, Data)] = [("config.json", Data(model.config.hfJSON(dtype: dtype).utf8)),
                                       ("model.safetensors", SafetensorsFile.encode(tensors, dtype: dtype))]
        for k in extraFiles.keys.sorted() { files.append((k, extraFiles[k]!)) }
        try writeFolder(folder, files: files, overwrite: overwrite)
    }

    /// Writes a set of files as one folder: into a hidden sibling first, renamed into place.
    public static func writeFolder(_ folder: String, files: [(String, Data)], overwrite: Bool) throws(Diagnostic) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: folder, isDirectory: &isDir) {
            guard isDir.boolValue else { throw .error("\(folder) exists and is not a folder", id: "io.exists") }
            guard overwrite else {
                throw .error("\(folder) already exists; add --force to overwrite it", id: "io.exists")
            }
            for (name, data) in files { try AtomicFile.write(data, to: folder + "/" + name, overwrite: true) }
            return
        }
        let url = URL(fileURLWithPath: folder)
        let parent = url.deletingLastPathComponent().path
        let tmp = parent + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        do {
            try? fm.removeItem(atPath: tmp)
            try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        } catch {
            throw .error("cannot create \(folder): \(error.localizedDescription)", id: "io.write")
        }
        do throws(Diagnostic) {
            for (name, data) in files { try AtomicFile.write(data, to: tmp + "/" + name, overwrite: true) }
            guard rename(tmp, folder) == 0 else {
                throw Diagnostic.error("cannot move the new model into \(folder): \(String(cString: strerror(errno)))",
                                       id: "io.write")
            }
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw error
        }
    }
}
