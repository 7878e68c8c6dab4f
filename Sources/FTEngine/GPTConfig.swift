import FTCore

/// The shape of a GPT-2-style decoder. Field names follow HF's `config.json` for GPT-2
/// (`n_layer`, `n_head`, `n_embd`, `n_positions`, `n_inner`, `layer_norm_epsilon`).
public struct GPTConfig: Sendable, Equatable {
    public var vocabSize: Int
    public var contextLength: Int
    public var layers: Int
    public var heads: Int
    public var embedding: Int
    /// Hidden width of the MLP (HF's `n_inner`; `nil` there means 4·n_embd).
    public var inner: Int
    public var layerNormEpsilon: Double
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    public var padTokenId: Int?

    public init(vocabSize: Int, contextLength: Int, layers: Int, heads: Int, embedding: Int,
                inner: Int? = nil, layerNormEpsilon: Double = 1e-5,
                bosTokenId: Int? = nil, eosTokenId: Int? = nil, padTokenId: Int? = nil) {
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.layers = layers
        self.heads = heads
        self.embedding = embedding
        self.inner = inner ?? 4 * embedding
        self.layerNormEpsilon = layerNormEpsilon
        self.bosTokenId = bosTokenId
        self.eosTokenId = eosTokenId
        self.padTokenId = padTokenId
    }

    /// GPT-2 small (124M) as published.
    public static let gpt2 = GPTConfig(vocabSize: 50257, contextLength: 1024, layers: 12, heads: 12,
                                       embedding: 768, bosTokenId: 50256, eosTokenId: 50256)

    public var headSize: Int { embedding / heads }

    /// Checks the numbers make a model; `source` names the file in messages.
    public func validate(source: String = "config") throws(Diagnostic) {
        func bad(_ m: String) -> Diagnostic { .error("\(source): \(m)", id: "model.bad-config") }
        for (name, v) in [("vocab_size", vocabSize), ("n_positions", contextLength), ("n_layer", layers),
                          ("n_head", heads), ("n_embd", embedding), ("n_inner", inner)] where v <= 0 {
            throw bad("\(name) must be positive, got \(v)")
        }
        if embedding % heads != 0 { throw bad("n_embd \(embedding) is not a multiple of n_head \(heads)") }
        if vocabSize > Int(Int32.max) || contextLength > 1 << 20 || embedding > 1 << 16 || layers > 1024 {
            throw bad("sizes are implausibly large")
        }
        if !(layerNormEpsilon > 0) { throw bad("layer_norm_epsilon must be positive") }
        for (name, id) in [("bos_token_id", bosTokenId), ("eos_token_id", eosTokenId), ("pad_token_id", padTokenId)] {
            if let id, id < 0 || id >= vocabSize { throw bad("\(name) \(id) is outside the vocabulary (\(vocabSize))") }
        }
    }

    /// Checks that a tokenizer with `vocabularySize` ids (special tokens included) fits this
    /// model's embedding table; ids past the table would index rows that do not exist.
    public func checkTokenizer(vocabularySize: Int, source: String = "tokenizer") throws(Diagnostic) {
        guard vocabularySize <= vocabSize else {
            throw .error("\(source) has \(vocabularySize) tokens but the model's vocabulary holds \(vocabSize)",
                         id: "model.tokenizer-mismatch",
                         notes: ["load the tokenizer that was saved with this model"])
        }
    }

    /// Parameter count of the base model (tied embeddings counted once).
    public var parameterCount: Int {
        let c = embedding, h = inner
        let block = 2 * c + (c * 3 * c + 3 * c) + (c * c + c) + 2 * c + (c * h + h) + (h * c + c)
        return vocabSize * c + contextLength * c + layers * block + 2 * c
    }

    // MARK: HF config.json

