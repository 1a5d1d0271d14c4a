import Foundation
import Synchronization

/// The library's persistent worker threads, behind ``Parallel/run(workers:_:)``.
///
/// Why not `DispatchQueue.concurrentPerform`: a training step at the demo's size opens about
/// 170 parallel regions of well under a millisecond each, and libdispatch's worker often wakes
/// too late: the calling thread had already run every index itself in 11% of the regions of
/// a step (and 20-30% of a small convolution's), doubling their time. Here the helpers spin
/// for a short while after each region (``spinDuration``, 200 µs by default, `FER_SPIN_US`),
/// so the next region finds them awake, then sleep on a condition variable: between bursts of
/// work no core is burnt, and no system call is made while they spin.
///
/// Indices are claimed from a shared counter, by the caller as well as the helpers, so a
/// helper that is slow to wake only costs its share of parallelism, never correctness: every
/// index runs exactly once, and the result never depends on which thread ran it.
final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool with `Parallel.threadCount - 1` helpers, started on first use.
    static let shared = WorkerPool(helperCount: Parallel.threadCount - 1)

    /// How long a helper keeps looking for the next region before it sleeps.
    static let spinDuration: Duration = {
        if let text = ProcessInfo.processInfo.environment["FER_SPIN_US"], let us = Int(text), us >= 0 { return .microseconds(min(us, 1_000_000)) }
        return .microseconds(200)
    }()

    let helperCount: Int

    /// Bumped once per region; helpers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// The current region as one word: its generation (high 32 bits), its index count (16
    /// bits) and the next index to claim (low 16 bits). A helper claims an index with a
    /// compare-and-swap that fails if the region has changed under it, so a late helper can
    /// never run an index of a region with another region's body.
    private let claims = Atomic<UInt64>(0)
    /// Indices finished in the current region.
    private let finished = Atomic<Int>(0)
    /// One region at a time: a caller that finds the pool busy (a nested region, or another
    /// thread's) runs its own region through libdispatch instead.
    private let busy = Atomic<Bool>(false)

    /// The current region's body. Written before the region is published; read only after a
    /// successful claim, when the region cannot end before the claimed index finishes.
    private nonisolated(unsafe) var body: ((Int) -> Void)?

    /// Sleeping helpers wait here; the caller signals under the same lock, so a helper that
    /// re-checks `generation` under it cannot miss a wake-up.
    private let condition = NSCondition()
    private nonisolated(unsafe) var sleepers = 0

    init(helperCount: Int) {
        self.helperCount = max(0, helperCount)
        for index in 0..<self.helperCount {
            // The helpers keep the pool alive: it is never torn down (the shared one lives as long as the process).
            let thread = Thread { [self] in self.helperLoop() }
            thread.name = "fer-worker-\(index + 1)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Most indices one region may have (the claim word's 16-bit fields).
    static let maximumCount = 1 << 15

    /// Runs `work(i)` for i in 0..<count on the caller and the helpers; returns when all are done.
    /// Returns false without running anything when the pool is busy, has no helpers, or
    /// `count` is out of its range.
    func run(count: Int, _ work: (Int) -> Void) -> Bool {
        guard helperCount > 0, count > 1, count <= Self.maximumCount else { return false }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        withoutActuallyEscaping(work) { escapable in
            body = escapable
            finished.store(0, ordering: .relaxed)
            let region = generation.load(ordering: .relaxed) &+ 1
            claims.store(UInt64(UInt32(truncatingIfNeeded: region)) << 32 | UInt64(count) << 16, ordering: .releasing)
            generation.store(region, ordering: .releasing)
            condition.lock()
            if sleepers > 0 { condition.broadcast() }
            condition.unlock()

            claimAndRun()
            // Wait for the indices the helpers claimed; they are already running.
            while finished.load(ordering: .acquiring) < count {}
            body = nil
        }
        return true
    }

    /// Claims indices of the current region until none are left, or the region has changed.
    private func claimAndRun() {
        var word = claims.load(ordering: .acquiring)
        while true {
            let count = Int((word >> 16) & 0xFFFF), index = Int(word & 0xFFFF)
            guard index < count else { return }
            let (exchanged, original) = claims.compareExchange(expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
            guard exchanged else { word = original; continue }
            body!(index)
            finished.add(1, ordering: .releasing)
            word = claims.load(ordering: .acquiring)
        }
    }

    private func helperLoop() {
        var seen = generation.load(ordering: .acquiring)
        let clock = ContinuousClock()
        while true {
            // Spin briefly for the next region, then sleep until one is announced.
            let deadline = clock.now.advanced(by: Self.spinDuration)
            var current = generation.load(ordering: .acquiring)
            var polls = 0
            while current == seen {
                polls += 1
                if polls & 63 == 0, clock.now >= deadline { break }
                current = generation.load(ordering: .acquiring)
            }
            if current == seen {
                condition.lock()
                sleepers += 1
                while generation.load(ordering: .acquiring) == seen { condition.wait() }
                sleepers -= 1
                condition.unlock()
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            claimAndRun()
        }
    }
}
