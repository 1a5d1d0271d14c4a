import Foundation
import Synchronization
import Testing
import TestSupport
@testable import ImageDatasets

@Suite("Batch loader, caching and dataset views")
struct LoaderTests {
    @Test("batches arrive in the sampler's order with images (B, 1, side, side), labels and indices")
    func batchesInOrder() throws {
        let dataset = ProbeDataset(count: 10, side: 3)
        let sampler = try ShuffledBatchSampler(count: 10, batchSize: 4, seed: 2)
        let loader = try BatchLoader(dataset: dataset, sampler: sampler, options: LoaderOptions(prefetchDepth: 2))
        let batches = try loader.epoch(0).collect()
        #expect(batches.map(\.indices) == sampler.batches(forEpoch: 0))
        #expect(batches.map(\.position) == [0, 1, 2] && batches.allSatisfy { $0.epoch == 0 })
        let first = batches[0]
        #expect(first.images.shape == [4, 1, 3, 3] && first.labels == first.indices.map { $0 % 2 })
        #expect(first.images.scalars[9] == Float(first.indices[1]) / 10)
    }

    @Test("the same seeds give the same batches, with augmentation and two decode threads")
    func deterministic() throws {
        let folder = try temporaryDirectory("loader-determinism")
        defer { try? FileManager.default.removeItem(at: folder) }
        for index in 0..<12 {
            try writeData(PNGEncoder.encode(grayImage(width: 10, height: 10) { x, y in (x * 20 + y * 3 + index * 11) % 256 }),
                          to: "c\(index % 3)/\(index).png", in: folder)
        }
        let dataset = try ImageFolderReader.read(folder, side: 8)
        func run(threads: Int) throws -> [Batch] {
            let options = try LoaderOptions(prefetchDepth: 2, decodeThreads: threads, augmentation: .standard, normalization: .symmetric, seed: 42)
            let sampler = try ClassBalancedBatchSampler(dataset: dataset, samplesPerClass: 2, batchesPerEpoch: 3, seed: 9)
            return try BatchLoader(dataset: dataset, sampler: sampler, options: options).epoch(1).collect()
        }
        let one = try run(threads: 1)
        #expect(one.count == 3 && one.allSatisfy { $0.count == 6 })
        #expect(try run(threads: 2) == one)
        #expect(one[0].images.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
        let plain = try BatchLoader(dataset: dataset, sampler: SequentialBatchSampler(count: 12, batchSize: 12), options: LoaderOptions())
        let (batch, skipped) = try plain.batch(indices: [0, 1])
        #expect(skipped.count == 0 && batch?.images.shape == [2, 1, 8, 8])
        #expect(try batch?.images.scalars.prefix(64).map { $0 } == dataset.image(at: 0).pixels)
    }

    @Test("under .fail a bad sample stops the epoch with its error; under .skip it is left out and counted")
    func badSamples() throws {
        let dataset = ProbeDataset(count: 8, side: 2, failing: [3, 6])
        let sampler = try SequentialBatchSampler(count: 8, batchSize: 4)
        let failing = try BatchLoader(dataset: dataset, sampler: sampler, options: LoaderOptions())
        let epoch = failing.epoch(0)
        expectDatasetError(mentioning: "probe-3.png", { _ = try epoch.next() }) {
            if case .corruptImage = $0 { return true }
            return false
        }
        #expect(try epoch.next() == nil)

        let skipping = try BatchLoader(dataset: dataset, sampler: sampler, options: LoaderOptions(badSamples: .skip))
        let skippingEpoch = skipping.epoch(0)
        let batches = try skippingEpoch.collect()
        #expect(batches.map(\.indices) == [[0, 1, 2], [4, 5, 7]])
        #expect(skippingEpoch.statistics.skipped.count == 2 && skippingEpoch.statistics.sampleCount == 6)

        let allBad = ProbeDataset(count: 4, side: 2, failing: [0, 1])
        let halfEmpty = try BatchLoader(dataset: allBad, sampler: SequentialBatchSampler(count: 4, batchSize: 2),
                                        options: LoaderOptions(badSamples: .skip)).epoch(0)
        #expect(try halfEmpty.collect().map(\.indices) == [[2, 3]])
        #expect(halfEmpty.statistics.skipped.count == 2)
    }

