import Testing
import NeuralNetworks
import Tensors

/// The neighbourhood pieces with any classifier: pixel-noise neighbours and the generic step.
@Suite("Neighbourhood-aware step for any classifier")
struct GenericMaskedStepTests {
    func classifier(seed: UInt64) -> Sequential<Double> {
        var g = SeededGenerator(seed: seed)
        return Sequential([Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1, using: &g), BatchNorm(featureCount: 2),
                           Activation(.relu), Flatten(), Linear(inputSize: 2 * 16, outputSize: 3, using: &g)])
    }

    @Test("The generic step equals the pieces composed by hand")
    func matchesManualComposition() throws {
        var g = SeededGenerator(seed: 2)
        let images = Variable(Tensor<Double>(randomNormal: [6, 1, 4, 4], using: &g)), labels = [0, 1, 2, 0, 1, 2]
        let a = classifier(seed: 1), b = classifier(seed: 1)
        let sgdA = try SGD(parameters: a.namedParameters, learningRate: 0.1), sgdB = try SGD(parameters: b.namedParameters, learningRate: 0.1)
        let noiseA = try PixelNoiseNeighbors<Double>(sigma: 0.3, random: RandomStream(seed: 9))
        let noiseB = try PixelNoiseNeighbors<Double>(sigma: 0.3, random: RandomStream(seed: 9))
        var maskA = try NeighborhoodMask(rule: .batchMean), maskB = try NeighborhoodMask(rule: .batchMean)
        let loss = try CrossEntropyLoss(reduction: .none)
        for _ in 0..<3 {
            let (value, decision) = try neighborhoodAwareStep(a, optimizer: sgdA, neighbors: noiseA, mask: &maskA, images: images, labels: labels) {
                try loss($0, labels: $1)
            }
            // By hand.
            let neighbors = try noiseB.neighbors(of: images)
            b.isTraining = false
            let (own, other) = try withoutGradient { (try b(images), try b(neighbors)) }
            b.isTraining = true
            let manual = try maskB.decide(divergences: try neighborhoodDivergences(logits: own, neighborLogits: other))
            sgdB.zeroGradients()
            let total = try maskedMean(loss(b(images), labels: labels), decision: manual)
            try total.backward()
            try sgdB.step()
            #expect(decision == manual)
            #expect(value == total.value.scalars[0])
            #expect(decision.keep.contains(false) && decision.keep.contains(true))
        }
        for ((name, x), (_, y)) in zip(a.namedState, b.namedState) { #expect(x.value == y.value, "\(name)") }
    }

    @Test("Pixel-noise neighbours: same shape, sigma 0 is the image, bad sigma throws")
    func pixelNoise() throws {
        let images = Variable(Tensor<Float>(repeating: 0.5, shape: [2, 1, 3, 3]))
        let same = try PixelNoiseNeighbors<Float>(sigma: 0, random: RandomStream(seed: 1)).neighbors(of: images)
        #expect(same.value == images.value && !same.requiresGradient)
        let noisy = try PixelNoiseNeighbors<Float>(sigma: 0.2, random: RandomStream(seed: 1)).neighbors(of: images)
        #expect(noisy.shape == images.shape && noisy.value != images.value)
        #expect(throws: TensorError.self) { try PixelNoiseNeighbors<Float>(sigma: -1, random: RandomStream(seed: 1)) }
        #expect(throws: TensorError.self) { try PixelNoiseNeighbors<Float>(sigma: .infinity, random: RandomStream(seed: 1)) }
    }
}
