import Foundation
import Testing
import TestSupport
@testable import NeuralNetworks
@testable import ExpressionRecognition

@Suite("Training steps")
struct TrainingStepTests {
    func smallSettings(mask: ThresholdRule? = nil) -> ClassifierSettings {
        var s = ClassifierSettings()
        s.side = 32; s.width = 0.125; s.batchSize = 14; s.dropoutRate = 0; s.mask = mask; s.seed = 2
        return s
    }

    func batch(_ n: Int, side: Int, seed: UInt64) -> (Tensor<Float>, [Int]) {
        var g = SeededGenerator(seed: seed)
        return (Tensor<Float>(randomNormal: [n, 1, side, side], using: &g), (0..<n).map { $0 % 7 })
    }

    @Test func baselineStepsLowerTheLoss() throws {
        let trainer = try ClassifierTrainer(settings: smallSettings(), autoencoder: nil)
        let (images, labels) = batch(14, side: 32, seed: 1)
        let losses = try (0..<8).map { _ in try trainer.step(images: images, labels: labels).loss }
        #expect(losses.last! < losses.first!)
        #expect(argmaxRows(try trainer.logits(images)).count == 14)
    }

    @Test func maskedStepsReportTheirDecision() throws {
        let autoencoder = try AsymmetricAutoencoder<Float>(side: 32, latentSize: 8, seed: 3)
        let trainer = try ClassifierTrainer(settings: smallSettings(mask: .batchMean), autoencoder: autoencoder)
        let (images, labels) = batch(14, side: 32, seed: 4)
        let outcome = try trainer.step(images: images, labels: labels)
        let decision = try #require(outcome.decision)
        #expect(decision.keep.count == 14 && decision.maskedShare > 0 && decision.maskedShare < 1)
        // The autoencoder is frozen: the classifier's step does not touch it.
        #expect(autoencoder.namedParameters.allSatisfy { !$0.variable.requiresGradient && $0.variable.grad == nil })
    }

