import Foundation
import Testing
import NeuralNetworks
import Tensors

@Suite("Class-aware mask and noise-rate estimate")
struct ClassAwareMaskTests {
    func mask(_ rate: DropRate, warmup: Int = 0, classes: Int = 3, window: Int = 0) throws -> ClassAwareMask {
        try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: rate, warmupEpochs: warmup, rankingWindow: window), classCount: classes)
    }

    @Test("With a ranking window the count dropped follows the wrong labels a batch holds")
    func rankingWindow() throws {
        // Class 0: clean scores near 1, wrong labels near 5, 30% of them, spread unevenly over
        // batches of 6 (0 to 4 wrong labels per batch); class 1 has no wrong labels.
        var windowed = try mask(.fixed(0.3), classes: 2, window: 60)
        var batchRanked = try mask(.fixed(0.3), classes: 2)
        windowed.startEpoch(0); batchRanked.startEpoch(0)
        var g = SeededGenerator(seed: 3)
        var caught = [0, 0], clean = [0, 0], wrong = 0
        for b in 0..<200 {
            let wrongInBatch = [0, 1, 2, 3, 4][b % 5] // 2 of 6 on average: 33%
            var scores: [Double] = [], labels: [Int] = [], isWrong: [Bool] = []
            for i in 0..<6 {
                let w = i < wrongInBatch
                scores.append((w ? 5 : 1) + g.nextUnitDouble()); labels.append(0); isWrong.append(w)
            }
            wrong += wrongInBatch
            for (k, d) in [try windowed.decide(scores: scores, labels: labels), try batchRanked.decide(scores: scores, labels: labels)].enumerated() {
                for i in 0..<6 where !d.keep[i] { if isWrong[i] { caught[k] += 1 } else { clean[k] += 1 } }
            }
        }
        // The window's 30% quantile falls between the groups: it drops wrong labels only,
        // 30/33 of them (the batches after the window filled). Ranking within the batch drops
        // 1.8 per batch whatever it holds: clean samples where a batch has fewer wrong labels.
        #expect(clean[0] <= 6, "windowed ranking dropped \(clean[0]) clean samples")
        #expect(Double(caught[0]) > 0.85 * Double(wrong), "windowed ranking caught \(caught[0]) of \(wrong)")
        #expect(clean[1] > 50, "batch ranking dropped \(clean[1]) clean samples")
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

    @Test("A saved mask continues exactly where it stopped; one saved before the window ranks within the batch")
    func codableRoundTrip() throws {
        var m = try mask(.fixed(0.25), window: 5)
        m.startEpoch(1)
        let labels = [0, 1, 2, 0, 1, 2, 0]
        let scores = [1.0, 2, 3, 4, 5, 6, 7]
        _ = try m.decide(scores: scores, labels: labels)
        var restored = try JSONDecoder().decode(ClassAwareMask.self, from: JSONEncoder().encode(m))
        #expect(restored == m)
        #expect(try restored.decide(scores: scores, labels: labels) == m.decide(scores: scores, labels: labels))
        let old = #"{"score":"small-loss","rate":{"fixed":{"_0":0.25}},"warmupEpochs":1}"#
        #expect(try JSONDecoder().decode(ClassAwareRule.self, from: Data(old.utf8)).rankingWindow == 0)
        let broken = String(decoding: try JSONEncoder().encode(m), as: UTF8.self).replacingOccurrences(of: #""classCount":3"#, with: #""classCount":4"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ClassAwareMask.self, from: Data(broken.utf8)) }
    }

    @Test("Bad settings and bad batches throw")
    func errors() throws {
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, rate: .fixed(1)) }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, rate: .fixed(-0.1)) }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, rate: .fixed(.nan)) }
        #expect(throws: TensorError.invalidArgument(op: "ClassAwareRule", message: "the random control needs a fixed drop rate, not an estimated one")) {
            try ClassAwareRule(score: .random)
        }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, warmupEpochs: -1) }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, rankingWindow: -1) }
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

    /// Batches of 6 samples of class 0 holding 0 to 4 wrong labels (scores around 5 against
    /// around 1; 33% wrong) and 6 of class 1 with none; returns what each decision dropped.
    func unevenBatches(_ m: inout ClassAwareMask, batches: Int = 100, seed: UInt64 = 3) throws -> (caught: Int, cleanDropped: [Int], wrong: Int) {
        var g = SeededGenerator(seed: seed)
        func normal(_ mean: Double, _ sd: Double) -> Double {
            let u = max(g.nextUnitDouble(), 1e-12), v = g.nextUnitDouble()
            return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        var caught = 0, cleanDropped = [0, 0], wrong = 0
        for b in 0..<batches {
            let wrongInBatch = [0, 1, 2, 3, 4][b % 5]
            var scores: [Double] = [], labels: [Int] = [], isWrong: [Bool] = []
            for i in 0..<12 {
                let w = i < wrongInBatch
                scores.append(w ? normal(5, 0.5) : normal(1, 0.3)); labels.append(i < 6 ? 0 : 1); isWrong.append(w)
            }
            wrong += wrongInBatch
            let d = try m.decide(scores: scores, labels: labels)
            for i in 0..<12 where !d.keep[i] { if isWrong[i] { caught += 1 } else { cleanDropped[labels[i]] += 1 } }
        }
        return (caught, cleanDropped, wrong)
    }

    @Test("Threshold selection: the last epoch's mixture sets each class's threshold, so the count dropped follows the wrong labels a batch holds")
    func thresholdSelection() throws {
        var m = try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: .estimated, warmupEpochs: 1, selection: .threshold), classCount: 2)
        m.startEpoch(0)
        let first = try unevenBatches(&m)
        #expect(first.caught == 0 && first.cleanDropped == [0, 0], "nothing to set a threshold from in the first epoch")
        m.finishEpoch()
        m.startEpoch(1)
        let t = try #require(m.thresholds)
        #expect(t[0] > 2 && t[0] < 5, "class 0's threshold \(t[0]) lies between its groups")
        #expect(t[1] == .infinity, "class 1 has one group: nothing to drop")
        #expect(try JSONDecoder().decode(ClassAwareMask.self, from: JSONEncoder().encode(m)) == m, "a class without a threshold is saved too")
        #expect(abs(m.rates[0] - 200.0 / 600) < 0.01 && m.rates[1] == 0, "\(m.rates)")
        let second = try unevenBatches(&m, seed: 4)
        #expect(second.caught == second.wrong && second.cleanDropped == [0, 0], "caught \(second.caught) of \(second.wrong), clean dropped \(second.cleanDropped)")
        // Ranking within the batch at the same rate drops clean samples where a batch holds few wrong labels.
        var ranked = try mask(.fixed(1.0 / 3), classes: 2)
        ranked.startEpoch(0)
        let rankedOutcome = try unevenBatches(&ranked, seed: 4)
        #expect(rankedOutcome.cleanDropped[0] > 50 && rankedOutcome.cleanDropped[1] > 100, "\(rankedOutcome.cleanDropped)")
    }

    /// One epoch of class 0 (indices 0..<60k, the first 20k wrongly labelled: scores around 5
    /// against around 1) and class 1 (indices 60k..<120k, all clean), in batches of 6 of each
    /// class whose count of wrong labels cycles through 0 to 4; returns what the epoch dropped.
    func historyEpoch(_ m: inout ClassAwareMask, seed: UInt64, scale k: Int = 1) throws -> Set<Int> {
        var g = SeededGenerator(seed: seed)
        func normal(_ mean: Double, _ sd: Double) -> Double {
            let u = max(g.nextUnitDouble(), 1e-12), v = g.nextUnitDouble()
            return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        var wrongQueue = Array(0..<20 * k), cleanQueue = Array(20 * k..<60 * k), dropped = Set<Int>()
        for b in 0..<10 * k {
            let w = [0, 1, 2, 3, 4][b % 5]
            let samples = Array(wrongQueue.prefix(w)) + Array(cleanQueue.prefix(6 - w)) + Array(60 * k + 6 * b ..< 60 * k + 6 * b + 6)
            wrongQueue.removeFirst(w); cleanQueue.removeFirst(6 - w)
            let scores = samples.map { $0 < 20 * k ? normal(5, 0.5) : normal(1, 0.3) }
            let d = try m.decide(scores: scores, labels: samples.map { $0 < 60 * k ? 0 : 1 }, samples: samples)
            for (i, keep) in d.keep.enumerated() where !keep { dropped.insert(samples[i]) }
        }
        return dropped
    }

    @Test("History selection ranks each sample's average over the whole class and holds the choice for the epoch")
    func historySelection() throws {
        var m = try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: .fixed(1.0 / 3), warmupEpochs: 0, selection: .history), classCount: 2)
        m.startEpoch(0)
        #expect(try historyEpoch(&m, seed: 1).isEmpty, "no history yet in the first epoch")
        m.finishEpoch()
        m.startEpoch(1)
        // A third of each class: exactly the 20 wrong labels of class 0, and 20 of class 1's
        // clean samples (its own largest averages: a fixed rate drops even from a clean class).
        let second = try historyEpoch(&m, seed: 2)
        #expect(second.filter { $0 < 60 } == Set(0..<20), "\(second.sorted())")
        #expect(second.filter { $0 >= 60 }.count == 20)
        // Ranking within each batch at the same rate drops 2 of every 6 of class 0: clean ones
        // from the batches with 0 or 1 wrong labels (2 + 1, twice), and it misses wrong ones in
        // those with 3 or 4 (1 + 2, twice).
        var ranked = try mask(.fixed(1.0 / 3), classes: 2)
        ranked.startEpoch(0)
        let inBatch = try historyEpoch(&ranked, seed: 2)
        #expect(inBatch.filter { (20..<60).contains($0) }.count == 6 && inBatch.filter { $0 < 20 }.count == 14, "\(inBatch.sorted())")
    }

    @Test("History selection: the estimated rate comes from the averages; a run resumed within an epoch drops the same samples and continues alike")
    func historySelectionEstimateAndResume() throws {
        var m = try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: .estimated, warmupEpochs: 1, selection: .history), classCount: 2)
        m.startEpoch(0)
        _ = try historyEpoch(&m, seed: 1, scale: 10)
        m.finishEpoch()
        m.startEpoch(1)
        #expect(abs(m.rates[0] - 1.0 / 3) < 0.03 && m.rates[1] == 0, "\(m.rates)")
        #expect(m.historySelected.count == 200 && m.historySelected.isSubset(of: Set(0..<200)))
        // Half an epoch, saved and restored: starting the same epoch again keeps its choice,
        // and both masks end the epoch and choose the next one alike.
        for _ in 0..<3 { _ = try m.decide(scores: Array(repeating: 0, count: 20), labels: Array(repeating: 0, count: 20), samples: Array(0..<20)) }
        var restored = try JSONDecoder().decode(ClassAwareMask.self, from: JSONEncoder().encode(m))
        #expect(restored == m)
        restored.startEpoch(1)
        #expect(restored.historySelected == m.historySelected)
        _ = try historyEpoch(&m, seed: 5, scale: 10)
        _ = try historyEpoch(&restored, seed: 5, scale: 10)
        m.finishEpoch(); restored.finishEpoch()
        m.startEpoch(2); restored.startEpoch(2)
        #expect(restored == m && restored.historySelected == m.historySelected && restored.rates == m.rates)
        let sorted = JSONEncoder()
        sorted.outputFormatting = .sortedKeys
        #expect(try sorted.encode(restored) == sorted.encode(m), "the saved lists do not depend on dictionary order")
    }

    @Test("Score history: one mean per epoch however often a sample is drawn; a sample not drawn is not ranked; a new label starts again")
    func scoreHistoryPerEpoch() throws {
        var m = try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: .fixed(0.5), warmupEpochs: 0, selection: .history), classCount: 2)
        m.startEpoch(0)
        // Sample 0 drawn three times (9, 0, 0: mean 3), as a class-balanced sampler draws a
        // small class's samples; samples 1, 2, 3 once (1, 2.5, 5); sample 4 of class 1 once.
        for (score, sample) in [(9.0, 0), (1, 1), (0, 0), (2.5, 2), (0, 0), (5, 3)] {
            _ = try m.decide(scores: [score], labels: [0], samples: [sample])
        }
        _ = try m.decide(scores: [7], labels: [1], samples: [4])
        m.finishEpoch()
        #expect(m.history?.records[0]?.average == 3)
        m.startEpoch(1)
        // Half of class 0 by the epoch means: 5 (sample 3) and 3 (sample 0). Averaging each
        // draw in turn would have given sample 0 only 2.25 and chosen sample 2 instead.
        #expect(m.historySelected == [3, 0, 4], "\(m.historySelected.sorted())")
        // Epoch 1 draws samples 1, 2, 3 only.
        for (score, sample) in [(1.0, 1), (3, 2), (5, 3)] { _ = try m.decide(scores: [score], labels: [0], samples: [sample]) }
        m.finishEpoch()
        #expect(m.history?.records[2]?.average == ScoreHistory.decay * 2.5 + (1 - ScoreHistory.decay) * 3)
        m.startEpoch(2)
        // Ranked among the three drawn: round(1.5) = 2 of them; sample 0 (average 3) is left
        // out, not drawn in epoch 1, and so is sample 4.
        #expect(m.historySelected == [3, 2], "\(m.historySelected.sorted())")
        // A sample under a new label starts a new average.
        _ = try m.decide(scores: [0.5], labels: [1], samples: [3])
        m.finishEpoch()
        let restarted = try #require(m.history?.records[3])
        #expect(restarted.label == 1 && restarted.average == 0.5 && restarted.lastEpoch == 2)
    }

    @Test("History selection needs every sample's index; corrupt histories are refused")
    func historySelectionErrors() throws {
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, rankingWindow: 8, selection: .history) }
        var m = try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: .fixed(0.2), selection: .history), classCount: 2)
        m.startEpoch(0)
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0, 1]) }
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0, 1], samples: [4]) }
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0, 1], samples: [4, -1]) }
        _ = try m.decide(scores: [1, 2], labels: [0, 1], samples: [4, 5])
        m.finishEpoch()
        m.startEpoch(1)
        _ = try m.decide(scores: [3], labels: [0], samples: [6])
        let saved = String(decoding: try JSONEncoder().encode(m), as: UTF8.self)
        #expect(try JSONDecoder().decode(ClassAwareMask.self, from: Data(saved.utf8)) == m)
        let corruptions = [(#""indices":[4,5]"#, #""indices":[4,4]"#), (#""indices":[4,5]"#, #""indices":[4]"#),
                           (#""indices":[4,5]"#, #""indices":[-4,5]"#), (#""labels":[0,1]"#, #""labels":[0,2]"#),
                           (#""averages":[1,2]"#, #""averages":[1,1e999]"#), (#""pendingCounts":[1]"#, #""pendingCounts":[0]"#),
                           (#""pendingLabels":[0]"#, #""pendingLabels":[7]"#), (#""historySelected":[]"#, #""historySelected":[9]"#),
                           (#""historyEpoch":1"#, #""historyEpoch":-1"#)]
        for (good, bad) in corruptions {
            #expect(saved.contains(good), "\(good) not in \(saved)")
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(ClassAwareMask.self, from: Data(saved.replacingOccurrences(of: good, with: bad).utf8)) }
        }
        // A rank mask's state with a history, or a history mask's without one, does not fit.
        let rank = String(decoding: try JSONEncoder().encode(try mask(.fixed(0.2), classes: 2)), as: UTF8.self)
        #expect(!rank.contains("\"history\""))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ClassAwareMask.self, from: Data(saved.replacingOccurrences(of: #""selection":"history""#, with: #""selection":"rank""#).utf8))
        }
    }

    @Test("Correction relabels a selected sample with its averaged prediction's first class when confident enough, drops the rest, and holds the choice for the epoch")
    func correctionFromAveragedPredictions() throws {
        let rule = try ClassAwareRule(score: .sampleLoss, rate: .fixed(0.5), warmupEpochs: 0, selection: .history, action: .correct, correctionConfidence: 0.6)
        var m = try ClassAwareMask(rule: rule, classCount: 3)
        m.startEpoch(0)
        // Class 0 holds samples 0-3; the two with the largest losses (2 and 3) are selected.
        // Sample 2 is drawn twice in the epoch: its predictions (0.1, 0.9, 0) and (0.1, 0.5, 0.4)
        // average to (0.1, 0.7, 0.2); sample 3's single prediction puts class 2 first at 0.55.
        let draws: [(score: Double, sample: Int, prediction: [Double])] = [
            (0.1, 0, [0.9, 0.05, 0.05]), (0.2, 1, [0.8, 0.1, 0.1]), (3, 2, [0.1, 0.9, 0]), (2, 3, [0.3, 0.15, 0.55]), (4, 2, [0.1, 0.5, 0.4])]
        for d in draws { _ = try m.decide(scores: [d.score], labels: [0], samples: [d.sample], predictions: [d.prediction]) }
        m.finishEpoch()
        let averaged = try #require(m.history?.records[2]?.prediction)
        #expect(zip(averaged, [0.1, 0.7, 0.2]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(averaged)")
        m.startEpoch(1)
        #expect(m.historySelected == [2, 3])
        // Sample 2 goes to class 1 (0.7 >= 0.6); sample 3's 0.55 is short of 0.6: dropped only.
        #expect(m.corrections == [2: 1])
        let d = try m.decide(scores: [0, 0, 0], labels: [0, 0, 0], samples: [2, 3, 1], predictions: [[0.1, 0.9, 0], [0, 0, 1], [1, 0, 0]])
        #expect(d.keep == [false, false, true], "a corrected sample is selected like a dropped one; the trainer relabels it")
        _ = try m.decide(scores: [5], labels: [0], samples: [3], predictions: [[0, 0, 1]])
        _ = try m.decide(scores: [1, 0.1], labels: [0, 0], samples: [0, 2], predictions: [[1, 0, 0], [1, 0, 0]])
        #expect(m.corrections == [2: 1], "the choice holds for the epoch whatever this epoch's predictions say")
        m.finishEpoch()
        m.startEpoch(2)
        // Averages: samples 3 and 2 stay the largest (2.25 and 1.775, against 0.55 and 0.1).
        // Sample 3's prediction moves by half to (0.15, 0.075, 0.775): corrected to class 2.
        // Sample 2's to (0.325, 0.575, 0.1): class 1 falls short of 0.6, so it is only dropped.
        #expect(m.historySelected == [2, 3])
        #expect(m.corrections == [3: 2])
        // A correction survives a save and restore mid-epoch.
        let restored = try JSONDecoder().decode(ClassAwareMask.self, from: JSONEncoder().encode(m))
        #expect(restored == m && restored.corrections == m.corrections)
    }

    @Test("Correction needs history selection, a confidence in (0, 1] and every sample's class probabilities; corrupt corrections are refused")
    func correctionErrors() throws {
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, selection: .rank, action: .correct) }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, selection: .history, action: .correct, correctionConfidence: 0) }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, selection: .history, action: .correct, correctionConfidence: 1.5) }
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, selection: .history, action: .correct, correctionConfidence: .nan) }
        // A saved rule is checked as a new one.
        let savedRule = String(decoding: try JSONEncoder().encode(try ClassAwareRule(score: .sampleLoss, selection: .history, action: .correct)), as: UTF8.self)
        #expect(try JSONDecoder().decode(ClassAwareRule.self, from: Data(savedRule.utf8)).correctionConfidence == 0.5)
        #expect(throws: TensorError.self) {
            try JSONDecoder().decode(ClassAwareRule.self, from: Data(savedRule.replacingOccurrences(of: #""selection":"history""#, with: #""selection":"rank""#).utf8))
        }
        #expect(throws: TensorError.self) {
            try JSONDecoder().decode(ClassAwareRule.self, from: Data(savedRule.replacingOccurrences(of: #""correctionConfidence":0.5"#, with: #""correctionConfidence":-1"#).utf8))
        }
        var m = try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: .fixed(0.5), warmupEpochs: 0, selection: .history, action: .correct), classCount: 2)
        m.startEpoch(0)
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0, 0], samples: [0, 1]) }
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0, 0], samples: [0, 1], predictions: [[0.5, 0.5]]) }
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0, 0], samples: [0, 1], predictions: [[0.5, 0.5], [1]]) }
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0, 0], samples: [0, 1], predictions: [[0.5, 0.5], [-0.1, 1.1]]) }
        #expect(throws: TensorError.self) { try m.decide(scores: [1, 2], labels: [0, 0], samples: [0, 1], predictions: [[0.5, 0.5], [.nan, 1]]) }
        _ = try m.decide(scores: [1, 2], labels: [0, 0], samples: [0, 1], predictions: [[0.5, 0.5], [0.1, 0.9]])
        m.finishEpoch()
        m.startEpoch(1)
        #expect(m.corrections == [1: 1])
        _ = try m.decide(scores: [3], labels: [0], samples: [0], predictions: [[0.2, 0.8]])
        let saved = String(decoding: try JSONEncoder().encode(m), as: UTF8.self)
        #expect(try JSONDecoder().decode(ClassAwareMask.self, from: Data(saved.utf8)) == m)
        // Corrupt: a class that does not exist, a sample not selected, lists of different
        // lengths, a "correction" to the given label, corrections in a mask that drops.
        let corruptions = [(#""correctedLabels":[1]"#, #""correctedLabels":[2]"#), (#""correctedSamples":[1]"#, #""correctedSamples":[0]"#),
                           (#""correctedLabels":[1]"#, #""correctedLabels":[0]"#), (#""action":"correct""#, #""action":"drop""#),
                           (#""correctedLabels":[1]"#, #""correctedLabels":[1,0]"#), (#""predictions":[[0.5,0.5],[0.1,0.9]]"#, #""predictions":[[0.5,0.5]]"#),
                           (#""predictions":[[0.5,0.5],[0.1,0.9]]"#, #""predictions":[[0.5,0.5],[0.1]]"#),
                           (#""pendingPredictionSums":[[0.2,0.8]]"#, #""pendingPredictionSums":[[-0.2,0.8]]"#)]
        for (good, bad) in corruptions {
            #expect(saved.contains(good), "\(good) not in \(saved)")
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(ClassAwareMask.self, from: Data(saved.replacingOccurrences(of: good, with: bad).utf8)) }
        }
        // A mask that does not correct saves no predictions.
        var drop = try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: .fixed(0.5), selection: .history), classCount: 2)
        drop.startEpoch(0)
        _ = try drop.decide(scores: [1], labels: [0], samples: [0], predictions: [[0.5, 0.5]])
        drop.finishEpoch()
        #expect(!String(decoding: try JSONEncoder().encode(drop), as: UTF8.self).contains("predictions"))
    }

    @Test("Threshold selection with a fixed rate uses the class's quantile, and drops nothing during the warm-up")
    func thresholdSelectionFixedRateAndWarmup() throws {
        var m = try ClassAwareMask(rule: ClassAwareRule(score: .sampleLoss, rate: .fixed(0.25), warmupEpochs: 2, selection: .threshold), classCount: 2)
        for epoch in 0..<3 {
            m.startEpoch(epoch)
            let labels = [0, 0, 0, 0, 1, 1, 1, 1]
            let d = try m.decide(scores: [1, 2, 3, 4, 10, 20, 30, 40], labels: labels)
            // Epoch 1 has thresholds (3 and 30: one in four above) but is still warming up.
            #expect(d.keep == (epoch < 2 ? Array(repeating: true, count: 8) : [true, true, true, false, true, true, true, false]), "epoch \(epoch)")
            m.finishEpoch()
        }
        #expect(m.nextThresholds == [3, 30] && m.rates == [0.25, 0.25])
        var restored = try JSONDecoder().decode(ClassAwareMask.self, from: JSONEncoder().encode(m))
        #expect(restored == m)
        restored.startEpoch(3); m.startEpoch(3)
        #expect(try restored.decide(scores: [5, 0], labels: [0, 1]) == m.decide(scores: [5, 0], labels: [0, 1]))
        #expect(throws: TensorError.self) { try ClassAwareRule(score: .sampleLoss, rankingWindow: 10, selection: .threshold) }
    }

    @Test("The mixture's boundary is where the high component's posterior reaches one half")
    func mixtureBoundary() throws {
        var g = SeededGenerator(seed: 11)
        func normal(_ mean: Double, _ sd: Double) -> Double {
            let u = max(g.nextUnitDouble(), 1e-12), v = g.nextUnitDouble()
            return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        let scores = (0..<3000).map { i in i < 1000 ? normal(6, 1.5) : normal(1, 0.4) }
        let mixture = try #require(NoiseRateEstimate.fit(scores))
        #expect(abs(mixture.highWeight - 1.0 / 3) < 0.02 && abs(mixture.lowMean - 1) < 0.05 && abs(mixture.highMean - 6) < 0.15)
        let boundary = mixture.boundary(among: scores)
        // The least score above the boundary is more likely high; every score between the low
        // mean and the boundary is more likely low.
        #expect(mixture.highPosterior(try #require(scores.filter { $0 > boundary }.min())) >= 0.5)
        #expect(scores.filter { $0 >= mixture.lowMean && $0 < boundary }.allSatisfy { mixture.highPosterior($0) < 0.5 })
        #expect(boundary > 1.8 && boundary < 3.5, "\(boundary)")
        // No scores at or above the low mean with a high posterior: no boundary.
        #expect(mixture.boundary(among: [0.5, 1.0]) == .infinity)
        #expect(NoiseRateEstimate.fit([1, 2, 3]) == nil)
    }
}
