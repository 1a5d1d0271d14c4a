import Foundation
import NeuralNetworks

/// Instance-dependent label noise: the labels that flip are those of the images a classifier
/// finds most ambiguous, and each flips to the class that classifier confuses it with.
///
/// Annotators of facial expressions disagree on ambiguous faces, between neighbouring
/// expressions, not uniformly at random. This follows the construction of Chen et al.,
/// "Beyond Class-Conditional Assumption: A Primary Attempt to Combat Instance-Dependent
/// Label Noise" (AAAI 2021): a probe network trained on the clean labels scores every
/// training image, and the share `rate` with the smallest margin between the true class and
/// the most likely other class get that other class. The share is taken within each class:
/// ranked over the whole set, a weak probe that never predicts some class would flip all of
/// that class's images away (seen at 40% with a probe trained on 600 images), leaving a class
/// with no sample at all.
///
/// The probe here is the paper's two-branch classifier at the data's side, trained briefly
/// (``Probe``) with its own seed, cross-entropy and shuffled batches, without augmentation.
/// The result is deterministic for a given dataset, probe and seed.
public enum InstanceDependentNoise {
    /// The probe classifier's settings (recorded in a run's data.json).
    public struct Probe: Codable, Sendable, Equatable {
        /// Training epochs over the clean labels. One epoch gives a probe that is right on most
        /// images but unsure on the ambiguous ones: the margins that rank them.
        public var epochs = 1
        /// Channel width of the probe (0.25: the demo's classifier).
        public var width = 0.25
        public var batchSize = 64
        public var learningRate = 0.01

        public init() {}

        func validate() throws {
            func fail(_ message: String) -> DatasetError { .invalidArgument(operation: "InstanceDependentNoise", message: message) }
            guard (1...100).contains(epochs) else { throw fail("probe epochs must be in 1...100, got \(epochs)") }
            guard width.isFinite, width > 0 else { throw fail("probe width must be positive, got \(width)") }
            guard batchSize >= 2 else { throw fail("probe batch size must be at least 2, got \(batchSize)") }
            guard learningRate.isFinite, learningRate > 0 else { throw fail("probe learning rate must be positive, got \(learningRate)") }
        }
    }

    /// Margins p(true class) - p(most likely other class) under the probe, with that other
    /// class, for every sample of `dataset` (clean labels).
    ///
    /// The probe checks `stopSignal` before every batch (by default a pending ``StopRequest``),
    /// so Ctrl-C does not wait for its epochs to end.
    /// - Throws: ``StoppedBeforeTraining`` when `stopSignal` returns a signal.
    public static func margins<Dataset: ImageDataset>(
        of dataset: Dataset, side: Int, probe: Probe, seed: UInt64, progress: ((String) -> Void)? = nil,
        stopSignal: () -> Int32? = { StopRequest.pending }
    ) throws -> (margins: [Double], rivals: [Int]) {
        try probe.validate()
        func checkStop() throws {
            if let signal = stopSignal() { throw StoppedBeforeTraining(signal: signal, stage: "the instance-noise probe") }
        }
        let classCount = dataset.classNames.count
        var settings = ClassifierSettings()
        settings.side = side
        settings.width = probe.width
        settings.classCount = classCount
        settings.epochs = probe.epochs
        settings.batchSize = min(probe.batchSize, max(2, dataset.count))
        settings.learningRate = probe.learningRate
        settings.loss = .crossEntropy
        settings.sampling = .shuffled
        settings.augment = false
        settings.seed = seed
        let trainer = try ClassifierTrainer(settings: settings, autoencoder: nil)
        let sampler = try ShuffledBatchSampler(count: dataset.count, batchSize: settings.batchSize, seed: seed, dropLast: dataset.count > settings.batchSize)
        let loader = try BatchLoader(dataset: dataset, sampler: sampler, options: LoaderOptions(prefetchDepth: 2))
        for epoch in 0..<probe.epochs {
            let batches = loader.epoch(epoch)
            while let batch = try batches.next() {
                try checkStop()
                _ = try trainer.step(images: batch.images, labels: batch.labels)
            }
            progress?("instance noise: probe epoch \(epoch + 1)/\(probe.epochs) done")
        }
        var margins = [Double](repeating: .infinity, count: dataset.count)
        var rivals = [Int](repeating: 0, count: dataset.count)
        let scoring = try BatchLoader(dataset: dataset, sampler: SequentialBatchSampler(count: dataset.count, batchSize: 64),
                                      options: LoaderOptions(prefetchDepth: 2))
        let batches = scoring.epoch(0)
        while let batch = try batches.next() {
            try checkStop()
            let logits = try trainer.logits(batch.images)
            for (row, index) in batch.indices.enumerated() {
                let scores = (0..<classCount).map { Double(logits.scalars[row * classCount + $0]) }
                let top = scores.max() ?? 0
                let weights = scores.map { exp($0 - top) }
                let total = weights.reduce(0, +)
                let truth = batch.labels[row]
                var rival = truth == 0 ? 1 : 0
                for c in 0..<classCount where c != truth && weights[c] > weights[rival] { rival = c }
                margins[index] = (weights[truth] - weights[rival]) / total
                rivals[index] = rival
            }
        }
        return (margins, rivals)
    }

    /// Flips, within each class, the labels of the round(rate x n_c) samples with the smallest
    /// margins to their rival class (ties broken by index).
    /// - Throws: `DatasetError.invalidArgument(operation:message:)` for a rate outside [0, 1],
    ///   fewer than 2 classes, or arrays of different lengths.
    public static func inject(into labels: [Int], margins: [Double], rivals: [Int], classCount: Int, rate: Double) throws -> NoisyLabels {
        func fail(_ message: String) -> DatasetError { .invalidArgument(operation: "InstanceDependentNoise", message: message) }
        guard rate >= 0 && rate <= 1 else { throw fail("rate must be in [0, 1], got \(rate)") }
        guard classCount >= 2 else { throw fail("flipping labels needs at least 2 classes, got \(classCount)") }
        guard margins.count == labels.count, rivals.count == labels.count else {
            throw fail("\(labels.count) labels but \(margins.count) margins and \(rivals.count) rival classes")
        }
        if let bad = labels.indices.first(where: { !(0..<classCount).contains(labels[$0]) || !(0..<classCount).contains(rivals[$0]) || rivals[$0] == labels[$0] }) {
            throw fail("sample \(bad): label \(labels[bad]) and rival \(rivals[bad]) must be two different classes of \(classCount)")
        }
        var noisy = labels
        var isFlipped = [Bool](repeating: false, count: labels.count)
        for c in 0..<classCount {
            let members = labels.indices.filter { labels[$0] == c }
            let flipCount = Int((rate * Double(members.count)).rounded())
            let order = members.sorted { margins[$0] != margins[$1] ? margins[$0] < margins[$1] : $0 < $1 }
            for index in order.prefix(flipCount) {
                noisy[index] = rivals[index]
                isFlipped[index] = true
            }
        }
        return NoisyLabels(labels: noisy, cleanLabels: labels, isFlipped: isFlipped)
    }
}
