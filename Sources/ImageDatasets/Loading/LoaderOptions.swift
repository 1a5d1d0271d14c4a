/// How a ``BatchLoader`` prepares batches.
public struct LoaderOptions: Sendable, Equatable {
    /// Batches prepared ahead of the consumer (the queue's capacity): 2-4 hide decode time
    /// without holding much memory.
    public var prefetchDepth: Int
    /// Threads decoding the samples of one batch at once (1 leaves the other core to training).
    public var decodeThreads: Int
    /// Random flips, shifts, rotations and crops, or nil for none (evaluation).
    public var augmentation: Augmentation?
    /// Applied to every pixel after augmentation.
    public var normalization: PixelNormalization
    /// What to do with a sample that fails to decode; nil (the default) follows the
    /// dataset's ``ImageDataset/badSamplePolicy``, the policy it was read with.
    public var badSamples: BadSamplePolicy?
    /// Seed of the augmentation draws (the sampler has its own).
    public var seed: UInt64

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a prefetch depth or
    ///   thread count below 1.
    public init(prefetchDepth: Int = 3, decodeThreads: Int = 1, augmentation: Augmentation? = nil,
                normalization: PixelNormalization = .identity, badSamples: BadSamplePolicy? = nil, seed: UInt64 = 0) throws {
        guard prefetchDepth >= 1, decodeThreads >= 1 else {
            throw DatasetError.invalidArgument(
                operation: "LoaderOptions", message: "prefetch depth and decode threads must be at least 1, got \(prefetchDepth) and \(decodeThreads)")
        }
        self.prefetchDepth = prefetchDepth
        self.decodeThreads = decodeThreads
        self.augmentation = augmentation
        self.normalization = normalization
        self.badSamples = badSamples
        self.seed = seed
    }
}
