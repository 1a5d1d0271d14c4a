/// Which part of each global batch this process trains on.
///
/// Every rank draws the same global batch (the sampler is seeded from the run's seed alone)
/// and takes the contiguous slice `rank * n ..< (rank + 1) * n`, `n = global / processes`:
/// the slices are disjoint and cover the batch. A class-balanced global batch (the paper's
/// 9 per class) stays balanced over the ranks together; the sampler shuffles within the
/// batch, so each slice is a random share of it. The global batch must divide evenly, so
/// that the mean of the ranks' mean gradients is the global batch's mean gradient.
public struct GlobalBatchShard: Sendable, Equatable {
    public let rank: Int
    public let processCount: Int

    /// - Throws: ``MPIError/invalidArgument(operation:message:)`` unless 0 <= rank < processCount.
    public init(rank: Int, processCount: Int) throws {
        guard processCount > 0, (0..<processCount).contains(rank) else {
            throw MPIError.invalidArgument(operation: "GlobalBatchShard", message: "rank \(rank) is not one of 0..<\(processCount)")
        }
        self.rank = rank
        self.processCount = processCount
    }

    /// The shard of `communicator`'s rank.
    public init(communicator: Communicator) throws {
        try self.init(rank: communicator.rank, processCount: communicator.size)
    }

    /// Samples per process for a global batch of `globalBatchSize`.
    /// - Throws: when the global batch is empty or does not divide by the process count.
    public func localBatchSize(globalBatchSize: Int) throws -> Int {
        guard globalBatchSize > 0, globalBatchSize % processCount == 0 else {
            throw MPIError.invalidArgument(
                operation: "GlobalBatchShard",
                message: "a global batch of \(globalBatchSize) does not split evenly over \(processCount) processes; use a multiple of \(processCount)")
        }
        return globalBatchSize / processCount
    }

    /// The positions this rank takes in a global batch of `globalBatchSize`.
    public func range(inGlobalBatchOf globalBatchSize: Int) throws -> Range<Int> {
        let n = try localBatchSize(globalBatchSize: globalBatchSize)
        return rank * n ..< (rank + 1) * n
    }

    /// This rank's slice of a global batch (sample indices, labels, ...).
    public func slice<Element>(_ globalBatch: [Element]) throws -> [Element] {
        Array(globalBatch[try range(inGlobalBatchOf: globalBatch.count)])
    }
}
