import FTCore
import Foundation

/// PEFT-compatible adapter folders (`adapter_config.json` + `adapter_model.safetensors`) for
/// LoRA and prompt tuning, so `PeftModel.from_pretrained` loads what ftsh trained and back.
/// Bottleneck adapters, which PEFT lacks, use the same layout with `"peft_type": "BOTTLENECK"`.
public enum PEFTAdapter {
    /// Adds `count` trainable virtual-token embeddings in front of every sequence and freezes
    /// everything else. `initTokens` copies those tokens' embeddings (PEFT's TEXT init, ids
    /// repeated or cut to `count`); otherwise rows are N(0,1) like PEFT's RANDOM init.
    public static func addPromptTuning(to model: GPTModel, count: Int, initTokens: [Int]? = nil,
                                       seed: UInt64) throws(Diagnostic) {
        guard model.prompt == nil else { throw .error("the model already has virtual tokens", id: "model.bad-prompt-tuning") }
        guard count > 0, count < model.config.contextLength else {
            throw .error("virtual tokens must number 1..<\(model.config.contextLength)", id: "model.bad-prompt-tuning")
        }
        let c = model.config.embedding
        let p = Parameter(name: "prompt_embeddings", shape: [count, c], decays: false)
        if let ids = initTokens, !ids.isEmpty {
            for i in 0..<count {
                let id = ids[i % ids.count]
                guard id >= 0 && id < model.config.vocabSize else {
                    throw .error("init token \(id) is outside the vocabulary", id: "model.bad-token")
                }
                (p.value + i * c).update(from: model.wte.value + id * c, count: c)
            }
        } else {
            var rng = SeededRandom(seed: seed).derived("prompt-tuning")
            p.fillNormal(std: 1, rng: &rng)
        }
        model.freezeAll()
        model.prompt = p
        p.isTrainable = true
    }

    /// Writes the model's LoRA pairs or virtual tokens as a PEFT adapter folder.
    public static func save(_ model: GPTModel, to folder: String, baseModel: String = "",
                            overwrite: Bool) throws(Diagnostic) {
        var tensors: [SafetensorsFile.Tensor] = []
        let config: Record
        if let first = model.adapters.first {
            // ftsh's own format (PEFT has no bottleneck adapters): same folder layout.
            let adapters = model.adapters
            for a in adapters {
                for p in a.parameters { tensors.append(.init(name: p.name, shape: p.shape, values: UnsafeBufferPointer(p.values))) }
            }
            let positions = BottleneckAdapter.Position.allCases.filter { pos in model.blocks.contains { $0.adapter(at: pos) != nil } }
            let layers = model.blocks.filter { $0.attnAdapter != nil || $0.mlpAdapter != nil }.map(\.index)
            config = [
                "peft_type": "BOTTLENECK", "task_type": "CAUSAL_LM", "base_model_name_or_path": .string(baseModel),
                "adapter_size": .int(first.size), "activation": .string(first.activation.rawValue),
                "positions": .list(positions.map { .string($0.rawValue) }), "layers": .list(layers.map { .int($0) }),
                "format": "ftsh", "inference_mode": true,
            ]
        } else if let prompt = model.prompt {
            tensors.append(.init(name: "prompt_embeddings", shape: prompt.shape, values: UnsafeBufferPointer(prompt.values)))
            config = [
                "peft_type": "PROMPT_TUNING", "task_type": "CAUSAL_LM", "base_model_name_or_path": .string(baseModel),
                "num_virtual_tokens": .int(prompt.shape[0]), "token_dim": .int(model.config.embedding),
                "num_transformer_submodules": 1, "num_attention_heads": .int(model.config.heads),
                "num_layers": .int(model.config.layers), "prompt_tuning_init": "RANDOM", "inference_mode": true,
            ]
        } else {
            let loras = model.blocks.flatMap { b in b.linears.compactMap { l in l.lora.map { (b.index, l, $0) } } }
            guard let first = loras.first?.2 else {
                throw .error("the model has no adapters, LoRA pairs or virtual tokens to save", id: "model.no-adapter")
            }
            var targets = Set<String>()
            for (_, lin, l) in loras {
                tensors.append(.init(name: l.a.name, shape: l.a.shape, values: UnsafeBufferPointer(l.a.values)))
                tensors.append(.init(name: l.b.name, shape: l.b.shape, values: UnsafeBufferPointer(l.b.values)))
                targets.insert(lin.path.split(separator: ".").suffix(2).joined(separator: "."))
            }
            let layers = Set(loras.map(\.0)).sorted()
            // lora_dropout goes through the Float's shortest decimal, so 0.1 is written 0.1.
            config = [
                "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": .string(baseModel),
                "r": .int(first.rank), "lora_alpha": .number(Double(first.alpha)), "lora_dropout": .number(Double(first.dropout.description) ?? 0),
                "target_modules": .list(targets.sorted().map { .string($0) }), "fan_in_fan_out": true,
                "bias": "none", "use_rslora": .bool(first.rsLoRA), "init_lora_weights": true, "inference_mode": true,
                "layers_to_transform": layers.count == model.blocks.count ? .null : .list(layers.map { .int($0) }),
                "modules_to_save": .null, "use_dora": false,
            ]
        }
        try HFCheckpoint.writeFolder(folder, files: [
            ("adapter_config.json", Data((JSON.encode(.record(config), indent: 2) + "\n").utf8)),
            ("adapter_model.safetensors", SafetensorsFile.encode(tensors)),
        ], overwrite: overwrite)
    }

