import Foundation

/// Yields an epoch's batches from a sampler, prepared on a background thread while the
/// training step runs.
///
/// A loader thread decodes, augments and packs the batches in the sampler's order into a
/// queue of ``LoaderOptions/prefetchDepth`` batches; ``EpochBatches/next()`` takes them
/// and records how long it waited. The batches are a function of the sampler's seed,
/// ``LoaderOptions/seed`` and the epoch alone, whatever the thread timing.
///
///     let loader = try BatchLoader(dataset: data, sampler: sampler, options: LoaderOptions(augmentation: .standard))
///     let batches = loader.epoch(0)
///     while let batch = try batches.next() { /* train on batch.images, batch.labels */ }
///     print(batches.statistics.meanWaitAfterFirst)
public struct BatchLoader<Dataset: ImageDataset>: Sendable {
    /// Where the samples come from.
    public let dataset: Dataset
    /// Which samples make each batch.
    public let sampler: any BatchSampler
    /// Prefetch depth, decode threads, augmentation, normalisation, bad-sample policy, seed.
    public let options: LoaderOptions

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for options out of range.
    public init(dataset: Dataset, sampler: any BatchSampler, options: LoaderOptions) throws {
        // The options' properties are settable, so check them again here.
        _ = try LoaderOptions(prefetchDepth: options.prefetchDepth, decodeThreads: options.decodeThreads)
        self.dataset = dataset
        self.sampler = sampler
        self.options = options
    }

    /// Starts preparing the batches of `epoch` on a background thread.
    /// - Parameters:
    ///   - epoch: the epoch number, from 0; the sampler's batches (and the augmentation's
    ///     draws) depend on it.
    ///   - position: the first batch to prepare (a run resumed in the middle of an
    ///     epoch skips the batches it already trained on; each batch is the same either way).
    public func epoch(_ epoch: Int, from position: Int = 0) -> EpochBatches {
        EpochBatches(epoch: epoch, batches: sampler.batches(forEpoch: epoch), from: position,
                     assembler: BatchAssembler(dataset: dataset, options: options), prefetchDepth: options.prefetchDepth)
    }

    /// One batch of the given indices, prepared on the calling thread (for evaluation and tests).
    /// - Returns: nil when every sample was skipped; the skipped samples in any case.
    public func batch(indices: [Int], epoch: Int = 0, position: Int = 0) throws -> (batch: Batch?, skipped: SkippedSamples) {
        try BatchAssembler(dataset: dataset, options: options).assemble(indices: indices, epoch: epoch, position: position)
    }
}

/// The batches of one epoch, arriving from the loader thread. Read them with ``next()``
/// from one thread. Dropping this object stops the loader thread.
public final class EpochBatches {
    /// The epoch these batches belong to.
    public let epoch: Int
    /// Batches the sampler planned (fewer arrive if every sample of one is skipped).
    public let plannedBatchCount: Int
    /// Waits, production time and skipped samples so far.
    public private(set) var statistics = LoaderStatistics()
    private let queue: BoundedQueue<PreparedBatch>
    private var isDone = false

    struct PreparedBatch: Sendable {
        var result: Result<Batch?, any Error>
        var skipped: SkippedSamples
        var productionTime: Duration
    }

    init<Dataset>(epoch: Int, batches: [[Int]], from start: Int, assembler: BatchAssembler<Dataset>, prefetchDepth: Int) {
        self.epoch = epoch
        plannedBatchCount = batches.count
        let queue = BoundedQueue<PreparedBatch>(capacity: prefetchDepth)
        self.queue = queue
        let thread = Thread {
            let clock = ContinuousClock()
            for (position, indices) in batches.enumerated() where position >= start {
                let start = clock.now
                let prepared: PreparedBatch
                do {
                    let (batch, skipped) = try assembler.assemble(indices: indices, epoch: epoch, position: position)
                    prepared = PreparedBatch(result: .success(batch), skipped: skipped, productionTime: clock.now - start)
                } catch {
                    _ = queue.put(PreparedBatch(result: .failure(error), skipped: SkippedSamples(), productionTime: clock.now - start))
                    break
                }
                guard queue.put(prepared) else { return }  // the consumer is gone
            }
            queue.finish()
        }
        thread.name = "fer-batch-loader-epoch-\(epoch)"
        thread.start()
    }

    deinit {
        queue.close()
    }

    /// The next batch, waiting for it if it is not ready; nil after the last.
    /// - Throws: the first error of a sample under ``BadSamplePolicy/fail`` (after which the
    ///   epoch is over).
    public func next() throws -> Batch? {
        let clock = ContinuousClock()
        while !isDone {
            let start = clock.now
            guard let prepared = queue.take() else {
                isDone = true
                return nil
            }
            let waited = clock.now - start
            statistics.productionTime += prepared.productionTime
            statistics.skipped.merge(prepared.skipped)
            switch prepared.result {
            case .failure(let error):
                isDone = true
                queue.close()
                throw error
            case .success(nil):
                continue  // every sample of this batch was skipped (and recorded)
            case .success(let batch?):
                statistics.waitTimes.append(waited)
                statistics.batchCount += 1
                statistics.sampleCount += batch.count
                return batch
            }
        }
        return nil
    }

    /// All remaining batches.
    public func collect() throws -> [Batch] {
        var batches = [Batch]()
        while let batch = try next() { batches.append(batch) }
        return batches
    }
}