    /// The peer's way (S from training-mode passes) runs two passes, in the peer's order: the
    /// neighbour without recording, then the training pass, whose fused logits give the
    /// sample's side of S. A replica doing exactly that ends with the same batch-norm running
    /// statistics (each training-mode pass moves them) and the same mask.
    @Test func trainingModeDivergenceReusesTheTrainingPass() throws {
        var settings = smallSettings(mask: .batchMean)
        settings.divergenceInTrainingMode = true
        let autoencoder = try AsymmetricAutoencoder<Float>(side: 32, latentSize: 8, seed: 3)
        let trainer = try ClassifierTrainer(settings: settings, autoencoder: autoencoder)
        let (images, labels) = batch(14, side: 32, seed: 4)
        let decision = try #require(try trainer.step(images: images, labels: labels).decision)

        let replica = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 7, dropoutRate: 0, seed: 2)
        replica.isTraining = true
        let generator = try SemanticNeighborGenerator(encoder: autoencoder.encoder, decoder: autoencoder.decoder, sigma: settings.neighborSigma,
                                                      random: RandomStream(seed: settings.seed &+ 17))
        let input = Variable(images)
        let neighbor = try withoutGradient { try replica(try generator.neighbors(of: input)) }
        let fused = try replica.logits(input).fused
        var mask = try NeighborhoodMask(rule: .batchMean)
        let expected = try mask.decide(divergences: try neighborhoodDivergences(logits: fused, neighborLogits: neighbor))
        #expect(decision.keep == expected.keep)
        for ((name, a), (_, b)) in zip(trainer.model.namedBuffers, replica.namedBuffers) {
            #expect(a.value == b.value, "\(name): a third training-mode pass would have moved it again")
        }
    }

    /// Relabelling trains the selected samples on the fused head's prediction of the same
    /// pass; dropping gives them zero terms. Both divide by the whole batch; rescaled dropping
    /// divides by the kept count.
    @Test(arguments: [ClassAwareAction.relabel, .drop, .dropRescaled])
    func smallLossSelectionIsRelabelledOrDropped(action: ClassAwareAction) throws {
        var settings = smallSettings()
        settings.classAwareMask = try ClassAwareRule(score: .sampleLoss, rate: .fixed(0.5), warmupEpochs: 0, action: action)
        let trainer = try ClassifierTrainer(settings: settings, autoencoder: nil)
        trainer.classAwareMask?.startEpoch(0)
        let replica = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 7, dropoutRate: 0, seed: 2)
        replica.isTraining = true
        let (images, labels) = batch(14, side: 32, seed: 8)
        let logits = try replica.logits(Variable(images))
        let heads = try logits.all.map { try trainer.perSampleLoss($0, labels: labels).value.scalars.map(Double.init) }
        var mask = try ClassAwareMask(rule: settings.classAwareMask!, classCount: 7)
        mask.startEpoch(0)
        let expectedDecision = try mask.decide(scores: labels.indices.map { i in heads.reduce(0) { $0 + $1[i] } }, labels: labels)
        let outcome = try trainer.step(images: images, labels: labels)
        #expect(outcome.decision?.keep == expectedDecision.keep)
        let predicted = argmaxRows(logits.fused.value)
        #expect(labels.indices.contains { !expectedDecision.keep[$0] && predicted[$0] != labels[$0] }, "some selected sample gets a new label")
        let expected: Double
        if action == .relabel {
            let targets = labels.indices.map { expectedDecision.keep[$0] ? labels[$0] : predicted[$0] }
            expected = try logits.all.map { try trainer.perSampleLoss($0, labels: targets).value.scalars.map(Double.init) }
                .reduce(0) { $0 + $1.reduce(0, +) / Double(labels.count) }
        } else {
            let kept = labels.indices.filter { expectedDecision.keep[$0] }
            // The paper's masked mean: zero terms for the dropped, divided by the whole batch;
            // rescaled, divided by the kept count.
            let count = Double(action == .drop ? labels.count : kept.count)
            expected = heads.reduce(0) { sum, head in sum + kept.map { head[$0] }.reduce(0, +) / count }
        }
        // Float sums of 14 losses of order 1: a few ulps of the total.
        #expect(abs(outcome.loss - expected) <= 1e-5 * expected, "\(outcome.loss) against \(expected)")
    }

    /// The random control drops by a score fixed by the seed and the sample's index: the same
    /// selection whatever the images, and an error without the samples' indices.
    @Test func randomControlScoresBySampleIndex() throws {
        var settings = smallSettings()
        settings.classAwareMask = try ClassAwareRule(score: .random, rate: .fixed(0.5), warmupEpochs: 0)
        #expect(!settings.needsNeighbors)
        let scores = (0..<1000).map { ClassifierTrainer.randomScore(seed: 2, sample: $0) }
        #expect(scores.allSatisfy { (0..<1).contains($0) })
        #expect(scores == (0..<1000).map { ClassifierTrainer.randomScore(seed: 2, sample: $0) })
        #expect(scores != (0..<1000).map { ClassifierTrainer.randomScore(seed: 3, sample: $0) })
        // Uniform: the mean of 1,000 draws is within 4 standard errors (0.0365) of 1/2.
        #expect(abs(scores.reduce(0, +) / 1000 - 0.5) < 0.0365)
        let samples = [5, 17, 2, 40, 33, 8, 11, 29, 3, 14, 21, 36, 9, 26]
        var mask = try ClassAwareMask(rule: settings.classAwareMask!, classCount: 7)
        mask.startEpoch(0)
        let (images, labels) = batch(14, side: 32, seed: 9)
        let expected = try mask.decide(scores: samples.map { ClassifierTrainer.randomScore(seed: 2, sample: $0) }, labels: labels)
        for seed: UInt64 in [9, 10] {
            let trainer = try ClassifierTrainer(settings: settings, autoencoder: nil)
            trainer.classAwareMask?.startEpoch(0)
            let (other, _) = batch(14, side: 32, seed: seed)
            let outcome = try trainer.step(images: seed == 9 ? images : other, labels: labels, samples: samples)
            #expect(outcome.decision?.keep == expected.keep)
        }
        let trainer = try ClassifierTrainer(settings: settings, autoencoder: nil)
        trainer.classAwareMask?.startEpoch(0)
        #expect(throws: TensorError.invalidArgument(op: "ClassifierTrainer", message: "the random control scores samples by their index: pass the samples")) {
            try trainer.step(images: images, labels: labels)
        }
    }

    /// With label smoothing the step trains on the smoothed loss, while the small-loss rule
    /// ranks by the given label's own loss: the score does not change with the smoothing.
    @Test func labelSmoothingLeavesTheSmallLossScoreAlone() throws {
        var settings = smallSettings()
        settings.labelSmoothing = 0.6
        settings.classAwareMask = try ClassAwareRule(score: .sampleLoss, rate: .fixed(0.5), warmupEpochs: 0)
        let trainer = try ClassifierTrainer(settings: settings, autoencoder: nil)
        trainer.classAwareMask?.startEpoch(0)
        let replica = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 7, dropoutRate: 0, seed: 2)
        replica.isTraining = true
        func decision(_ heads: [[Double]], _ labels: [Int]) throws -> MaskDecision {
            var mask = try ClassAwareMask(rule: settings.classAwareMask!, classCount: 7)
            mask.startEpoch(0)
            return try mask.decide(scores: labels.indices.map { i in heads.reduce(0) { $0 + $1[i] } }, labels: labels)
        }
        // The first batch where ranking by the smoothed loss would select otherwise, so that
        // the test tells the two scores apart.
        var found: (images: Tensor<Float>, labels: [Int], smoothed: [[Double]], decision: MaskDecision)?
        for seed in UInt64(8)..<40 where found == nil {
            let (images, labels) = batch(14, side: 32, seed: seed)
            let logits = try replica.logits(Variable(images))
            let plain = try logits.all.map { try trainer.perSampleLoss($0, labels: labels, smoothed: false).value.scalars.map(Double.init) }
            let smoothed = try logits.all.map { try trainer.perSampleLoss($0, labels: labels).value.scalars.map(Double.init) }
            let expected = try decision(plain, labels)
            if try decision(smoothed, labels).keep != expected.keep { found = (images, labels, smoothed, expected) }
        }
        let (images, labels, smoothed, expectedDecision) = try #require(found)
        let outcome = try trainer.step(images: images, labels: labels)
        #expect(outcome.decision?.keep == expectedDecision.keep)
        let kept = labels.indices.filter { expectedDecision.keep[$0] }
        let expected = smoothed.reduce(0) { sum, head in sum + kept.map { head[$0] }.reduce(0, +) / Double(labels.count) }
        #expect(abs(outcome.loss - expected) <= 1e-5 * expected, "\(outcome.loss) against \(expected)")
    }

    /// Correction trains a corrected sample on its new label and drops the selected samples
    /// left uncorrected, over the whole batch; the training pass's probabilities join the
    /// sample's averaged prediction.
    @Test func correctedSamplesLearnTheirNewLabel() throws {
        var settings = smallSettings()
        settings.classAwareMask = try ClassAwareRule(score: .sampleLoss, rate: .fixed(0.5), warmupEpochs: 0, selection: .history, action: .correct)
        let trainer = try ClassifierTrainer(settings: settings, autoencoder: nil)
        let (images, labels) = batch(14, side: 32, seed: 8)
        let samples = Array(0..<14)
        // A first epoch by hand: in each class, sample i + 7 has the larger score and is
        // selected; samples 7-10 are predicted as the next class at 0.9, samples 11-13 as nothing
        // in particular.
        func prediction(_ i: Int) -> [Double] {
            guard (7...10).contains(i) else { return Array(repeating: 1.0 / 7, count: 7) }
            var p = Array(repeating: 0.1 / 6, count: 7)
            p[(labels[i] + 1) % 7] = 0.9
            return p
        }
        trainer.classAwareMask?.startEpoch(0)
        _ = try trainer.classAwareMask?.decide(scores: samples.map { $0 < 7 ? 0.1 : 5 }, labels: labels, samples: samples,
                                               predictions: samples.map(prediction))
        trainer.classAwareMask?.finishEpoch()
        trainer.classAwareMask?.startEpoch(1)
        #expect(trainer.classAwareMask?.corrections == [7: 1, 8: 2, 9: 3, 10: 4])

        let replica = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 7, dropoutRate: 0, seed: 2)
        replica.isTraining = true
        let logits = try replica.logits(Variable(images))
        let outcome = try trainer.step(images: images, labels: labels, samples: samples)
        #expect(outcome.decision?.keep == samples.map { $0 < 7 })
        func maskedLoss(_ targets: [Int]) throws -> Double {
            try logits.all.map { try trainer.perSampleLoss($0, labels: targets).value.scalars.map(Double.init) }
                .reduce(0) { sum, head in sum + samples.filter { $0 < 11 }.map { head[$0] }.reduce(0, +) / 14 }
        }
        let corrected = samples.map { (7...10).contains($0) ? (labels[$0] + 1) % 7 : labels[$0] }
        let expected = try maskedLoss(corrected)
        // Float sums of 14 losses of order 1: a few ulps of the total; the given labels are far off.
        #expect(abs(outcome.loss - expected) <= 1e-5 * expected, "\(outcome.loss) against \(expected)")
        #expect(abs(outcome.loss - (try maskedLoss(labels))) > 1e-3 * expected)

        trainer.classAwareMask?.finishEpoch()
        let fused = logits.fused.value.scalars.map(Double.init)
        let own = Array(fused[0..<7]), largest = own.max()!
        let softmax = own.map { Foundation.exp($0 - largest) / own.map { Foundation.exp($0 - largest) }.reduce(0, +) }
        let averaged = try #require(trainer.classAwareMask?.history?.records[0]?.prediction)
        let expectedAverage = zip(prediction(0), softmax).map { ScoreHistory.decay * $0 + (1 - ScoreHistory.decay) * $1 }
        #expect(zip(averaged, expectedAverage).allSatisfy { abs($0 - $1) < 1e-6 }, "\(averaged) against \(expectedAverage)")
    }

    /// With a score on the semantic neighbour, correction averages the neighbour's prediction
    /// (evaluation mode, the pass the score comes from).
    @Test func correctionWithANeighbourScoreAveragesTheNeighboursPrediction() throws {
        var settings = smallSettings()
        settings.classAwareMask = try ClassAwareRule(score: .neighborLabelLoss, rate: .fixed(0.5), warmupEpochs: 0, selection: .history, action: .correct)
        let autoencoder = try AsymmetricAutoencoder<Float>(side: 32, latentSize: 8, seed: 3)
        let trainer = try ClassifierTrainer(settings: settings, autoencoder: autoencoder)
        let (images, labels) = batch(14, side: 32, seed: 4)
        trainer.classAwareMask?.startEpoch(0)
        _ = try trainer.step(images: images, labels: labels, samples: Array(0..<14))
        trainer.classAwareMask?.finishEpoch()

        let replica = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 7, dropoutRate: 0, seed: 2)
        replica.isTraining = false
        let generator = try SemanticNeighborGenerator(encoder: autoencoder.encoder, decoder: autoencoder.decoder, sigma: settings.neighborSigma,
                                                      random: RandomStream(seed: settings.seed &+ 17))
        let neighborLogits: Tensor<Float> = try withoutGradient { try replica(try generator.neighbors(of: Variable(images))).value }
        let neighbor = neighborLogits.scalars.map { Double($0) }
        for i in 0..<14 {
            let row = Array(neighbor[(i * 7)..<((i + 1) * 7)]), largest = row.max()!
            let exponentials = row.map { Foundation.exp($0 - largest) }
            let expected = exponentials.map { $0 / exponentials.reduce(0, +) }
            let averaged = try #require(trainer.classAwareMask?.history?.records[i]?.prediction)
            // The first epoch's average is its mean: the neighbour's softmax, computed in Float.
            #expect(zip(averaged, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "sample \(i): \(averaged) against \(expected)")
        }
    }

    @Test func settingsErrors() throws {
        var s = smallSettings()
        s.batchSize = 15
        #expect(throws: TensorError.invalidArgument(op: "classifier settings", message: "balanced batches need a batch size divisible by the 7 classes, got 15 (the paper: 63 = 9 x 7)")) {
            try s.validate()
        }
        #expect(throws: TensorError.invalidArgument(op: "ClassifierTrainer", message: "the masked method needs a pre-trained autoencoder")) {
            try ClassifierTrainer(settings: smallSettings(mask: .batchMean), autoencoder: nil)
        }
        let wrongSide = try AsymmetricAutoencoder<Float>(side: 64, latentSize: 8)
        #expect(throws: TensorError.invalidArgument(op: "ClassifierTrainer", message: "autoencoder side 64 differs from the classifier side 32")) {
            try ClassifierTrainer(settings: smallSettings(mask: .batchMean), autoencoder: wrongSide)
        }
        s = smallSettings()
        s.labelSmoothing = 1
        #expect(throws: TensorError.invalidArgument(op: "classifier settings", message: "label smoothing must be in [0, 1), got 1.0")) {
            try s.validate()
        }
        s.labelSmoothing = .nan
        #expect(throws: TensorError.invalidArgument(op: "classifier settings", message: "label smoothing must be in [0, 1), got nan")) {
            try s.validate()
        }
        #expect(try ClassifierSettings().learningRate(atEpoch: 25) == 1e-2 * 0.1 * 0.1)
        // A rule changed after it was made is checked again, its correction confidence included.
        var rule = try ClassAwareRule(score: .sampleLoss, selection: .history, action: .correct)
        rule.correctionConfidence = 0
        s = smallSettings()
        s.classAwareMask = rule
        #expect(throws: TensorError.invalidArgument(op: "ClassAwareRule", message: "the correction confidence must be in (0, 1], got 0.0")) {
            try s.validate()
        }
    }

    @Test func autoencoderStagesRun() throws {
        var settings = AutoencoderSettings()
        settings.side = 32; settings.latentSize = 8; settings.seed = 5
        let trainer = try AutoencoderTrainer(settings: settings)
        let (images, _) = batch(6, side: 32, seed: 6)
        let optimizer = try trainer.makePretrainOptimizer()
        let losses = try (0..<6).map { _ in try trainer.pretrainStep(images: images, optimizer: optimizer) }
        #expect(losses.last! < losses.first!)

        let classifier = try MultiScaleClassifier<Float>(side: 32, width: 0.125, seed: 7)
        let refinement = try trainer.makeRefinement(classifier: classifier)
        let encoderBefore = trainer.autoencoder.encoderFC.weight.value
        let first = try trainer.refineStep(images: images, epoch: 0, state: refinement)
        #expect(first.criticLoss != nil && first.generatorLoss.isFinite)
        #expect(refinement.critic.namedParameters.allSatisfy { $0.variable.value.scalars.allSatisfy { abs($0) <= 0.01 } })
        let later = try trainer.refineStep(images: images, epoch: 1, state: refinement)  // step 1 of 10: no critic step
        #expect(later.criticLoss == nil)
        #expect(trainer.autoencoder.encoderFC.weight.value == encoderBefore)  // only the decoder is refined
        #expect(classifier.namedParameters.allSatisfy { $0.variable.grad == nil })  // C is frozen
    }
}