    /// Loads a PEFT LoRA or prompt-tuning folder onto `model` (which must not have adapters yet).
    public static func load(folder: String, into model: GPTModel) throws(Diagnostic) {
        let path = folder + "/adapter_config.json"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .error("cannot read \(path)", id: "model.missing-file")
        }
        guard let cfg = try JSON.decode(text, file: path).recordValue else {
            throw .error("\(path): expected a JSON object", id: "model.bad-adapter")
        }
        let file = try SafetensorsFile(path: folder + "/adapter_model.safetensors")
        guard model.prompt == nil, model.loraModules.isEmpty, model.adapters.isEmpty else {
            throw .error("the model already has adapters", id: "model.has-adapters")
        }
        let trainable = model.parameters.map(\.isTrainable)
        do throws(Diagnostic) {
            try attach(cfg, file: file, folder: folder, path: path, to: model)
        } catch {
            // Leave the model as it was.
            model.prompt = nil
            for b in model.blocks {
                for l in b.linears { l.lora = nil }
                for pos in BottleneckAdapter.Position.allCases { b.setAdapter(nil, at: pos) }
            }
            for (p, t) in zip(model.parameters, trainable) { p.isTrainable = t }
            throw error
        }
    }

    static func attach(_ cfg: Record, file: SafetensorsFile, folder: String, path: String,
                       to model: GPTModel) throws(Diagnostic) {
        switch cfg["peft_type"]?.stringValue {
        case "PROMPT_TUNING":
            guard let e = file.entries["prompt_embeddings"], e.shape.count == 2, e.shape[1] == model.config.embedding else {
                throw .error("\(folder): prompt_embeddings missing or not [n, \(model.config.embedding)]", id: "model.shape-mismatch")
            }
            try addPromptTuning(to: model, count: e.shape[0], seed: 0)
            try file.read("prompt_embeddings", into: model.prompt!.value)
        case "BOTTLENECK":
            guard let size = cfg["adapter_size"]?.intValue, size > 0,
                  let act = BottleneckAdapter.Activation(rawValue: cfg["activation"]?.stringValue ?? "") else {
                throw .error("\(path): adapter_size and activation (relu or gelu) are required", id: "model.bad-adapter")
            }
            let names = (cfg["positions"]?.listValue ?? []).compactMap(\.stringValue)
            let positions = Set(names.compactMap(BottleneckAdapter.Position.init(rawValue:)))
            guard positions.count == names.count, !positions.isEmpty else {
                throw .error("\(path): positions must be attn_adapter and/or mlp_adapter", id: "model.bad-adapter")
            }
            let layers = cfg["layers"]?.listValue?.compactMap(\.intValue)
            let added = try model.addAdapters(size: size, positions: positions, activation: act, layers: layers, seed: 0)
            for p in added.flatMap(\.parameters) {
                guard let e = file.entries[p.name] else {
                    throw .error("\(folder): missing tensor \(p.name)", id: "model.missing-tensor")
                }
                guard e.shape == p.shape else {
                    throw .error("\(folder): \(p.name) has shape \(e.shape), expected \(p.shape)", id: "model.shape-mismatch")
                }
                try file.read(p.name, into: p.value)
            }
        case "LORA":
            guard let r = cfg["r"]?.intValue, r > 0 else { throw .error("\(path): r must be a positive integer", id: "model.bad-adapter") }
            if cfg["use_dora"]?.boolValue == true { throw .error("\(path): DoRA is not supported", id: "model.bad-adapter") }
            let alpha = Float(cfg["lora_alpha"]?.numberValue ?? Double(r))
            var targets = (cfg["target_modules"]?.listValue ?? []).compactMap(\.stringValue)
            if targets.isEmpty, let t = cfg["target_modules"]?.stringValue { targets = [t] }
            let layers = cfg["layers_to_transform"]?.listValue?.compactMap(\.intValue)
            let dropout = Float(cfg["lora_dropout"]?.numberValue ?? 0)
            guard dropout >= 0 && dropout < 1 else {
                throw .error("\(path): lora_dropout must be at least 0 and below 1", id: "model.bad-adapter")
            }
            let added = try model.addLoRA(targets: targets, rank: r, alpha: alpha, layers: layers,
                                          rsLoRA: cfg["use_rslora"]?.boolValue ?? false, dropout: dropout, seed: 0)
            for l in added {
                for p in [l.a, l.b] {
                    guard let e = file.entries[p.name] else {
                        throw .error("\(folder): missing tensor \(p.name)", id: "model.missing-tensor")
                    }
                    guard e.shape == p.shape else {
                        throw .error("\(folder): \(p.name) has shape \(e.shape), expected \(p.shape)", id: "model.shape-mismatch")
                    }
                    try file.read(p.name, into: p.value)
                }
            }
        default:
            throw .error("\(path): unsupported peft_type \(JSON.encode(cfg["peft_type"] ?? .null))",
                         id: "model.bad-adapter", notes: ["ftsh reads LORA and PROMPT_TUNING adapters"])
        }
    }
}
