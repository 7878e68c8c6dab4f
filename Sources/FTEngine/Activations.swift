/// Every buffer one training step needs, allocated once for a batch shape (B, T) and reused
/// each step, so the training loop allocates nothing. N = B·T' rows, where T' = T plus the
/// model's virtual prompt tokens.
public final class Activations: @unchecked Sendable {
    public let batchSize: Int
    /// Input tokens per row, without virtual tokens.
    public let length: Int
    /// Positions per row including virtual prompt tokens.
    public let positions: Int
    let rows: Int
    let c: Int, h: Int, v: Int, heads: Int
    let promptCount: Int
    let loraRanks: [[Int]]
    /// Per product: whether its LoRA branch has dropout (and so buffers for mask and input).
    let loraDropout: [[Bool]]
    let adapterSizes: [[Int]]

    private var allocations: [UnsafeMutablePointer<Float>] = []
    /// Bytes held by these buffers.
    public let byteCount: Int

    // Inputs [N]
    let tokens: UnsafeMutablePointer<Int32>
    let targets: UnsafeMutablePointer<Int32>
    let weights: UnsafeMutablePointer<Float>

    // Forward, kept for backward.
    let encoded: UnsafeMutablePointer<Float>          // [N,C]
    struct Layer {
        var ln1, ln1Mean, ln1Rstd: UnsafeMutablePointer<Float>   // [N,C], [N], [N]
        var qkv: UnsafeMutablePointer<Float>                      // [N,3C]
        var att: UnsafeMutablePointer<Float>                      // [B,NH,T',T']
        var attY: UnsafeMutablePointer<Float>                     // [N,C]
        var res2: UnsafeMutablePointer<Float>                     // [N,C]
        var ln2, ln2Mean, ln2Rstd: UnsafeMutablePointer<Float>
        var fch, fchGelu: UnsafeMutablePointer<Float>             // [N,H]
        var res3: UnsafeMutablePointer<Float>                     // [N,C]
        var loraU: [UnsafeMutablePointer<Float>?]                 // per product: [N,r]
        // Per product with LoRA dropout: the branch's dropped-out input and its mask, [N,in].
        var loraX: [UnsafeMutablePointer<Float>?]
        var loraMask: [UnsafeMutablePointer<Float>?]
        // Bottleneck adapters at attention (0) and MLP (1): input h [N,C], down output
        // before and after the activation [N,r].
        var adapterH: [UnsafeMutablePointer<Float>?]
        var adapterPre: [UnsafeMutablePointer<Float>?]
        var adapterPost: [UnsafeMutablePointer<Float>?]
    }
    var layers: [Layer] = []
    let lnf, lnfMean, lnfRstd: UnsafeMutablePointer<Float>
    /// [N,V] logits; after a training forward, softmax probabilities; after backward, their gradient.
    let logits: UnsafeMutablePointer<Float>
    let losses: UnsafeMutablePointer<Float>           // [N]
    let lse: UnsafeMutablePointer<Float>              // [N]
    var probsInPlace = false
    var lossWeightSum: Float = 0
    /// Whether the last forward pass drew LoRA dropout masks (a training pass).
    var dropoutActive = false

    // Backward scratch, shared by all layers.
    let dres, dln, dattY: UnsafeMutablePointer<Float> // [N,C]
    let dqkv: UnsafeMutablePointer<Float>             // [N,3C]
    let dfch: UnsafeMutablePointer<Float>             // [N,H]
    let loraDU: UnsafeMutablePointer<Float>?          // [N,max r]
    let loraDX: UnsafeMutablePointer<Float>?          // [N,max in] of products with LoRA dropout
    let adapterDH: UnsafeMutablePointer<Float>?       // [N,C]
    let adapterScratch: UnsafeMutablePointer<Float>?  // [N,max adapter size]
    let lnScratch: UnsafeMutablePointer<Float>        // [threads,2C]
    let attScratch: UnsafeMutablePointer<Float>       // [threads,T',T']
    let threads: Int