    @Test("the loader works ahead by at most the prefetch depth, and the consumer's wait is measured")
    func prefetchAndWait() throws {
        let dataset = ProbeDataset(count: 40, side: 2, delay: .milliseconds(2))
        let sampler = try SequentialBatchSampler(count: 40, batchSize: 2)
        let loader = try BatchLoader(dataset: dataset, sampler: sampler, options: LoaderOptions(prefetchDepth: 2))
        let epoch = loader.epoch(0)
        _ = try epoch.next()
        Thread.sleep(forTimeInterval: 0.1)  // room for 25 batches, but the queue holds 2
        let reads = dataset.reads.count.withLock { $0 }
        // The batch taken, 2 queued, and 1 more prepared and waiting to be queued.
        #expect(reads <= 4 * 2)
        while try epoch.next() != nil {}
        let statistics = epoch.statistics
        #expect(statistics.batchCount == 20 && statistics.waitTimes.count == 20)
        // The consumer does nothing between batches, so it waits for most of the ~80 ms of decoding.
        #expect(statistics.totalWait >= .milliseconds(20))
        #expect(statistics.productionTime >= .milliseconds(80))
        #expect(dataset.reads.count.withLock { $0 } == 40)

        // A consumer slower than the loader (20 ms per batch against about 4 ms of decoding)
        // finds its batches ready: it waits less than half what the idle consumer waited. The
        // comparison is with the same machine's own wait, not an absolute time, so a loaded
        // machine that slows the loader slows both (it fails only if a batch takes about 35 ms to
        // decode instead of 4).
        let slowConsumer = loader.epoch(1)
        while try slowConsumer.next() != nil { Thread.sleep(forTimeInterval: 0.02) }
        #expect(slowConsumer.statistics.meanWaitAfterFirst < statistics.meanWaitAfterFirst / 2,
                "slow consumer waited \(slowConsumer.statistics.meanWaitAfterFirst), idle one \(statistics.meanWaitAfterFirst)")
    }

    @Test("dropping an epoch early stops its loader thread")
    func earlyStop() throws {
        let dataset = ProbeDataset(count: 1_000, side: 2)
        let loader = try BatchLoader(dataset: dataset, sampler: SequentialBatchSampler(count: 1_000, batchSize: 1), options: LoaderOptions(prefetchDepth: 1))
        do {
            let epoch = loader.epoch(0)
            _ = try epoch.next()
        }
        Thread.sleep(forTimeInterval: 0.05)
        let reads = dataset.reads.count.withLock { $0 }
        Thread.sleep(forTimeInterval: 0.05)
        #expect(dataset.reads.count.withLock { $0 } == reads && reads < 10)
    }

    @Test("loader options out of range are rejected")
    func badOptions() throws {
        expectDatasetError({ _ = try LoaderOptions(prefetchDepth: 0) }) { _ in true }
        var options = try LoaderOptions()
        options.decodeThreads = 0
        expectDatasetError({ _ = try BatchLoader(dataset: ProbeDataset(count: 2, side: 2), sampler: SequentialBatchSampler(count: 2, batchSize: 1), options: options) }) { _ in true }
    }

    @Test("the cache answers repeated reads, evicts the least recently used, and stays bounded")
    func cache() throws {
        let dataset = ProbeDataset(count: 10, side: 2)
        let cached = try dataset.cached(capacity: 3)
        for index in [0, 1, 2, 0, 3] { _ = try cached.image(at: index) }  // 3 evicts 1, the least recently used
        #expect(cached.hitsAndMisses == (1, 4))
        _ = try cached.image(at: 0)
        _ = try cached.image(at: 1)
        #expect(cached.hitsAndMisses == (2, 5))
        #expect(dataset.reads.count.withLock { $0 } == 5)
        #expect(try cached.image(at: 4) == dataset.image(at: 4))
        // Many threads at once: every answer is right.
        let wide = try ProbeDataset(count: 200, side: 2).cached(capacity: 50)
        let wrongAnswers = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for index in stride(from: worker, to: 200, by: 3) {
                let sample = try? wide.image(at: index)
                if sample?.pixels.first != Float(index) / 200 { wrongAnswers.withLock { $0 += 1 } }
            }
        }
        #expect(wrongAnswers.withLock { $0 } == 0)
        expectDatasetError({ _ = try dataset.cached(capacity: 0) }) { _ in true }
        var lru = LeastRecentlyUsedCache<String>(capacity: 2)
        lru.insert("a", for: 1)
        lru.insert("b", for: 2)
        _ = lru.value(for: 1)
        lru.insert("c", for: 3)
        #expect(lru.value(for: 2) == nil && lru.value(for: 1) == "a" && lru.count == 2)
    }

    @Test("views: in-memory, resized, subset and relabeled datasets")
    func views() throws {
        let images = (0..<4).map { LabeledImage(pixels: Array(repeating: Float($0) / 4, count: 4), side: 2, label: $0 % 2, subject: "P\($0 / 2)") }
        let memory = try InMemoryDataset(images: images, classNames: ["a", "b"])
        #expect(memory.count == 4 && memory.annotations[3].subject == "P1")
        #expect(try memory.image(at: 2) == images[2])
        let resized = try memory.resized(to: 5)
        #expect(try resized.image(at: 1).pixels == Array(repeating: 0.25, count: 25) && resized.annotations == memory.annotations)
        let subset = try memory.subset([3, 1])
        #expect(subset.labels == [1, 1] && subset.annotations.map(\.subject) == ["P1", "P0"])
        #expect(try subset.image(at: 0) == images[3])
        let relabeled = try memory.relabeled([1, 1, 0, 0])
        #expect(try relabeled.image(at: 0).label == 1 && relabeled.labels == [1, 1, 0, 0])
        let materialized = try InMemoryDataset.materialized(resized)
        #expect(materialized.side == 5)
        #expect(try materialized.image(at: 3) == resized.image(at: 3))
        expectDatasetError({ _ = try memory.subset([4]) }) {
            if case .indexOutOfRange(4, 4) = $0 { return true }
            return false
        }
        expectDatasetError({ _ = try memory.image(at: -1) }) { _ in true }
        expectDatasetError({ _ = try memory.relabeled([0, 1]) }) { _ in true }
        expectDatasetError({ _ = try memory.relabeled([0, 1, 2, 0]) }) { _ in true }
        expectDatasetError({ _ = try InMemoryDataset(images: images, classNames: ["a"]) }) { _ in true }
        expectDatasetError({ _ = try InMemoryDataset(images: images, classNames: ["a", "A"]) }) { _ in true }
        expectDatasetError({ _ = try InMemoryDataset(side: 2, pixelBytes: [1, 2, 3], labels: [0], classNames: ["a"]) }) { _ in true }
        let folds = try SubjectFolds.make(dataset: memory, foldCount: 2)
        #expect(folds.map(\.testIndices) == [[0, 1], [2, 3]])
    }
}
