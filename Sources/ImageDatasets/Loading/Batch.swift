import Tensors

/// One mini-batch as the trainer consumes it.
public struct Batch: Sendable, Equatable {
    /// (B, 1, side, side) pixels, normalised.
    public let images: Tensor<Float>
    /// B class indices.
    public let labels: [Int]
    /// B dataset indices, so per-sample facts (noise flags, annotations) can be looked up.
    public let indices: [Int]
    /// The epoch it belongs to.
    public let epoch: Int
    /// Its position among the epoch's batches, from 0.
    public let position: Int

    /// A batch of already checked parts.
    public init(images: Tensor<Float>, labels: [Int], indices: [Int], epoch: Int, position: Int) {
        self.images = images
        self.labels = labels
        self.indices = indices
        self.epoch = epoch
        self.position = position
    }

    /// Number of samples.
    public var count: Int { labels.count }
}
