import Tensors

/// Every sample once per epoch in a fresh random order, cut into batches.
public struct ShuffledBatchSampler: BatchSampler {
    /// Number of samples.
    public let count: Int
    /// Samples per batch.
    public let batchSize: Int
    /// Seed of the shuffles; each epoch derives its own from it.
    public let seed: UInt64
    /// Whether to leave out a last batch smaller than ``batchSize`` (steady batch statistics for batch norm).
    public let dropLast: Bool

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a batch size below 1,
    ///   a negative count, or (with `dropLast`) fewer samples than one batch.
    public init(count: Int, batchSize: Int, seed: UInt64, dropLast: Bool = false) throws {
        guard batchSize > 0, count >= 0 else {
            throw DatasetError.invalidArgument(operation: "ShuffledBatchSampler", message: "expected a positive batch size and a count of at least 0, got \(batchSize) and \(count)")
        }
        if dropLast && count < batchSize {
            throw DatasetError.invalidArgument(operation: "ShuffledBatchSampler", message: "\(count) samples do not fill one batch of \(batchSize) and dropLast is set")
        }
        self.count = count
        self.batchSize = batchSize
        self.seed = seed
        self.dropLast = dropLast
    }

    public func batches(forEpoch epoch: Int) -> [[Int]] {
        var generator = SeedDerivation.generator(seed, epoch)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        let end = dropLast ? count - count % batchSize : count
        return stride(from: 0, to: end, by: batchSize).map { Array(order[$0..<min($0 + batchSize, end)]) }
    }
}
