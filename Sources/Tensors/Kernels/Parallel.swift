import Dispatch
import Foundation

/// The library's own parallelism: work split over the machine's cores by Swift, with
/// OpenBLAS kept to one thread per call.
///
/// Why not OpenBLAS's threads: at the sizes a 2-core machine trains at, one GEMM is too small
/// to split well, and between calls OpenBLAS's idle worker spins in `sched_yield` while Swift
/// code runs on the other core (a third of all CPU time went to the kernel in `fer demo`).
/// Splitting the batch instead gives each core whole samples: its own im2col, its own
/// single-threaded GEMM, no hand-off in between.
///
/// `FER_THREADS` sets the number of workers (default: the active cores);
/// `FER_BLAS_THREADS` gives OpenBLAS more than one thread for callers that want it back.
public enum Parallel {
    /// Workers a parallel region uses.
    public static let threadCount: Int = {
        if let text = ProcessInfo.processInfo.environment["FER_THREADS"], let n = Int(text), n >= 1 { return min(n, 256) }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Below this many scalar operations a region runs on the calling thread: waking a
    /// worker costs a few microseconds, about what 20,000 simple element operations take.
    public static let minimumWork = 1 << 15

    /// Runs `body(worker)` for worker = 0..<workers, concurrently when workers > 1.
    /// `body` must only write memory that no other worker touches.
    public static func run(workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 {
            body(0)
            return
        }
        if WorkerPool.shared.run(count: workers, body) { return }
        // The pool is busy (a nested region, or another thread's): libdispatch instead.
        // The region ends before this call returns, so the closure never outlives it; the
        // disjoint-writes rule above is what makes sharing its captures safe.
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendableBox(escapable)
            DispatchQueue.concurrentPerform(iterations: workers) { shared.value($0) }
        }
    }

    /// Replaces ``threadCount`` (and ``minimumWork``) inside `withValue`: the tests run the
    /// split paths with several workers on any machine, and the serial path beside them.
    @TaskLocal public static var workerOverride: Int?

    /// How many workers `work` scalar operations deserve (1 below ``minimumWork``).
    public static func workers(forWork work: Int, maximum: Int = Int.max) -> Int {
        if let forced = workerOverride { return Swift.max(1, Swift.min(forced, maximum)) }
        return work < minimumWork ? 1 : Swift.max(1, Swift.min(threadCount, maximum))
    }

    /// Splits 0..<count into `workers` contiguous ranges and runs them concurrently; the
    /// split depends only on `count` and the worker count, so results are reproducible.
    @inlinable
    public static func forEachChunk(count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        let workers = Self.workers(forWork: work, maximum: count)
        if workers <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        run(workers: workers) { w in
            let start = count * w / workers, end = count * (w + 1) / workers
            if start < end { body(start..<end) }
        }
    }
}

/// Hands a value to concurrent workers whose safety the caller guarantees (disjoint writes).
@usableFromInline
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}
