/// The shard of every global batch that one process trains on: the contiguous slice
/// `rank * n ..< (rank + 1) * n` of the batch its base sampler draws (the same on every
/// process, from the run's seed), `n = global / processCount`. A class-balanced global batch
/// stays balanced over the processes together; the base sampler shuffles within each batch,
/// so each slice is a random share of it.
public struct ShardedBatchSampler: BatchSampler {
    public let base: any BatchSampler
    public let rank: Int
    public let processCount: Int

    public init(base: any BatchSampler, rank: Int, processCount: Int) {
        self.base = base; self.rank = rank; self.processCount = processCount
    }

    /// Each global batch's slice for this rank (a batch that does not split evenly gives an
    /// empty slice; the runs check the global batch size before they start).
    public func batches(forEpoch epoch: Int) -> [[Int]] {
        base.batches(forEpoch: epoch).map { batch in
            guard processCount > 0, batch.count % processCount == 0 else { return [] }
            let n = batch.count / processCount
            return Array(batch[rank * n ..< (rank + 1) * n])
        }
    }
}
