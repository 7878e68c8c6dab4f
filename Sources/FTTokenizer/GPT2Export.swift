import FTCore

extension GPT2Tokenizer {
    /// Writes a rank-ordered vocabulary (such as a trained one) as an HF GPT-2 tokenizer:
    /// `vocab.json` and `merges.txt` in `folder`.
    ///
    /// Each token's merge is the last step of encoding its own bytes with the lower ranks only,
    /// so HF's pair-by-pair rule reproduces the rank-order encoder's tokens. Ranks double as ids;
    /// special tokens are appended to the vocabulary with their ids.
    public static func write(_ encoding: Encoding, toFolder folder: String, overwrite: Bool) throws(Diagnostic) {
        let pairs = try mergePairs(encoding)
        var vocab: [(String, Int)] = []
        for rank in 0..<encoding.table.rankLimit {
            guard let t = encoding.table.token(rank) else {
                throw .error("rank \(rank) is missing; HF vocabularies need dense ids", id: "tokenizer.unsupported")
            }
            vocab.append((ByteLevel.encode(t), rank))
        }
        for (text, id) in encoding.specialTokens.sorted(by: { $0.value < $1.value }) { vocab.append((text, id)) }
        var json = "{"
        for (i, (k, v)) in vocab.enumerated() {
            if i > 0 { json += ", " }
            json += JSON.quote(k) + ": " + String(v)
        }
        json += "}\n"
        var merges = "#version: 0.2\n"
        for (a, b) in pairs { merges += ByteLevel.encode(a) + " " + ByteLevel.encode(b) + "\n" }
        try AtomicFile.write(json, to: folder + "/vocab.json", overwrite: overwrite)
        try AtomicFile.write(merges, to: folder + "/merges.txt", overwrite: overwrite)
    }

    /// The (left, right) byte strings whose merge makes each token of rank ≥ 256, in rank order.
    static func mergePairs(_ encoding: Encoding) throws(Diagnostic) -> [([UInt8], [UInt8])] {
        let table = encoding.table
        var out: [([UInt8], [UInt8])] = []
        for rank in 0..<table.rankLimit {
            guard let t = table.token(rank), t.count > 1 else { continue }
            var parts = t.map { [$0] }
            while parts.count > 2 {
                var best = UInt32.max, at = -1
                for i in 0..<(parts.count - 1) {
                    let joined = parts[i] + parts[i + 1]
                    let r = joined.withUnsafeBufferPointer { table.lookup($0.baseAddress!, $0.count) }
                    if r < UInt32(rank) && r < best { best = r; at = i }
                }
                if at < 0 { break }
                parts[at] += parts[at + 1]
                parts.remove(at: at + 1)
            }
            guard parts.count == 2 else {
                throw .error("token of rank \(rank) cannot be built from lower ranks", id: "tokenizer.unsupported")
            }
            out.append((parts[0], parts[1]))
        }
        return out
    }
}
