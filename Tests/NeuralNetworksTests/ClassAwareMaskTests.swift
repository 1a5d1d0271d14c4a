import Foundation
import Testing
import NeuralNetworks
import Tensors

@Suite("Class-aware mask and noise-rate estimate")
struct ClassAwareMaskTests {
    func mask(_ rate: DropRate, warmup: Int = 0, classes: Int = 3) throws -> ClassAwareMask {
        try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: rate, warmupEpochs: warmup), classCount: classes)
    }

    @Test("Within each class the largest scores are masked, and the remainder carries to the next batch")
    func perClassRanking() throws {
        var m = try mask(.fixed(0.3))
        m.startEpoch(0)
        // Class 0 scores grow with the index, class 1 shrinks, class 2 is alone in its batch slot.
        let labels = [0, 0, 0, 1, 1, 1, 2, 0, 1, 2]
        let scores = [0.1, 0.5, 0.9, 3.0, 2.0, 1.0, 7.0, 0.2, 0.4, 6.0]
        let first = try m.decide(scores: scores, labels: labels)
        // 0.3 x 4 = 1.2 -> 1 dropped from class 0 (the 0.9), 0.3 x 4 -> 1 from class 1 (the 3.0), 0.3 x 2 = 0.6 -> none from class 2.
        #expect(first.keep == [true, true, false, false, true, true, true, true, true, true])
        let second = try m.decide(scores: scores, labels: labels)
        // Carries 0.2, 0.2, 0.6: class 0 and 1 drop 1 again (1.4), class 2 drops its largest (1.2).
        #expect(second.keep == [true, true, false, false, true, true, false, true, true, true])
        // Over many batches exactly the rate is dropped from every class.
        var dropped = [0, 0, 0], seen = [0, 0, 0]
        for _ in 0..<98 {
            let d = try m.decide(scores: scores, labels: labels)
            for (k, c) in zip(d.keep, labels) { seen[c] += 1; if !k { dropped[c] += 1 } }
        }
        for c in 0..<3 { #expect(abs(Double(dropped[c]) / Double(seen[c]) - 0.3) < 0.01, "class \(c): \(dropped[c]) of \(seen[c])") }
    }

    @Test("The rate ramps up over the warm-up epochs")
    func warmup() throws {
        var m = try mask(.fixed(0.4), warmup: 2)
        m.startEpoch(0)
        #expect(m.rates == [0, 0, 0])
        m.startEpoch(1)
        #expect(m.rates.allSatisfy { abs($0 - 0.2) < 1e-12 })
        m.startEpoch(5)
        #expect(m.rates.allSatisfy { abs($0 - 0.4) < 1e-12 })
    }

    @Test("Estimated rates come from the previous epoch's scores of each class")
    func estimatedRates() throws {
        var m = try mask(.estimated, classes: 2)
        m.startEpoch(0)
        #expect(m.rates == [0, 0], "nothing to estimate from in the first epoch")
        var g = SeededGenerator(seed: 4)
        func normal(_ mean: Double, _ sd: Double) -> Double {
            let u = max(g.nextUnitDouble(), 1e-12), v = g.nextUnitDouble()
            return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        // Class 0: 30% of its scores far above the rest; class 1: one group only.
        for _ in 0..<20 {
            var scores: [Double] = [], labels: [Int] = []
            for i in 0..<50 { scores.append(i < 15 ? normal(4, 0.5) : normal(0.5, 0.3)); labels.append(0) }
            for _ in 0..<50 { scores.append(normal(1, 0.3)); labels.append(1) }
            _ = try m.decide(scores: scores, labels: labels)
        }
        m.finishEpoch()
        m.startEpoch(1)
        #expect(abs(m.rates[0] - 0.3) < 0.03, "\(m.rates)")
        #expect(m.rates[1] == 0, "\(m.rates)")
    }

    @Test("A saved mask continues exactly where it stopped")
    func codableRoundTrip() throws {
        var m = try mask(.fixed(0.25))
        m.startEpoch(1)
        let labels = [0, 1, 2, 0, 1, 2, 0]
        let scores = [1.0, 2, 3, 4, 5, 6, 7]
        _ = try m.decide(scores: scores, labels: labels)
        var restored = try JSONDecoder().decode(ClassAwareMask.self, from: JSONEncoder().encode(m))
        #expect(restored == m)
        #expect(try restored.decide(scores: scores, labels: labels) == m.decide(scores: scores, labels: labels))
    }

    @Test("Bad settings and bad batches throw")
    func errors() throws {
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, rate: .fixed(1)) }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, rate: .fixed(-0.1)) }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, rate: .fixed(.nan)) }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, warmupEpochs: -1) }
        #expect(throws: TensorError.self) { try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss), classCount: 1) }
        var m = try mask(.fixed(0.2))
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0]) }
        #expect(throws: TensorError.self) { try m.decide(scores: [], labels: []) }
        #expect(throws: TensorError.self) { try m.decide(scores: [1, .infinity], labels: [0, 1]) }
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0, 3]) }
    }

    @Test("The combined score standardises both parts")
    func combinedScore() {
        let s = ClassAwareMask.combined([1, 2, 3], [10, 10, 40])
        #expect(s.count == 3)
        #expect(abs(s.reduce(0, +)) < 1e-12)
        #expect(s[2] > s[1] && s[1] > s[0])
        #expect(ClassAwareMask.combined([5, 5], [1, 1]) == [0, 0])
    }

    @Test("Noise-rate estimate: a separated group, one skewed group, too few or constant scores")
    func noiseRateEstimate() {
        var g = SeededGenerator(seed: 9)
        let mixed = (0..<1000).map { i -> Double in i < 400 ? 5 + g.nextUnitDouble() : g.nextUnitDouble() }
        #expect(abs(NoiseRateEstimate.highComponentWeight(of: mixed) - 0.4) < 0.02)
        // Exponential losses of a clean class: one group with a long tail, not two groups.
        let skewed = (0..<2000).map { _ in -log(max(g.nextUnitDouble(), 1e-12)) }
        #expect(NoiseRateEstimate.highComponentWeight(of: skewed) == 0)
        #expect(NoiseRateEstimate.highComponentWeight(of: [1, 2, 3]) == 0)
        #expect(NoiseRateEstimate.highComponentWeight(of: Array(repeating: 2, count: 50)) == 0)
    }
}
