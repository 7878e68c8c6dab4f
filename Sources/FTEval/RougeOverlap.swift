/// ROUGE's overlaps on token ids, with storage reused from pair to pair: per-id count arrays
/// (ids are dense, so a count is an array slot rather than a hash entry; every slot touched is
/// set back to 0 afterwards), one open-addressing table for bigrams, and one buffer for the
/// LCS rows and tables.
struct RougeOverlap {
    private var countsA: [Int32] = []
    private var countsB: [Int32] = []
    private var bigrams = GramCounter()
    private var cells: [Int32] = []
    private var marks: [Bool] = []

    /// Makes the per-id arrays long enough for ids up to `maxID`.
    mutating func fit(maxID: Int) {
        guard countsA.count <= maxID else { return }
        let size = Swift.max(2 * countsA.count, maxID + 1, 256)
        countsA.append(contentsOf: repeatElement(0, count: size - countsA.count))
        countsB.append(contentsOf: repeatElement(0, count: size - countsB.count))
    }

    private mutating func fitCells(_ n: Int) {
        if cells.count < n { cells = [Int32](repeating: 0, count: Swift.max(n, 2 * cells.count)) }
    }

    /// ROUGE-1: Σ min(count in reference, count in prediction) over tokens.
    mutating func unigrams(_ ref: [UInt32], _ pred: [UInt32]) -> Rouge.Score {
        var overlap = 0
        countsA.withUnsafeMutableBufferPointer { c in
            for t in pred { c[Int(t)] += 1 }
            for t in ref where c[Int(t)] > 0 {
                c[Int(t)] -= 1
                overlap += 1
            }
            for t in pred { c[Int(t)] = 0 }
        }
        return Self.score(overlap, refCount: ref.count, predCount: pred.count)
    }

    /// ROUGE-2: the same over bigrams, each packed as two 32-bit ids (never 0, as ids start at 1).
    mutating func bigrams(_ ref: [UInt32], _ pred: [UInt32]) -> Rouge.Score {
        let refCount = Swift.max(ref.count - 1, 0), predCount = Swift.max(pred.count - 1, 0)
        guard refCount > 0 && predCount > 0 else { return Self.score(0, refCount: refCount, predCount: predCount) }
        bigrams.reset(capacity: predCount)
        for k in 1..<pred.count { bigrams.add(UInt64(pred[k - 1]) << 32 | UInt64(pred[k])) }
        var overlap = 0
        for k in 1..<ref.count where bigrams.take(UInt64(ref[k - 1]) << 32 | UInt64(ref[k])) { overlap += 1 }
        return Self.score(overlap, refCount: refCount, predCount: predCount)
    }

    static func score(_ overlap: Int, refCount: Int, predCount: Int) -> Rouge.Score {
        Rouge.Score(precision: Double(overlap) / Double(Swift.max(predCount, 1)),
                    recall: Double(overlap) / Double(Swift.max(refCount, 1)))
    }

    /// ROUGE-L: the longest common subsequence, one row of the table at a time.
    mutating func lcs(_ ref: [UInt32], _ pred: [UInt32]) -> Rouge.Score {
        if ref.isEmpty || pred.isEmpty { return .zero }
        fitCells(pred.count + 1)
        let length = cells.withUnsafeMutableBufferPointer { row in
            ref.withUnsafeBufferPointer { a in
                pred.withUnsafeBufferPointer { b in Self.lcsLength(a, b, row: row.baseAddress!) }
            }
        }
        let l = Double(length)
        return Rouge.Score(precision: l / Double(pred.count), recall: l / Double(ref.count))
    }

    static func lcsLength(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>,
                          row: UnsafeMutablePointer<Int32>) -> Int32 {
        let n = b.count
        row.update(repeating: 0, count: n + 1)
        for x in a {
            // row[j] still holds the previous row's value until overwritten; diag is the
            // previous row's value one column left.
            var diag: Int32 = 0, left: Int32 = 0
            for j in 1...n {
                let up = row[j]
                left = x == b[j - 1] ? diag + 1 : Swift.max(up, left)
                row[j] = left
                diag = up
            }
        }
        return row[n]
    }

    /// ROUGE-Lsum: for each reference line the union of its LCS with every prediction line;
    /// a token in the union is a hit while both sides still have a count of it left. `refLines`
    /// and `predLines` are the non-empty lines as ranges of `ref` and `pred`.
    mutating func summaryLCS(_ ref: [UInt32], _ refLines: [Range<Int>],
                             _ pred: [UInt32], _ predLines: [Range<Int>]) -> Rouge.Score {
        if ref.isEmpty || pred.isEmpty { return .zero }
        var longest = 0
        for l in predLines { longest = Swift.max(longest, l.count) }
        var tallest = 0
        for l in refLines { tallest = Swift.max(tallest, l.count) }
        fitCells((longest + 1) * (tallest + 1))
        if marks.count < tallest { marks = [Bool](repeating: false, count: Swift.max(tallest, 2 * marks.count)) }
        var hits = 0
        let cellCount = cells.count
        countsA.withUnsafeMutableBufferPointer { refLeft in
        countsB.withUnsafeMutableBufferPointer { predLeft in
        cells.withUnsafeMutableBufferPointer { t in
        marks.withUnsafeMutableBufferPointer { marks in
        ref.withUnsafeBufferPointer { ref in
        pred.withUnsafeBufferPointer { pred in
            for x in ref { refLeft[Int(x)] += 1 }
            for x in pred { predLeft[Int(x)] += 1 }
            for rl in refLines {
                let r = UnsafeBufferPointer(rebasing: ref[rl])
                for pl in predLines {
                    let c = UnsafeBufferPointer(rebasing: pred[pl])
                    Self.markLCS(r, c, table: t.baseAddress!, capacity: cellCount, marks: marks.baseAddress!)
                }
                // Ascending index order: rouge-score walks the sorted union.
                for i in 0..<r.count where marks[i] {
                    marks[i] = false
                    let x = Int(r[i])
                    if predLeft[x] > 0 && refLeft[x] > 0 {
                        hits += 1
                        predLeft[x] -= 1
                        refLeft[x] -= 1
                    }
                }
            }
            for x in ref { refLeft[Int(x)] = 0 }
            for x in pred { predLeft[Int(x)] = 0 }
        }}}}}}
        return Rouge.Score(precision: Double(hits) / Double(pred.count), recall: Double(hits) / Double(ref.count))
    }

    /// Marks the indices into `r` of one LCS of `r` and `c`, read back from the full table the
    /// way rouge-score does: a match steps diagonally; otherwise left when that cell is
    /// strictly larger, else up.
    static func markLCS(_ r: UnsafeBufferPointer<UInt32>, _ c: UnsafeBufferPointer<UInt32>,
                        table t: UnsafeMutablePointer<Int32>, capacity: Int, marks: UnsafeMutablePointer<Bool>) {
        let rows = r.count + 1, cols = c.count + 1
        precondition(rows * cols <= capacity)
        t.update(repeating: 0, count: cols)
        for i in 1..<rows {
            let x = r[i - 1]
            let above = t + (i - 1) * cols, here = t + i * cols
            here[0] = 0
            for j in 1..<cols {
                here[j] = x == c[j - 1] ? above[j - 1] + 1 : Swift.max(above[j], here[j - 1])
            }
        }
        var i = r.count, j = c.count
        while i > 0 && j > 0 {
            if r[i - 1] == c[j - 1] {
                marks[i - 1] = true
                i -= 1
                j -= 1
            } else if t[i * cols + j - 1] > t[(i - 1) * cols + j] {
                j -= 1
            } else {
                i -= 1
            }
        }
    }
}