@Suite("Evaluation figures")
struct EvaluationFigureTests {
    @Test func confusionMatrix() {
        var m = ConfusionMatrix(classCount: 3)
        for (t, p) in [(0, 0), (0, 1), (1, 1), (1, 1), (2, 0), (2, 2), (2, 2), (2, 2)] { m.add(truth: t, prediction: p) }
        #expect(m.total == 8 && m.correct == 6)
        #expect(m.accuracy == 0.75)
        #expect(m.perClassAccuracy == [0.5, 1, 0.75])
        #expect(abs(m.meanPerClassAccuracy - 0.75) < 1e-15)
        #expect(m.formatted(classNames: ["a", "b", "c"]).contains("truth\\pred"))
        #expect(ConfusionMatrix(classCount: 2).accuracy == 0)
    }

    @Test func sequenceConsistency() {
        var s = SequenceConsistency()
        s.add(truth: 1, peakPrediction: 1, earlierPredictions: [1, 1, 1, 1])  // fine
        s.add(truth: 1, peakPrediction: 1, earlierPredictions: [1, 2, 1, 1])  // FC
        s.add(truth: 1, peakPrediction: 1, earlierPredictions: [3, 3, 3, 3])  // FC and CFC
        s.add(truth: 1, peakPrediction: 2, earlierPredictions: [2, 3, 3, 3])  // FC only
        #expect(s.sequences == 4 && s.failureCases == 3 && s.consistentFailureCases == 1)
        #expect(s.failureRate == 0.75 && s.consistentFailureRate == 0.25)
    }

