import FTCore
import FTEngine
import FTTokenizer
import Foundation

/// A GPT model held in the session (workspace kind `model`): the network, the tokenizer that
/// goes with it, and where it came from, so it can be saved, trained on or reloaded.
public final class LocalGPT: @unchecked Sendable {
    public let model: GPTModel
    public let tokenizer: GPT2Tokenizer
    /// The tokenizer's own files (`vocab.json` + `merges.txt`, or `tokenizer.json`), written
    /// beside the weights whenever the model is saved, so the folder is complete.
    public let tokenizerFiles: [String: Data]
    /// How the person named its origin: `tiny`, a folder, `new`, a run folder.
    public var source: String
    /// The base model to record in adapter files and run configurations: `tiny` or an
    /// absolute folder; nil when the weights exist only in this session.
    public var baseReference: String?
    /// The training method whose modules are attached (`lora`, `prompt`, `adapter`), or whose
    /// run produced these weights (`full`, `partial`).
    public var method: String?
    /// The run folder these weights come from.
    public var runFolder: String?

    public init(model: GPTModel, tokenizer: GPT2Tokenizer, tokenizerFiles: [String: Data], source: String,
                baseReference: String? = nil, method: String? = nil, runFolder: String? = nil) {
        self.model = model
        self.tokenizer = tokenizer
        self.tokenizerFiles = tokenizerFiles
        self.source = source
        self.baseReference = baseReference
        self.method = method
        self.runFolder = runFolder
    }

    public var config: GPTConfig { model.config }

    /// The id that ends a text and pads batches.
    public var endOfText: Int? { tokenizer.endOfTextID ?? model.config.eosTokenId }

    /// Whether LoRA pairs, virtual tokens or bottleneck adapters are attached.
    public var hasModules: Bool { !model.loraModules.isEmpty || model.prompt != nil || !model.adapters.isEmpty }

    /// A fresh copy of the base network (attached modules left out), for training without
    /// touching this one.
    public func baseCopy() throws(Diagnostic) -> GPTModel {
        let m = try GPTModel(config: model.config)
        for (a, b) in zip(m.baseParameters, model.baseParameters) { a.copy(from: b) }
        return m
    }

    /// What a listing shows about it.
    public func summary() -> Record {
        let c = model.config
        var r: Record = [
            "layers": .int(c.layers), "heads": .int(c.heads), "dims": .int(c.embedding),
            "vocab": .int(c.vocabSize), "context": .int(c.contextLength),
            "params": .int(model.parameterCount), "trainable": .int(model.trainableCount),
        ]
        if let method { r["method"] = .string(method) }
        r["source"] = .string(source)
        return r
    }

    /// PEFT's `print_trainable_parameters` line, digit for digit:
    /// `trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364`.
    public static func trainableLine(trainable: Int, all: Int) -> String {
        let pct = all > 0 ? 100 * Double(trainable) / Double(all) : 0
        return "trainable params: \(grouped(trainable)) || all params: \(grouped(all)) || trainable%: "
            + String(format: "%.4f", pct)
    }

    /// 1234567 → "1,234,567".
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// A fingerprint of the base weights and shape: a run records it, and resuming on another
    /// base is refused. A strided sample keeps it cheap for large models.
    public static func fingerprint(_ model: GPTModel) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ x: UInt64) { h = (h ^ x) &* 0x0000_0100_0000_01B3 }
        for p in model.baseParameters {
            for s in p.shape { mix(UInt64(s)) }
            let stride = max(1, p.count / 4096)
            var i = 0
            while i < p.count { mix(UInt64(p.value[i].bitPattern)); i += stride }
        }
        return String(h, radix: 16)
    }
}

/// Tokenizer folders: reading a model's tokenizer with its files, or making the byte-level
/// one that `model new` uses when no tokenizer is given.
public enum TokenizerFiles {
    /// The tokenizer in `folder` and the bytes of the files it came from.
    public static func load(folder: String, display: String) throws(Diagnostic) -> (GPT2Tokenizer, [String: Data]) {
        let fm = FileManager.default
        var files: [String: Data] = [:]
        if let d = fm.contents(atPath: folder + "/tokenizer.json") {
            files["tokenizer.json"] = d
        } else if let v = fm.contents(atPath: folder + "/vocab.json"), let m = fm.contents(atPath: folder + "/merges.txt") {
            files["vocab.json"] = v
            files["merges.txt"] = m
        } else {
            throw .error("\(display) has no tokenizer (tokenizer.json, or vocab.json and merges.txt)", id: "model.missing-file")
        }
        // Settings files are carried along so the saved folder reads the same in transformers.
        for extra in ["tokenizer_config.json", "special_tokens_map.json", "generation_config.json"] {
            if let d = fm.contents(atPath: folder + "/" + extra) { files[extra] = d }
        }
        return (try GPT2Tokenizer.load(folder: folder), files)
    }

    /// GPT-2's printable stand-ins for the 256 byte values (the byte-level alphabet).
    static func byteAlphabet() -> [String] {
        var bytes = Array(33...126) + Array(161...172) + Array(174...255)
        var chars = bytes
        var extra = 0
        for b in 0..<256 where !bytes.contains(b) {
            bytes.append(b)
            chars.append(256 + extra)
            extra += 1
        }
        var map = [String](repeating: "", count: 256)
        for (b, c) in zip(bytes, chars) { map[b] = String(Character(Unicode.Scalar(UInt32(c))!)) }
        return map
    }

    /// A tokenizer with one token per byte and `<|endoftext|>` as id 256: no merges, so every
    /// text of any language encodes, one byte per token.
    public static func bytes() throws(Diagnostic) -> (GPT2Tokenizer, [String: Data]) {
        let alphabet = byteAlphabet()
        var json = "{"
        for (i, s) in alphabet.enumerated() { json += JSON.quote(s) + ": \(i), " }
        json += JSON.quote("<|endoftext|>") + ": 256}\n"
        let files = ["vocab.json": Data(json.utf8), "merges.txt": Data("#version: 0.2\n".utf8)]
        let dir = NSTemporaryDirectory() + "ftsh-bytes-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw .error("cannot create a temporary folder: \(error.localizedDescription)", id: "io.write")
        }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, data) in files { try AtomicFile.write(data, to: dir + "/" + name, overwrite: true) }
        return (try GPT2Tokenizer.load(folder: dir), files)
    }
}
