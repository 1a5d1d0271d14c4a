import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

/// A dataset read under BadSamplePolicy.skip keeps skipping images that fail to decode
/// later, in the loader, whatever loader options the trainer built.
@Suite("Skipping images that fail to decode during training")
struct DecodeTimeSkipTests {
    @Test("a folder read with --skip-bad-samples: the loader leaves the corrupt image out and counts it")
    func loaderFollowsTheDatasetsPolicy() throws {
        let root = try temporaryDirectory("decode-skip")
        defer { try? FileManager.default.removeItem(at: root) }
        for i in 0..<3 { try writeFlatPNG(level: 40 * i, to: "a/\(i).png", in: root) }
        for i in 0..<3 { try writeFlatPNG(level: 40 * i, to: "b/\(i).png", in: root) }
        try writeText("this is no image", to: "b/9.png", in: root)
        let spec = try DatasetSpecification(parsing: "folder:\(root.path):\(root.path)", skipBadSamples: true)
        let (train, _) = try spec.load(side: 4)
        #expect(train.count == 7)
        let sampler = try SequentialBatchSampler(count: train.count, batchSize: 4)
        let epoch = try BatchLoader(dataset: train, sampler: sampler, options: LoaderOptions(prefetchDepth: 2)).epoch(0)
        let batches = try epoch.collect()
        #expect(batches.map(\.count) == [4, 2])
        #expect(epoch.statistics.skipped.count == 1)
        #expect(epoch.statistics.skipped.description.contains("9.png"))

        // Without the policy the same image stops the epoch.
        let strict = try DatasetSpecification(parsing: "folder:\(root.path):\(root.path)").load(side: 4).train
        let failing = try BatchLoader(dataset: strict, sampler: sampler, options: LoaderOptions(prefetchDepth: 2)).epoch(0)
        expectDatasetError(mentioning: "9.png", { _ = try failing.collect() }) {
            if case .corruptImage = $0 { return true }
            return false
        }
    }
}
