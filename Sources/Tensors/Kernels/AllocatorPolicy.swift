import CMalloc
import Foundation

/// Keeps freed tensor buffers in the process's heap for reuse, instead of returning them to
/// the kernel and faulting fresh zeroed pages in on the next step.
///
/// glibc serves allocations above its mmap threshold (dynamic, from 128 KB) with fresh
/// mappings that are unmapped again on free, and trims the heap's top when it is freed: a
/// training step that allocates and frees the same activation-sized buffers every step then
/// page-faults all of them in again. Raising the mmap threshold to its maximum (32 MB on
/// 64-bit) and the trim threshold to 1 GB lets the steady state reuse the same memory.
/// Measured with `train-step-bench 32 60 0.25 7 32`: minor page faults 426,000 -> 56,500,
/// fer_step 0.112-0.134 s -> 0.093-0.104 s, peak resident memory 244 -> 249 MB.
///
/// Above 32 MB glibc still maps every allocation afresh, and the paper's sizes are full of
/// them (one activation of the Table II classifier at batch 63 is 200 MB). So mmap is turned
/// off for allocations (`M_MMAP_MAX` = 0): they come from the heap, where freed ones are
/// reused. glibc still maps memory to grow a heap when `brk` cannot, so nothing fails for
/// want of it. One limit remains: a thread other than the main one has heaps of at most
/// 64 MB, so its larger allocations are still mapped; the training loops of the package's
/// programs run on the main thread. Measured with `train-step-bench 112 63 1 1`: minor page faults 5.17 million ->
/// 0.93 million, system time 22.1 s -> 5.3 s, peak resident memory 3.76 -> 3.74 GB.
///
/// A process-wide setting: every executable of the package applies it at start (through
/// `OpenBLASCoreGuard.ensureOptimizedCore(reportCore:log:)` (ProgramRuntime)); a program embedding the library may call
/// ``apply()`` itself. `FER_MALLOC=default` leaves glibc's defaults alone.
public enum AllocatorPolicy {
    /// Largest allocation glibc keeps in the heap (its maximum mmap threshold on 64-bit).
    public static let heapAllocationLimit = 32 << 20
    /// Free memory at the heap's top kept before trimming.
    public static let trimThreshold = 1 << 30

    /// Applies the policy (once; later calls do nothing). Returns whether it is in effect.
    @discardableResult
    public static func apply() -> Bool { applied }

    private static let applied: Bool = {
        guard ProcessInfo.processInfo.environment["FER_MALLOC"] != "default" else { return false }
        return mallopt(M_MMAP_THRESHOLD, Int32(heapAllocationLimit)) == 1 && mallopt(M_TRIM_THRESHOLD, Int32(trimThreshold)) == 1
            && mallopt(M_MMAP_MAX, 0) == 1
    }()
}
