import FTCore
import FTTokenizer

extension Encoding: TokenCounter {}

extension PriceTable {
    /// The encoding that counts tokens for `model`: the table's entry, else the tokenizer's own
    /// model map (which knows `ft:` names and model families), else the default model's.
    public func encoding(for model: String?) throws(Diagnostic) -> Encoding {
        let wanted = model ?? defaultModel
        let name = info(for: wanted)?.encoding ?? Encoding.forModel(wanted) ?? info(for: defaultModel)?.encoding ?? "o200k_base"
        return try Encoding.load(named: name)
    }
}

/// Token pieces for `data show --tokens`: a token that ends inside a multi-byte character is
/// joined with the next, so each piece is whole text (Korean syllables are often split across
/// two byte-level tokens).
enum TokenPieces {
    static func pieces(_ text: String, tokenizer: any Tokenizer) -> [String] {
        var out: [String] = []
        var pending: [UInt8] = []
        for id in tokenizer.encode(text) {
            pending += tokenizer.tokenBytes(id) ?? []
            if pending.withUnsafeBufferPointer({ UTF8Check.firstInvalid($0) }) == nil {
                out.append(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
            }
        }
        if !pending.isEmpty { out.append(String(decoding: pending, as: UTF8.self)) }
        return out
    }
}
