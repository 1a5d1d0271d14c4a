import Foundation
import Synchronization
import Testing
@testable import Tensors

/// The persistent worker pool behind `Parallel.run`: every index of every region runs
/// exactly once, whoever runs it, including regions back to back (where a late helper could
/// otherwise run a finished region's body), nested regions and regions opened by several
/// threads at once.
@Suite("Worker pool")
struct WorkerPoolTests {
    /// A region of `count` indices that counts how often each ran.
    func checkRegion(_ pool: WorkerPool, count: Int) -> Bool {
        let hits = (0..<count).map { _ in Counter() }
        let ran = pool.run(count: count) { index in hits[index].add(1) }
        #expect(ran)
        return hits.allSatisfy { $0.value == 1 }
    }

    @Test("20,000 regions back to back run each index once", arguments: [1, 3])
    func regionsBackToBack(helpers: Int) {
        let pool = WorkerPool(helperCount: helpers)
        var failures = 0
        for region in 0..<20_000 where !checkRegion(pool, count: 2 + region % 7) { failures += 1 }
        #expect(failures == 0)
    }

    @Test("Regions after the helpers have gone to sleep still run on them")
    func afterSleep() async throws {
        let pool = WorkerPool(helperCount: 1)
        #expect(checkRegion(pool, count: 4))
        try await Task.sleep(for: .milliseconds(50))  // far beyond the spin: the helper sleeps
        let threads = Mutex<Set<UInt>>([])
        // Each index waits a little so that one thread cannot run them all before the helper wakes.
        let ran = pool.run(count: 2) { _ in
            threads.withLock { _ = $0.insert(UInt(pthread_self())) }
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(ran)
        #expect(threads.withLock { $0.count } == 2, "the sleeping helper was never woken")
    }

    @Test("A pool without helpers, a single index or a busy pool declines; Parallel.run still runs everything")
    func declines() {
        #expect(!WorkerPool(helperCount: 0).run(count: 4) { _ in })
        let pool = WorkerPool(helperCount: 1)
        #expect(!pool.run(count: 1) { _ in })
        #expect(!pool.run(count: WorkerPool.maximumCount + 1) { _ in })
        // Nested: the inner region finds the pool busy and must still run every index.
        let inner = (0..<8).map { _ in Counter() }
        let innerAccepted = Counter()
        let outer = pool.run(count: 2) { o in
            if pool.run(count: 2, { _ in }) { innerAccepted.add(1) }
            if o == 0 {
                Parallel.run(workers: 4) { i in inner[i].add(1) }
            } else {
                Parallel.run(workers: 4) { i in inner[4 + i].add(1) }
            }
        }
        #expect(outer)
        #expect(innerAccepted.value == 0, "a nested region must find the pool busy")
        #expect(inner.allSatisfy { $0.value == 1 })
    }

    @Test("Several threads opening regions at once all complete")
    func concurrentCallers() {
        let sums = (0..<4).map { _ in Counter() }
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for _ in 0..<2_000 {
                Parallel.run(workers: 3) { i in sums[caller].add(i + 1) }
            }
        }
        for sum in sums { #expect(sum.value == 2_000 * 6) }
    }
}

/// An atomic counter that arrays can hold (`Atomic` itself cannot be copied into one).
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ amount: Int) { count.add(amount, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
