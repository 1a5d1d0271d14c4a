import Foundation
import Synchronization
import Tensors

/// Turns a list of dataset indices into a ``Batch``: decode each sample (on several threads
/// if asked), augment it, normalise it, and pack all into one (B, 1, side, side) tensor.
struct BatchAssembler<Dataset: ImageDataset>: Sendable {
    let dataset: Dataset
    let options: LoaderOptions

    /// The batch of `indices`, or nil when every sample was skipped, with the samples skipped.
    /// Skipped samples are not replaced: the batch comes out smaller (the sampler's plan,
    /// and so every other batch, stays the same whatever fails).
    /// Each sample's augmentation draws come from a generator seeded by (seed, epoch,
    /// position, slot), so the result does not depend on which thread decoded what.
    func assemble(indices: [Int], epoch: Int, position: Int) throws -> (batch: Batch?, skipped: SkippedSamples) {
        guard !indices.isEmpty else { return (nil, SkippedSamples()) }
        let side = dataset.side
        let size = side * side
        let threads = min(options.decodeThreads, indices.count)
        // Each worker prepares the slots with slot % threads == worker and hands them over in one go.
        let results = SlotResults(count: indices.count)
        let work: @Sendable (Int) -> Void = { worker in
            var mine = [(slot: Int, result: Result<LabeledImage, any Error>)]()
            for slot in stride(from: worker, to: indices.count, by: threads) {
                mine.append((slot, Result { try prepare(index: indices[slot], epoch: epoch, position: position, slot: slot) }))
            }
            results.store(mine)
        }
        if threads > 1 {
            DispatchQueue.concurrentPerform(iterations: threads, execute: work)
        } else {
            work(0)
        }
        let prepared = results.all()
        var pixels = [Float]()
        pixels.reserveCapacity(indices.count * size)
        var labels = [Int](), kept = [Int]()
        var skipped = SkippedSamples()
        let policy = options.badSamples ?? dataset.badSamplePolicy
        for slot in indices.indices {
            switch prepared[slot] {
            case .success(let sample):
                pixels += sample.pixels
                labels.append(sample.label)
                kept.append(indices[slot])
            case .failure(let error as DatasetError):
                try skipped.handle(error, policy: policy)
            case .failure(let error):
                throw error
            }
        }
        guard !kept.isEmpty else { return (nil, skipped) }
        let images = try Tensor(shape: [kept.count, 1, side, side], scalars: pixels)
        return (Batch(images: images, labels: labels, indices: kept, epoch: epoch, position: position), skipped)
    }

    /// One sample decoded, checked, augmented and normalised.
    private func prepare(index: Int, epoch: Int, position: Int, slot: Int) throws -> LabeledImage {
        var sample = try dataset.image(at: index)
        guard sample.side == dataset.side, sample.pixels.count == dataset.side * dataset.side else {
            throw DatasetError.invalidArgument(
                operation: "BatchLoader",
                message: "sample \(index) came back \(sample.side)x\(sample.side) with \(sample.pixels.count) pixels; the dataset's side is \(dataset.side)")
        }
        if let augmentation = options.augmentation {
            var generator = SeedDerivation.generator(options.seed, epoch, position, slot)
            sample.pixels = augmentation.apply(to: sample.pixels, side: sample.side, using: &generator)
        }
        options.normalization.apply(to: &sample.pixels)
        return sample
    }
}

/// The prepared samples of one batch, filled by several workers.
private final class SlotResults: Sendable {
    private let slots: Mutex<[Result<LabeledImage, any Error>?]>

    init(count: Int) {
        slots = Mutex(Array(repeating: nil, count: count))
    }

    func store(_ results: [(slot: Int, result: Result<LabeledImage, any Error>)]) {
        slots.withLock { slots in
            for (slot, result) in results { slots[slot] = result }
        }
    }

    /// Every slot's result; each slot was stored by exactly one worker.
    func all() -> [Result<LabeledImage, any Error>] {
        slots.withLock { $0.map { $0! } }
    }
}
