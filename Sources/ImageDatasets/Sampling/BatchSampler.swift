/// Decides which samples go into each batch of an epoch.
///
/// A sampler is a pure function of its settings, its seed and the epoch number: the same
/// epoch always gives the same batches, so a resumed run repeats them exactly.
public protocol BatchSampler: Sendable {
    /// The batches of `epoch` (counting from 0), each a list of dataset indices.
    func batches(forEpoch epoch: Int) -> [[Int]]
}
