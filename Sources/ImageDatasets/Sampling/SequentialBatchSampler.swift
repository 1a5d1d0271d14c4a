/// Samples in index order, for evaluation: `0..<batchSize`, then the next, the last batch
/// possibly smaller.
public struct SequentialBatchSampler: BatchSampler {
    /// Number of samples.
    public let count: Int
    /// Samples per batch.
    public let batchSize: Int

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a batch size below
    ///   1 or a negative count.
    public init(count: Int, batchSize: Int) throws {
        guard batchSize > 0, count >= 0 else {
            throw DatasetError.invalidArgument(operation: "SequentialBatchSampler", message: "expected a positive batch size and a count of at least 0, got \(batchSize) and \(count)")
        }
        self.count = count
        self.batchSize = batchSize
    }

    public func batches(forEpoch epoch: Int) -> [[Int]] {
        stride(from: 0, to: count, by: batchSize).map { Array($0..<min($0 + batchSize, count)) }
    }
}
