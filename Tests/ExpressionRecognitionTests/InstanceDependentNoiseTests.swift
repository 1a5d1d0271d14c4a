import Foundation
import Testing
@testable import ExpressionRecognition

@Suite("Instance-dependent label noise")
struct InstanceDependentNoiseTests {
    @Test("Within each class the smallest margins flip, to their rival class")
    func flipsSmallestMargins() throws {
        let labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
        let margins = [0.9, -0.2, 0.5, 0.1, 0.3, 0.8, -0.5, 0.7, 0.2, 0.1]
        let rivals = [1, 2, 1, 1, 0, 2, 2, 0, 0, 1]
        let noisy = try InstanceDependentNoise.inject(into: labels, margins: margins, rivals: rivals, classCount: 3, rate: 0.5)
        // Class 0: margins -0.2 and 0.1 (samples 1, 3); class 1: -0.5 and 0.3 (6, 4); class 2: 0.1 (9).
        #expect(noisy.isFlipped == [false, true, false, true, true, false, true, false, false, true])
        #expect(noisy.labels == [0, 2, 0, 1, 0, 1, 2, 1, 2, 1])
        #expect(noisy.cleanLabels == labels)
        #expect(try InstanceDependentNoise.inject(into: labels, margins: margins, rivals: rivals, classCount: 3, rate: 0).flippedCount == 0)
    }

    @Test("Bad input throws")
    func errors() {
        #expect(throws: DatasetError.self) { try InstanceDependentNoise.inject(into: [0, 1], margins: [0, 0], rivals: [1, 0], classCount: 2, rate: 1.5) }
        #expect(throws: DatasetError.self) { try InstanceDependentNoise.inject(into: [0, 1], margins: [0], rivals: [1, 0], classCount: 2, rate: 0.5) }
        #expect(throws: DatasetError.self) { try InstanceDependentNoise.inject(into: [0, 1], margins: [0, 0], rivals: [0, 0], classCount: 2, rate: 0.5) }
        #expect(throws: DatasetError.self) { try InstanceDependentNoise.inject(into: [0, 5], margins: [0, 0], rivals: [1, 0], classCount: 2, rate: 0.5) }
        #expect(throws: DatasetError.self) { try InstanceDependentNoise.inject(into: [0], margins: [0], rivals: [1], classCount: 1, rate: 0.5) }
        #expect(throws: DatasetError.self) { try LabelNoise.inject(into: [0, 1], classCount: 2, rate: 0.5, mode: .instance, seed: 0) }
    }

    @Test("The probe scores every image: margins in [-1, 1], rivals other than the label, the same twice")
    func probeMargins() throws {
        // Two classes told apart by brightness: 24 images of 32x32.
        let side = 32
        var bytes: [UInt8] = [], labels: [Int] = []
        for i in 0..<24 {
            let level: UInt8 = i % 2 == 0 ? UInt8(40 + i) : UInt8(200 - i)
            bytes += Array(repeating: level, count: side * side)
            labels.append(i % 2)
        }
        let dataset = try InMemoryDataset(side: side, pixelBytes: bytes, labels: labels, classNames: ["dark", "bright"])
        var probe = InstanceDependentNoise.Probe()
        probe.batchSize = 8
        let first = try InstanceDependentNoise.margins(of: dataset, side: side, probe: probe, seed: 3)
        #expect(first.margins.count == 24)
        #expect(first.margins.allSatisfy { $0 >= -1 && $0 <= 1 })
        #expect(zip(first.rivals, labels).allSatisfy { $0 != $1 })
        let second = try InstanceDependentNoise.margins(of: dataset, side: side, probe: probe, seed: 3)
        #expect(first.margins == second.margins)
        probe.epochs = 0
        #expect(throws: DatasetError.self) { try InstanceDependentNoise.margins(of: dataset, side: side, probe: probe, seed: 3) }
    }

    @Test("A stop request ends the probe at the next batch, in training and in scoring")
    func probeStops() throws {
        let side = 32
        let labels = (0..<24).map { $0 % 2 }
        let bytes = labels.flatMap { Array(repeating: UInt8($0 == 0 ? 50 : 200), count: side * side) }
        let dataset = try InMemoryDataset(side: side, pixelBytes: bytes, labels: labels, classNames: ["dark", "bright"])
        var probe = InstanceDependentNoise.Probe()
        probe.batchSize = 8
        // Count the checks of a whole probe: one per training batch and one per scoring batch.
        var checks = 0
        _ = try InstanceDependentNoise.margins(of: dataset, side: side, probe: probe, seed: 3, stopSignal: { checks += 1; return nil })
        #expect(checks == probe.epochs * 3 + 1)  // 24 images: 3 training batches of 8, 1 scoring batch of 64
        // A stop at the first check (before any step) and at the last one (the scoring pass).
        for stopAt in [1, checks] {
            var seen = 0
            let error = #expect(throws: StoppedBeforeTraining.self) {
                try InstanceDependentNoise.margins(of: dataset, side: side, probe: probe, seed: 3,
                                                   stopSignal: { seen += 1; return seen == stopAt ? SIGTERM : nil })
            }
            #expect(seen == stopAt)
            #expect(error?.exitStatus == 128 + SIGTERM)
            #expect(error?.description.contains("SIGTERM during the instance-noise probe") == true)
        }
    }
}
