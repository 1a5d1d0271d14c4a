import Dispatch
import Foundation
import ImageDatasets

/// Images per second of decode + resize + batch when the consumer only takes batches.
func measureThroughput(dataset: FileImageDataset, batch: Int, prefetch: Int, decodeThreads: Int, seed: UInt64) throws -> (imagesPerSecond: Double, seconds: Double) {
    let sampler = try ShuffledBatchSampler(count: dataset.count, batchSize: batch, seed: seed)
    let loader = try BatchLoader(dataset: dataset, sampler: sampler,
                                 options: LoaderOptions(prefetchDepth: prefetch, decodeThreads: decodeThreads, seed: seed))
    let clock = ContinuousClock()
    let start = clock.now
    let epoch = loader.epoch(0)
    var images = 0
    while let next = try epoch.next() { images += next.count }
    let seconds = (clock.now - start).seconds
    return (Double(images) / seconds, seconds)
}

/// What the simulated training loop saw.
struct StepWaitReport {
    let steps: Int
    let stepTime: Duration
    let meanWaitAfterFirst: Duration
    let medianWait: Duration
    let p95Wait: Duration
    let longestWaitAfterFirst: Duration
    let firstWait: Duration
    let wallTime: Duration
}

/// Takes one batch per step and then busy-works `stepTime` on `stepThreads` threads, as a
/// training step would, with augmentation on; reports how long each step waited for data.
func measureStepWait(dataset: FileImageDataset, batch: Int, prefetch: Int, stepTime: Duration, stepThreads: Int,
                     steps: Int, seed: UInt64) throws -> StepWaitReport {
    let sampler = try ClassBalancedBatchSampler(dataset: dataset, samplesPerClass: max(batch / dataset.classNames.count, 1),
                                                batchesPerEpoch: steps, seed: seed)
    let loader = try BatchLoader(dataset: dataset, sampler: sampler,
                                 options: LoaderOptions(prefetchDepth: prefetch, decodeThreads: 1, augmentation: .standard, seed: seed))
    let clock = ContinuousClock()
    let start = clock.now
    let epoch = loader.epoch(0)
    while try epoch.next() != nil {
        busyWork(for: stepTime, threads: stepThreads)
    }
    let wall = clock.now - start
    let waits = epoch.statistics.waitTimes
    let sortedAfterFirst = waits.dropFirst().sorted()
    func percentile(_ p: Double) -> Duration {
        sortedAfterFirst.isEmpty ? .zero : sortedAfterFirst[min(Int(p * Double(sortedAfterFirst.count)), sortedAfterFirst.count - 1)]
    }
    return StepWaitReport(steps: waits.count, stepTime: stepTime, meanWaitAfterFirst: epoch.statistics.meanWaitAfterFirst,
                          medianWait: percentile(0.5), p95Wait: percentile(0.95), longestWaitAfterFirst: sortedAfterFirst.last ?? .zero,
                          firstWait: waits.first ?? .zero, wallTime: wall)
}

/// Keeps `threads` threads computing for `duration`, like a training step keeping the cores busy.
func busyWork(for duration: Duration, threads: Int) {
    guard duration > .zero else { return }
    let clock = ContinuousClock()
    let deadline = clock.now + duration
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        var x = 1.0
        while clock.now < deadline {
            for _ in 0..<1_000 { x = x * 1.000_000_1 + 1e-9 }
        }
        blackHole(x)
    }
}

@inline(never)
func blackHole(_ value: Double) {
    if value.isNaN { print("") }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
    var milliseconds: Double { seconds * 1_000 }
}