    @Test func maskQualityAndStability() {
        var q = MaskQuality()
        q.add(keep: [false, false, true, true, false], isFlipped: [true, false, true, false, true])
        #expect(q.masked == 3 && q.flipped == 3 && q.maskedAndFlipped == 2)
        #expect(q.precision == 2.0 / 3 && q.recall == 2.0 / 3 && q.maskedShare == 0.6)
        #expect(MaskQuality().precision == nil && MaskQuality().recall == nil)
        var s = PredictionStability()
        s.add(predictions: [0, 1, 2, 3], neighborPredictions: [0, 2, 2, 1], divergences: [0.1, 0.2, 0.3, 0.4])
        #expect(s.flipRate == 0.5 && abs(s.meanDivergence - 0.25) < 1e-15)
    }

    @Test func picturesDrawSomething() {
        let chart = Charts.lineChart(title: "loss", xLabel: "epoch", series: [.init(name: "train", points: [(0, 1), (1, 0.5), (2, 0.25)])])
        #expect(chart.pixels.contains { $0 != 255 })
        var m = ConfusionMatrix(classCount: 2)
        m.add(truth: 0, prediction: 0)
        let heat = Charts.confusionMatrix(m, classNames: ["yes", "no"], title: "confusion")
        #expect(heat.width > 50 && heat.pixels.contains { $0 != 255 })
        let grid = Charts.neighborGrid(rows: [([Float](repeating: 1, count: 16), [Float](repeating: 0.5, count: 16), [[Float](repeating: 0, count: 16)])], side: 4, scale: 2)
        #expect(grid.width == 3 * (8 + 4) + 4)
    }
}
