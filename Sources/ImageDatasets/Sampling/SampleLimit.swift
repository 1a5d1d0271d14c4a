import Tensors

extension ImageDataset {
    /// A seeded random subset of at most `count` samples, in dataset order (all of them when
    /// `count` is nil or not smaller than the dataset).
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a limit below 1:
    ///   a limit of 0 would leave nothing to train on or to score (never a silent 0%).
    public func limited(to count: Int?, seed: UInt64) throws -> AnyImageDataset {
        guard let count else { return AnyImageDataset(self) }
        guard count >= 1 else {
            throw DatasetError.invalidArgument(operation: "sample limit", message: "must be at least 1, got \(count)")
        }
        guard count < self.count else { return AnyImageDataset(self) }
        var generator = SeededGenerator(seed: seed &+ 0x11A1)
        let chosen = Array(Array(0..<self.count).shuffled(using: &generator).prefix(count)).sorted()
        return AnyImageDataset(try SubsetDataset(self, indices: chosen))
    }
}