    /// Buffers for `model` as it is now (its virtual tokens and LoRA ranks) and batches of
    /// `batchSize` rows of `length` tokens.
    public init(model: GPTModel, batchSize: Int, length: Int) {
        let cfg = model.config
        self.batchSize = batchSize
        self.length = length
        promptCount = model.prompt?.shape[0] ?? 0
        positions = length + promptCount
        rows = batchSize * positions
        c = cfg.embedding; h = cfg.inner; v = cfg.vocabSize; heads = cfg.heads
        loraRanks = model.blocks.map { $0.linears.map { $0.lora?.rank ?? 0 } }
        loraDropout = Self.dropoutLayout(model)
        adapterSizes = model.blocks.map(\.adapterSizes)
        threads = EngineThreads.count
        let n = rows
        tokens = .allocate(capacity: n); tokens.initialize(repeating: 0, count: n)
        targets = .allocate(capacity: n); targets.initialize(repeating: 0, count: n)
        var allocs: [UnsafeMutablePointer<Float>] = []
        var total = 8 * n
        func f(_ count: Int) -> UnsafeMutablePointer<Float> {
            total += 4 * max(count, 1)
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            allocs.append(p)
            return p
        }
        weights = f(n)
        encoded = f(n * c)
        for (block, sizes) in zip(model.blocks, adapterSizes) {
            let ranks = block.linears.map { $0.lora?.rank ?? 0 }
            let dropped = block.linears.map { ($0.lora?.dropout ?? 0) > 0 ? n * $0.inFeatures : 0 }
            layers.append(Layer(ln1: f(n * c), ln1Mean: f(n), ln1Rstd: f(n), qkv: f(n * 3 * c),
                                att: f(batchSize * heads * positions * positions), attY: f(n * c), res2: f(n * c),
                                ln2: f(n * c), ln2Mean: f(n), ln2Rstd: f(n), fch: f(n * h), fchGelu: f(n * h),
                                res3: f(n * c), loraU: ranks.map { $0 > 0 ? f(n * $0) : nil },
                                loraX: dropped.map { $0 > 0 ? f($0) : nil }, loraMask: dropped.map { $0 > 0 ? f($0) : nil },
                                adapterH: sizes.map { $0 > 0 ? f(n * cfg.embedding) : nil },
                                adapterPre: sizes.map { $0 > 0 ? f(n * $0) : nil },
                                adapterPost: sizes.map { $0 > 0 ? f(n * $0) : nil }))
        }
        lnf = f(n * c); lnfMean = f(n); lnfRstd = f(n)
        logits = f(n * v); losses = f(n); lse = f(n)
        dres = f(n * c); dln = f(n * c); dattY = f(n * c); dqkv = f(n * 3 * c); dfch = f(n * h)
        let maxRank = loraRanks.joined().max() ?? 0
        loraDU = maxRank > 0 ? f(n * maxRank) : nil
        let maxDroppedIn = Self.maxDroppedInput(model)
        loraDX = maxDroppedIn > 0 ? f(n * maxDroppedIn) : nil
        let maxAdapter = adapterSizes.joined().max() ?? 0
        adapterDH = maxAdapter > 0 ? f(n * c) : nil
        adapterScratch = maxAdapter > 0 ? f(n * maxAdapter) : nil
        lnScratch = f(threads * 2 * c)
        attScratch = f(threads * positions * positions)
        allocations = allocs
        byteCount = total
    }

    deinit {
        tokens.deallocate()
        targets.deallocate()
        for p in allocations { p.deallocate() }
    }

    /// What `init(model:batchSize:length:)` allocates, without allocating it.
    public static func bytesNeeded(model: GPTModel, batchSize: Int, length: Int) -> Int {
        let cfg = model.config
        let t = length + (model.prompt?.shape[0] ?? 0), n = batchSize * t
        let c = cfg.embedding, h = cfg.inner, threads = EngineThreads.count
        var floats = n                                              // weights
        floats += n * c                                             // encoded
        for block in model.blocks {
            floats += n * (8 * c + 2 * h) + 4 * n + batchSize * cfg.heads * t * t
            floats += block.linears.reduce(0) { $0 + n * ($1.lora?.rank ?? 0) }
            floats += block.linears.reduce(0) { $0 + (($1.lora?.dropout ?? 0) > 0 ? 2 * n * $1.inFeatures : 0) }
            for size in block.adapterSizes where size > 0 { floats += n * c + 2 * n * size }
        }
        floats += n * c + 2 * n + n * cfg.vocabSize + 2 * n           // lnf, logits, losses, lse
        floats += 3 * n * c + 3 * n * c + n * h                       // dres, dln, dattY, dqkv, dfch
        let maxRank = model.loraModules.map(\.rank).max() ?? 0
        if maxRank > 0 { floats += n * maxRank }
        floats += n * maxDroppedInput(model)
        let maxAdapter = model.blocks.flatMap(\.adapterSizes).max() ?? 0
        if maxAdapter > 0 { floats += n * c + n * maxAdapter }
        floats += threads * 2 * c + threads * t * t
        return 8 * n + 4 * floats
    }

    /// Whether these buffers fit `model` with its current inserted modules.
    public func fits(_ model: GPTModel) -> Bool {
        promptCount == (model.prompt?.shape[0] ?? 0)
            && loraRanks == model.blocks.map { $0.linears.map { $0.lora?.rank ?? 0 } }
            && loraDropout == Self.dropoutLayout(model)
            && adapterSizes == model.blocks.map(\.adapterSizes)
            && c == model.config.embedding && v == model.config.vocabSize && threads == EngineThreads.count
    }

    static func dropoutLayout(_ model: GPTModel) -> [[Bool]] {
        model.blocks.map { $0.linears.map { ($0.lora?.dropout ?? 0) > 0 } }
    }

    static func maxDroppedInput(_ model: GPTModel) -> Int {
        model.blocks.flatMap(\.linears).filter { ($0.lora?.dropout ?? 0) > 0 }.map(\.inFeatures).max() ?? 0
    }

    /// Per-position losses of the last forward pass, [B·T'] (0 where the weight is 0).
    public var tokenLosses: [Float] { Array(UnsafeBufferPointer(start: losses, count: rows)) }

    /// Logits of row `b`, position `t` (counting virtual tokens) from the last forward pass run
    /// with `keepLogits`.
    public func logits(row b: Int, position t: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: logits + (b * positions + t) * v, count: v)
    }
}
