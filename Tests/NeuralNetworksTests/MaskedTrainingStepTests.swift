import Testing
import TestSupport
@testable import NeuralNetworks
@testable import ExpressionRecognition

/// The masked step of the DocC article "The masked training step", on a small classifier
/// with a small linear autoencoder standing in for the Table I network.
@Suite("Masked training step")
struct MaskedTrainingStepTests {
    @Test func theArticlesStepTrainsAndMasks() throws {
        let classifier = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 7, dropoutRate: 0, seed: 3)
        var g = SeededGenerator(seed: 4)
        let encoder = Sequential<Float>([Flatten(), Linear(inputSize: 32 * 32, outputSize: 16, using: &g)])
        let decoder = Sequential<Float>([Linear(inputSize: 16, outputSize: 32 * 32, using: &g), Activation(.tanh)])
        let reshape = Sequential<Float>([decoder, ReshapeLayer(shape: [1, 32, 32])])
        let neighbors = try SemanticNeighborGenerator(encoder: encoder, decoder: reshape, sigma: 0.1, random: RandomStream(seed: 1))
        var mask = try NeighborhoodMask(rule: .batchMean)
        let focal = try FocalLoss(gamma: 2, reduction: .none)
        let optimizer = try SGD(parameters: classifier.namedParameters, learningRate: 1e-2, momentum: 0.9, weightDecay: 2e-3)

        func maskedStep(images: Variable<Float>, labels: [Int]) throws -> (MaskDecision, Float) {
            optimizer.zeroGradients()
            let neighborImages = try neighbors.neighbors(of: images)
            let neighborLogits = try withoutGradient { try classifier(neighborImages) }
            let logits = try classifier.logits(images)
            let divergences = try neighborhoodDivergences(logits: logits.fused, neighborLogits: neighborLogits)
            let decision = try mask.decide(divergences: divergences)
            var loss: Variable<Float>?
            for head in logits.all {
                let term = try maskedMean(focal(head, labels: labels), decision: decision)
                loss = try loss.map { try $0 + term } ?? term
            }
            try loss!.backward()
            try optimizer.step()
            return (decision, loss!.value.scalars[0])
        }

        let images = Variable(Tensor<Float>(randomNormal: [14, 1, 32, 32], using: &g))
        let labels = (0..<14).map { $0 % 7 }
        var losses: [Float] = []
        for _ in 0..<8 {
            let (decision, loss) = try maskedStep(images: images, labels: labels)
            #expect(decision.keep.count == 14)
            #expect(decision.maskedShare > 0 && decision.maskedShare < 1)
            losses.append(loss)
        }
        #expect(losses.last! < losses.first!)
    }
}

/// Reshapes each sample: (N, ...) -> (N, shape...). A test helper for the stand-in decoder.
final class ReshapeLayer: Layer {
    let shape: [Int]
    var isTraining = true
    init(shape: [Int]) { self.shape = shape }
    func callAsFunction(_ input: Variable<Float>) throws -> Variable<Float> { try input.reshaped(to: [input.shape[0]] + shape) }
}