    /// Reads an HF GPT-2 `config.json`. Rejects other architectures and GPT-2 options this
    /// engine does not compute, rather than silently computing something else.
    public static func fromHF(json text: String, file: String = "config.json") throws(Diagnostic) -> GPTConfig {
        let v = try JSON.decode(text, file: file)
        guard let r = v.recordValue else {
            throw .error("\(file): expected a JSON object", id: "model.bad-config")
        }
        func bad(_ m: String, _ id: String = "model.bad-config") -> Diagnostic { .error("\(file): \(m)", id: id) }
        if let mt = r["model_type"], mt != .null {
            guard mt.stringValue == "gpt2" else {
                throw bad("unsupported model_type \(JSON.encode(mt)); ftsh trains GPT-2 models", "model.unsupported-architecture")
            }
        } else if let arch = r["architectures"]?.listValue?.first?.stringValue, !arch.hasPrefix("GPT2") {
            throw bad("unsupported architecture \(arch); ftsh trains GPT-2 models", "model.unsupported-architecture")
        }
        func int(_ key: String, _ aliases: [String] = [], default d: Int? = nil) throws(Diagnostic) -> Int {
            for k in [key] + aliases {
                if let x = r[k], x != .null {
                    guard let n = x.intValue else { throw bad("\(k) must be an integer") }
                    return n
                }
            }
            if let d { return d }
            throw bad("missing \(key)")
        }
        func optInt(_ key: String) throws(Diagnostic) -> Int? {
            guard let x = r[key], x != .null else { return nil }
            if let n = x.intValue { return n }
            if let l = x.listValue, let n = l.first?.intValue { return n } // some configs list several ids
            throw bad("\(key) must be an integer")
        }
        func flag(_ key: String) -> Bool { r[key]?.boolValue ?? false }
        if let act = r["activation_function"]?.stringValue,
           !["gelu_new", "gelu_pytorch_tanh", "gelu_fast"].contains(act) {
            throw bad("unsupported activation_function \"\(act)\" (ftsh computes the tanh GELU, gelu_new)",
                      "model.unsupported-architecture")
        }
        for key in ["scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn", "add_cross_attention"] where flag(key) {
            throw bad("\(key): true is not supported", "model.unsupported-architecture")
        }
        if let s = r["scale_attn_weights"]?.boolValue, !s {
            throw bad("scale_attn_weights: false is not supported", "model.unsupported-architecture")
        }
        if let tie = r["tie_word_embeddings"]?.boolValue, !tie {
            throw bad("tie_word_embeddings: false is not supported (GPT-2 ties lm_head to wte)",
                      "model.unsupported-architecture")
        }
        let eps = r["layer_norm_epsilon"]?.numberValue ?? 1e-5
        let c = try int("n_embd", ["hidden_size"])
        let config = GPTConfig(
            vocabSize: try int("vocab_size"), contextLength: try int("n_positions", ["max_position_embeddings", "n_ctx"]),
            layers: try int("n_layer", ["num_hidden_layers"]), heads: try int("n_head", ["num_attention_heads"]),
            embedding: c, inner: try optInt("n_inner"), layerNormEpsilon: eps,
            bosTokenId: try optInt("bos_token_id"), eosTokenId: try optInt("eos_token_id"),
            padTokenId: try optInt("pad_token_id"))
        try config.validate(source: file)
        return config
    }

    /// An HF-compatible `config.json` (transformers reads it back as GPT2LMHeadModel);
    /// `dtype` names how the weights beside it are stored.
    public func hfJSON(dtype: SafetensorsFile.DType = .f32) -> String {
        func id(_ x: Int?) -> Value { x.map { .int($0) } ?? .null }
        let r: Record = [
            "activation_function": "gelu_new",
            "architectures": ["GPT2LMHeadModel"],
            "attn_pdrop": 0.0, "embd_pdrop": 0.0, "resid_pdrop": 0.0,
            "bos_token_id": id(bosTokenId), "eos_token_id": id(eosTokenId), "pad_token_id": id(padTokenId),
            "dtype": .string(dtype == .f32 ? "float32" : dtype == .f16 ? "float16" : "bfloat16"),
            "initializer_range": 0.02,
            "layer_norm_epsilon": .number(layerNormEpsilon),
            "model_type": "gpt2",
            "n_embd": .int(embedding), "n_head": .int(heads),
            "n_inner": inner == 4 * embedding ? .null : .int(inner),
            "n_layer": .int(layers), "n_positions": .int(contextLength),
            "reorder_and_upcast_attn": false, "scale_attn_by_inverse_layer_idx": false, "scale_attn_weights": true,
            "tie_word_embeddings": true, "use_cache": true,
            "vocab_size": .int(vocabSize),
        ]
        return JSON.encode(.record(r), indent: 2) + "\n"
    }
}
