import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

@Suite("Sampling, folds, class weights and label noise")
struct SamplingTests {
    @Test("sequential batches cover every index in order")
    func sequential() throws {
        let sampler = try SequentialBatchSampler(count: 7, batchSize: 3)
        #expect(sampler.batches(forEpoch: 5) == [[0, 1, 2], [3, 4, 5], [6]])
    }

    @Test("shuffled batches: a permutation per epoch, repeatable, different across epochs, dropLast")
    func shuffled() throws {
        let sampler = try ShuffledBatchSampler(count: 10, batchSize: 4, seed: 7)
        let epoch0 = sampler.batches(forEpoch: 0)
        #expect(epoch0.map(\.count) == [4, 4, 2])
        #expect(epoch0.flatMap { $0 }.sorted() == Array(0..<10))
        #expect(sampler.batches(forEpoch: 0) == epoch0)
        #expect(sampler.batches(forEpoch: 1) != epoch0)
        #expect(try ShuffledBatchSampler(count: 10, batchSize: 4, seed: 8).batches(forEpoch: 0) != epoch0)
        let dropping = try ShuffledBatchSampler(count: 10, batchSize: 4, seed: 7, dropLast: true)
        #expect(dropping.batches(forEpoch: 0).map(\.count) == [4, 4])
        expectDatasetError({ _ = try ShuffledBatchSampler(count: 3, batchSize: 4, seed: 1, dropLast: true) }) { _ in true }
        expectDatasetError({ _ = try ShuffledBatchSampler(count: 3, batchSize: 0, seed: 1) }) { _ in true }
    }

