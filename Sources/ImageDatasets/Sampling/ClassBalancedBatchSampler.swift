/// Batches in which every class has the same number of samples: the paper's Selective
/// Learning (batch 63 = 9 per class x 7 classes).
///
/// Each class draws from its own shuffled list of samples and reshuffles when it runs out,
/// so rare classes repeat within an epoch and common ones are spread over several. Within
/// a batch the samples are shuffled, so the classes are not in blocks.
public struct ClassBalancedBatchSampler: BatchSampler {
    /// Samples of each class in every batch (9 in the paper).
    public let samplesPerClass: Int
    /// Batches in each epoch.
    public let batchesPerEpoch: Int
    /// Seed of the shuffles; each epoch derives its own from it.
    public let seed: UInt64
    /// The sample indices of each class.
    public let indicesByClass: [[Int]]

    /// Size of every batch: ``samplesPerClass`` x the number of classes.
    public var batchSize: Int { samplesPerClass * indicesByClass.count }

    /// - Parameters:
    ///   - labels: every sample's label (``ImageDataset/labels``).
    ///   - classCount: the number of classes; each must have at least one sample.
    ///   - samplesPerClass: samples of each class in every batch (at least 1).
    ///   - batchesPerEpoch: nil for as many batches as the dataset has samples divided by the batch size.
    ///   - seed: seed of the shuffles; each epoch derives its own from it, so an epoch's
    ///     batches are the same whenever it is drawn.
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a count below 1, a
    ///   label outside the classes, or a class without samples (which cannot be balanced).
    public init(labels: [Int], classCount: Int, samplesPerClass: Int, batchesPerEpoch: Int? = nil, seed: UInt64) throws {
        func fail(_ message: String) -> DatasetError { .invalidArgument(operation: "ClassBalancedBatchSampler", message: message) }
        guard classCount > 0, samplesPerClass > 0 else {
            throw fail("expected at least one class and one sample per class, got \(classCount) and \(samplesPerClass)")
        }
        var indicesByClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() {
            guard (0..<classCount).contains(label) else { throw fail("label \(label) of sample \(index) is not one of the \(classCount) classes") }
            indicesByClass[label].append(index)
        }
        if let empty = indicesByClass.firstIndex(where: \.isEmpty) {
            throw fail("class \(empty) has no samples, so batches cannot hold \(samplesPerClass) of each class")
        }
        let perEpoch = batchesPerEpoch ?? max(labels.count / (samplesPerClass * classCount), 1)
        guard perEpoch > 0 else { throw fail("batches per epoch must be at least 1, got \(perEpoch)") }
        self.samplesPerClass = samplesPerClass
        self.batchesPerEpoch = perEpoch
        self.seed = seed
        self.indicesByClass = indicesByClass
    }

    /// A sampler over `dataset`'s labels and classes.
    public init(dataset: some ImageDataset, samplesPerClass: Int, batchesPerEpoch: Int? = nil, seed: UInt64) throws {
        try self.init(labels: dataset.labels, classCount: dataset.classNames.count, samplesPerClass: samplesPerClass,
                      batchesPerEpoch: batchesPerEpoch, seed: seed)
    }

    public func batches(forEpoch epoch: Int) -> [[Int]] {
        var generator = SeedDerivation.generator(seed, epoch)
        var pools = indicesByClass.map { $0.shuffled(using: &generator) }
        var cursors = [Int](repeating: 0, count: pools.count)
        var batches = [[Int]]()
        batches.reserveCapacity(batchesPerEpoch)
        for _ in 0..<batchesPerEpoch {
            var batch = [Int]()
            batch.reserveCapacity(batchSize)
            for label in pools.indices {
                for _ in 0..<samplesPerClass {
                    if cursors[label] == pools[label].count {
                        pools[label].shuffle(using: &generator)
                        cursors[label] = 0
                    }
                    batch.append(pools[label][cursors[label]])
                    cursors[label] += 1
                }
            }
            batch.shuffle(using: &generator)
            batches.append(batch)
        }
        return batches
    }
}
