import FTCore
import FTTokenizer
import Foundation

/// The pretraining corpus as scripts/build-corpus writes it: plain UTF-8 text in which each
/// document ends with a line holding only the end-of-text marker.
enum Corpus {
    static let marker = EncodingCatalog.endOfText

    /// The documents of a corpus file, in file order, without their markers.
    static func documents(path: String) throws(Diagnostic) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .error("cannot read \(path); run scripts/build-corpus first", id: "io.read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .error("\(path) is not UTF-8", id: "data.not-utf8")
        }
        return text.components(separatedBy: "\n" + marker + "\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    /// One token stream for a list of documents: each followed by the end-of-text id, so the
    /// model learns where texts stop and windows that straddle two texts see the boundary.
    static func tokens(_ docs: [String], tokenizer: Tokenizer, endOfText: Int) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(docs.reduce(0) { $0 + $1.utf8.count } / 3)
        for d in docs {
            for t in tokenizer.encode(d) { out.append(Int32(t)) }
            out.append(Int32(endOfText))
        }
        return out
    }
}

/// Draws training windows of `length`+1 consecutive tokens at random offsets of one stream.
struct WindowSampler {
    let stream: [Int32]
    let length: Int
    var rng: SeededRandom

    func batch(starts: [Int]) -> Batch {
        let b = starts.count
        var inputs = [Int32](repeating: 0, count: b * length)
        var targets = [Int32](repeating: 0, count: b * length)
        for (row, s) in starts.enumerated() {
            for i in 0..<length {
                inputs[row * length + i] = stream[s + i]
                targets[row * length + i] = stream[s + i + 1]
            }
        }
        return Batch(size: b, length: length, inputs: inputs, targets: targets,
                     weights: [Float](repeating: 1, count: b * length))
    }

    mutating func next(batchSize: Int) -> Batch {
        let span = stream.count - length - 1
        return batch(starts: (0..<batchSize).map { _ in rng.nextInt(below: span + 1) })
    }

    /// Non-overlapping windows covering the stream once (the tail shorter than a window is
    /// padded with weight-0 targets), grouped into batches: the held-out evaluation set.
    static func evaluationBatches(_ stream: [Int32], length: Int, batchSize: Int) -> [Batch] {
        var seqs: [[Int]] = []
        var s = 0
        while s < stream.count - 1 {
            let end = min(s + length + 1, stream.count)
            seqs.append(stream[s..<end].map(Int.init))
            s += length
        }
        return stride(from: 0, to: seqs.count, by: batchSize).map {
            Batch.from(sequences: Array(seqs[$0..<min($0 + batchSize, seqs.count)]), length: length)
        }
    }
}
