import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import CBLAS

/// How the engine uses the cores. Matrix products run single-threaded OpenBLAS calls on slices
/// split by the engine itself, so one set of threads (ours) does all the work: OpenBLAS's own
/// workers spin after each call and would fight our element-wise threads for the two cores.
/// Work is always split the same way for a given thread count, so results are bit-for-bit
/// repeatable on one machine.
public enum EngineThreads {
    private static let storage = Atomic<Int>(2)
    private static let blasConfigured = Atomic<Bool>(false)

    /// Number of worker threads (default 2). Changing it changes the split of reductions and
    /// therefore the last bits of results.
    public static var count: Int {
        get { storage.load(ordering: .relaxed) }
        set { storage.store(max(1, newValue), ordering: .relaxed) }
    }

    /// Threads OpenBLAS itself uses per call: 1 (the engine splits products) unless
    /// FTSH_BLAS_THREADS asks otherwise (for comparing the two strategies).
    static let blasThreads: Int = {
        if let s = getenv("FTSH_BLAS_THREADS"), let n = Int(String(cString: s)), n > 0 { return n }
        return 1
    }()

    /// Pins OpenBLAS's thread count; idempotent and cheap.
    static func configureBLAS() {
        if blasConfigured.exchange(true, ordering: .relaxed) { return }
        openblas_set_num_threads(Int32(blasThreads))
    }
}

/// A pointer that may cross into worker closures. The engine guarantees that concurrent workers
/// touch disjoint ranges.
struct SharedPointer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { self.p = p }
}

/// Carries a worker body into Dispatch's `@Sendable` closure; the body only touches disjoint
/// ranges per worker and outlives no call.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Splits `0..<n` into `EngineThreads.count` contiguous ranges (fewer when `n` is small) and runs
/// `body` on each, the calling thread taking part. `grain` is the smallest range worth a thread.
@inline(__always)
func parallelRanges(_ n: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    let workers = min(EngineThreads.count, max(1, n / max(grain, 1)))
    if workers <= 1 || n <= 1 {
        if n > 0 { body(0..<n) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            box.value(chunk(n, workers, w))
        }
    }
}

/// The `w`-th of `parts` near-equal contiguous pieces of `0..<n`.
@inline(__always)
func chunk(_ n: Int, _ parts: Int, _ w: Int) -> Range<Int> {
    let base = n / parts, extra = n % parts
    let start = w * base + min(w, extra)
    return start..<(start + base + (w < extra ? 1 : 0))
}

/// Runs `body(worker, range)` so callers can keep per-worker scratch (partial sums combined in
/// worker order, which keeps reductions deterministic).
@inline(__always)
func parallelWorkers(_ n: Int, workers requested: Int, _ body: (Int, Range<Int>) -> Void) {
    let workers = max(1, min(requested, n))
    if workers == 1 { if n > 0 { body(0, 0..<n) }; return }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            box.value(w, chunk(n, workers, w))
        }
    }
}