    @Test("class-balanced batches hold 9 of each of 7 classes (63), from very unequal classes")
    func classBalanced() throws {
        // Class sizes 1, 5, 50, 200, 3, 9, 30: the paper's imbalance in miniature.
        let sizes = [1, 5, 50, 200, 3, 9, 30]
        let labels = sizes.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }
        let sampler = try ClassBalancedBatchSampler(labels: labels, classCount: 7, samplesPerClass: 9, seed: 3)
        #expect(sampler.batchSize == 63 && sampler.batchesPerEpoch == labels.count / 63)
        let batches = sampler.batches(forEpoch: 0)
        for batch in batches {
            var counts = [Int](repeating: 0, count: 7)
            for index in batch { counts[labels[index]] += 1 }
            #expect(counts == Array(repeating: 9, count: 7))
        }
        // The large class is spread out: no index of class 3 repeats before all have been used.
        let classThree = batches.flatMap { $0 }.filter { labels[$0] == 3 }
        #expect(Set(classThree).count == min(classThree.count, 200))
        #expect(sampler.batches(forEpoch: 0) == batches && sampler.batches(forEpoch: 1) != batches)
        let fixed = try ClassBalancedBatchSampler(labels: labels, classCount: 7, samplesPerClass: 2, batchesPerEpoch: 5, seed: 1)
        #expect(fixed.batches(forEpoch: 0).count == 5)
        expectDatasetError(mentioning: "class 2 has no samples", {
            _ = try ClassBalancedBatchSampler(labels: [0, 1], classCount: 3, samplesPerClass: 1, seed: 1)
        }) { _ in true }
        expectDatasetError(mentioning: "label 5", { _ = try ClassBalancedBatchSampler(labels: [0, 5], classCount: 2, samplesPerClass: 1, seed: 1) }) { _ in true }
    }

    @Test("class weights are N / (K n_c)")
    func classWeights() throws {
        let weights = try ClassWeights.inverseFrequency(labels: [0, 0, 0, 1], classCount: 2)
        #expect(weights == [4.0 / 6.0, 2.0])
        expectDatasetError(mentioning: "class 2", { _ = try ClassWeights.inverseFrequency(labels: [0, 1], classCount: 3) }) { _ in true }
    }

    @Test("subject folds: every subject tested exactly once, never also trained on")
    func subjectFolds() throws {
        let subjects: [String?] = (0..<100).map { "S\($0 % 23)" }
        let folds = try SubjectFolds.make(subjects: subjects, foldCount: 10)
        #expect(folds.count == 10)
        var tested = [String]()
        for fold in folds {
            let testSubjects = Set(fold.testIndices.map { subjects[$0]! })
            let trainSubjects = Set(fold.trainIndices.map { subjects[$0]! })
            #expect(testSubjects.isDisjoint(with: trainSubjects))
            #expect(Set(fold.testSubjects) == testSubjects)
            #expect((fold.trainIndices + fold.testIndices).sorted() == Array(0..<100))
            tested += fold.testSubjects
        }
        #expect(tested.count == 23 && Set(tested).count == 23)
        #expect(folds[0].testSubjects == ["S0", "S10", "S20"])  // natural order dealt in turn
        #expect(try SubjectFolds.make(subjects: subjects, foldCount: 10) == folds)
        #expect(try SubjectFolds.make(subjects: subjects, foldCount: 10, seed: 4) != folds)
        expectDatasetError(mentioning: "sample 1 has no subject", { _ = try SubjectFolds.make(subjects: ["a", nil, "b"], foldCount: 2) }) { _ in true }
        expectDatasetError(mentioning: "2 subjects cannot fill 3 folds", { _ = try SubjectFolds.make(subjects: ["a", "b"], foldCount: 3) }) { _ in true }
        expectDatasetError({ _ = try SubjectFolds.make(subjects: ["a", "b"], foldCount: 1) }) { _ in true }
    }

    @Test("label noise flips exactly round(rate N) labels, symmetric to another class, pairwise to the next")
    func labelNoise() throws {
        let labels = (0..<1_000).map { $0 % 10 }
        let symmetric = try LabelNoise.inject(into: labels, classCount: 10, rate: 0.4, mode: .symmetric, seed: 5)
        #expect(symmetric.flippedCount == 400 && symmetric.cleanLabels == labels)
        for index in labels.indices {
            #expect((symmetric.labels[index] != labels[index]) == symmetric.isFlipped[index])
        }
        // Uniform over the 9 other classes: each target gets about 400 / 9 = 44.
        var targets = [Int](repeating: 0, count: 10)
        for index in labels.indices where symmetric.isFlipped[index] { targets[symmetric.labels[index]] += 1 }
        #expect(targets.allSatisfy { $0 > 15 && $0 < 75 })
        let pairwise = try LabelNoise.inject(into: labels, classCount: 10, rate: 0.2, mode: .pairwise, seed: 5)
        #expect(pairwise.flippedCount == 200)
        for index in labels.indices where pairwise.isFlipped[index] {
            #expect(pairwise.labels[index] == (labels[index] + 1) % 10)
        }
        #expect(try LabelNoise.inject(into: labels, classCount: 10, rate: 0.4, mode: .symmetric, seed: 5) == symmetric)
        #expect(try LabelNoise.inject(into: labels, classCount: 10, rate: 0, mode: .symmetric, seed: 5).flippedCount == 0)
        #expect(try LabelNoise.inject(into: labels, classCount: 10, rate: 1, mode: .pairwise, seed: 5).flippedCount == 1_000)
        expectDatasetError(mentioning: "rate", { _ = try LabelNoise.inject(into: labels, classCount: 10, rate: 1.5, mode: .symmetric, seed: 1) }) { _ in true }
        expectDatasetError({ _ = try LabelNoise.inject(into: [0, 3], classCount: 2, rate: 0.5, mode: .symmetric, seed: 1) }) { _ in true }
    }

    @Test("a mask's precision and recall on the flipped samples")
    func flipDetection() throws {
        let noisy = NoisyLabels(labels: [1, 0, 0, 1], cleanLabels: [0, 0, 0, 0], isFlipped: [true, false, false, true])
        let detection = noisy.detection(rejected: [0, 1])
        #expect(detection.truePositives == 1 && detection.falsePositives == 1)
        #expect(detection.precision == 0.5 && detection.recall == 0.5)
        #expect(noisy.detection(rejected: []).precision == 1 && noisy.detection(rejected: []).recall == 0)
    }
}
