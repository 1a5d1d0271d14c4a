/// What happened during one epoch of a ``BatchLoader``: above all, how long the training
/// loop waited for data. A wait near zero means the loader keeps up.
public struct LoaderStatistics: Sendable, Equatable {
    /// Batches handed to the consumer.
    public internal(set) var batchCount = 0
    /// Samples in those batches.
    public internal(set) var sampleCount = 0
    /// Per batch, how long ``EpochBatches/next()`` blocked before the batch was ready.
    public internal(set) var waitTimes: [Duration] = []
    /// Time the loader thread spent decoding and assembling, over all batches.
    public internal(set) var productionTime: Duration = .zero
    /// Samples left out under ``BadSamplePolicy/skip``, with their errors.
    public internal(set) var skipped = SkippedSamples()

    /// Statistics with nothing recorded yet.
    public init() {}

    /// Sum of ``waitTimes``.
    public var totalWait: Duration { waitTimes.reduce(.zero, +) }
    /// The longest single wait.
    public var longestWait: Duration { waitTimes.max() ?? .zero }
    /// Mean wait per batch.
    public var meanWait: Duration { waitTimes.isEmpty ? .zero : totalWait / waitTimes.count }
    /// Mean wait per batch after the first (the first batch always waits for a cold start).
    public var meanWaitAfterFirst: Duration {
        waitTimes.count < 2 ? .zero : waitTimes.dropFirst().reduce(.zero, +) / (waitTimes.count - 1)
    }
}
