import FTCore
import FTEngine
import Foundation

/// The values behind `model info`, `model next` and `model merge`.
public enum ModelReport {
    public static func info(name: String, _ m: LocalGPT) -> Value {
        let model = m.model, c = model.config
        var r: Record = ["name": .string(name), "source": .string(m.source)]
        if let method = m.method { r["method"] = .string(method) }
        if m.method != nil, var base = m.baseReference, base != m.source {
            // A base kept inside the run folder is named through the run, as the person wrote it.
            if let run = m.runFolder, base.hasPrefix(run + "/") { base = m.source + base.dropFirst(run.count) }
            r["base"] = .string(base)
        }
        r["architecture"] = .record([
            "layers": .int(c.layers), "heads": .int(c.heads), "dims": .int(c.embedding), "head_size": .int(c.headSize),
            "inner": .int(c.inner), "vocab": .int(c.vocabSize), "context": .int(c.contextLength),
            "tokenizer_vocab": .int(m.tokenizer.vocabularySize),
        ])
        func group(_ part: String, _ ps: [Parameter]) -> Value {
            .record(["part": .string(part), "tensors": .int(ps.count), "params": .int(ps.reduce(0) { $0 + $1.count }),
                     "trainable": .int(ps.filter { $0.isTrainable || !m.hasModules }.reduce(0) { $0 + $1.count })])
        }
        var groups: [Value] = [group("embeddings (wte, wpe)", [model.wte, model.wpe])]
        if let p = model.prompt { groups.append(group("virtual tokens", [p])) }
        let blockBase = model.blocks.flatMap(\.baseParameters)
        groups.append(group("blocks (\(c.layers) × attention + MLP)", blockBase))
        let loras = model.loraModules
        if !loras.isEmpty { groups.append(group("LoRA (\(loras.count) modules)", loras.flatMap { [$0.a, $0.b] })) }
        let adapters = model.adapters
        if !adapters.isEmpty { groups.append(group("bottleneck adapters (\(adapters.count))", adapters.flatMap(\.parameters))) }
        groups.append(group("final layer norm", [model.lnfWeight, model.lnfBias]))
        r["parts"] = .list(groups)
        var modules = Record()
        if let l = loras.first {
            let targets = Set(model.blocks.flatMap { b in b.linears.filter { $0.lora != nil }.map {
                $0.path.split(separator: ".").suffix(2).joined(separator: ".") } })
            modules["lora"] = .record(["modules": .int(loras.count), "rank": .int(l.rank), "alpha": .number(Double(l.alpha)),
                                       "scaling": .number(Double(l.scale)), "rslora": .bool(l.rsLoRA),
                                       "targets": .list(targets.sorted().map { .string($0) })])
        }
        if let p = model.prompt { modules["prompt_tuning"] = .record(["virtual_tokens": .int(p.shape[0])]) }
        if let a = adapters.first {
            modules["adapters"] = .record(["count": .int(adapters.count), "bottleneck": .int(a.size),
                                           "activation": .string(a.activation.rawValue)])
        }
        if !modules.isEmpty { r["modules"] = .record(modules) }
        // A plain model trains whole (full fine-tuning); with modules, only they train.
        let all = model.parameterCount, trainable = m.hasModules ? model.trainableCount : all
        r["trainable"] = .int(trainable)
        r["all"] = .int(all)
        r["trainable_percent"] = .number(all > 0 ? 100 * Double(trainable) / Double(all) : 0)
        r["peft_line"] = .string(LocalGPT.trainableLine(trainable: trainable, all: all))
        r["weights_bytes"] = .int(4 * all)
        return .record(r)
    }

    /// A copy of `m`'s network with every LoRA pair folded into its base weight.
    public static func merged(_ m: LocalGPT) throws(Diagnostic) -> GPTModel {
        let out = try m.baseCopy()
        for (b, blk) in m.model.blocks.enumerated() {
            for (k, lin) in blk.linears.enumerated() {
                guard let l = lin.lora else { continue }
                let suffix = lin.path.split(separator: ".").suffix(2).joined(separator: ".")
                let added = try out.addLoRA(targets: [suffix], rank: l.rank, alpha: l.alpha, layers: [b], rsLoRA: l.rsLoRA, seed: 0)
                guard let target = out.blocks[b].linears[k].lora, added.count == 1 else {
                    throw .error("cannot place LoRA of \(lin.path) on the copy", id: "internal.merge")
                }
                target.a.copy(from: l.a)
                target.b.copy(from: l.b)
            }
        }
        out.mergeLoRA()
        out.setTrainable { _ in false }
        return out
    }

    /// The largest |logit difference| between two models over a probe text, position by position.
    public static func maxLogitDifference(_ m: LocalGPT, _ other: GPTModel) throws(Diagnostic) -> Float {
        var ids = m.tokenizer.encode("Fine-tuning adapts a pretrained model. 미세 조정은 사전 학습된 모델을 맞춘다.")
        let room = min(m.config.contextLength - (m.model.prompt?.shape[0] ?? 0), 48)
        if ids.count > room { ids.removeLast(ids.count - room) }
        let g1 = Generator(model: m.model, capacity: ids.count + (m.model.prompt?.shape[0] ?? 0))
        let g2 = Generator(model: other, capacity: ids.count)
        var worst: Float = 0
        for id in ids {
            let a = try g1.feed([id]), b = try g2.feed([id])
            for i in 0..<a.count { worst = max(worst, abs(a[i] - b[i])) }
        }
        return worst
    }

    /// Probabilities of the token after `ids`, the `top` most likely first.
    public static func nextTokens(name: String, _ m: LocalGPT, ids: [Int], top: Int) throws(Diagnostic) -> Value {
        let virtual = m.model.prompt?.shape[0] ?? 0
        guard ids.count + virtual <= m.config.contextLength else {
            throw .error("\(ids.count) tokens exceed the model's context of \(m.config.contextLength)", id: "model.too-long")
        }
        let g = Generator(model: m.model, capacity: ids.count + virtual)
        let logits = try g.feed(ids)
        let maxLogit = logits.max() ?? 0
        var total = 0.0
        for x in logits { total += exp(Double(x - maxLogit)) }
        let order = Array(logits.indices).sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        var rows: [Value] = []
        var entropy = 0.0
        for x in logits {
            let p = exp(Double(x - maxLogit)) / total
            if p > 0 { entropy -= p * log(p) }
        }
        for (rank, id) in order.prefix(top).enumerated() {
            rows.append(.record([
                "rank": .int(rank + 1), "id": .int(id), "token": .string(tokenText(m, id)),
                "probability": .number(exp(Double(logits[id] - maxLogit)) / total), "logit": .number(Double(logits[id])),
            ]))
        }
        return .record(["model": .string(name), "context_tokens": .int(ids.count),
                        "last_token": .string(tokenText(m, ids.last!)), "entropy": .number(entropy), "top": .list(rows)])
    }

    /// A token's text for display: invisible characters spelled out, partial UTF-8 as bytes.
    static func tokenText(_ m: LocalGPT, _ id: Int) -> String {
        guard let bytes = m.tokenizer.tokenBytes(id) else { return "<\(id)>" }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            return bytes.map { String(format: "<%02X>", $0) }.joined()
        }
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case " ": out += "␣"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
