import Testing
import TestSupport
@testable import NeuralNetworks

@Suite("Losses")
struct LossTests {
    let labels = [2, 0, 1, 2]

    @Test(arguments: Reduction.allCases)
    func crossEntropyGradients(reduction: Reduction) throws {
        try checkGradients([randomTensor([4, 3], seed: 1, scale: 2)]) { v in
            try CrossEntropyLoss(reduction: reduction)(v[0], labels: labels)
        }
        try checkGradients([randomTensor([4, 3], seed: 2, scale: 2)]) { v in
            try CrossEntropyLoss(classWeights: [0.5, 2, 1], reduction: reduction)(v[0], labels: labels)
        }
    }

    @Test(arguments: Reduction.allCases)
    func focalGradients(reduction: Reduction) throws {
        for gamma in [0.0, 1.0, 2.0, 3.5] {
            try checkGradients([randomTensor([4, 3], seed: 3, scale: 2)]) { v in
                try FocalLoss(gamma: gamma, reduction: reduction)(v[0], labels: labels)
            }
        }
        try checkGradients([randomTensor([4, 3], seed: 4, scale: 2)]) { v in
            try FocalLoss(gamma: 2, classWeights: [1, 3, 0.5], reduction: reduction)(v[0], labels: labels)
        }
    }

    @Test(arguments: Reduction.allCases)
    func labelSmoothingGradients(reduction: Reduction) throws {
        for epsilon in [0.1, 0.5, 1.0] {
            try checkGradients([randomTensor([4, 3], seed: 40, scale: 2)]) { v in
                try CrossEntropyLoss(classWeights: [0.5, 2, 1], labelSmoothing: epsilon, reduction: reduction)(v[0], labels: labels)
            }
            for gamma in [0.0, 2.0] {
                try checkGradients([randomTensor([4, 3], seed: 41, scale: 2)]) { v in
                    try FocalLoss(gamma: gamma, labelSmoothing: epsilon, reduction: reduction)(v[0], labels: labels)
                }
                try checkGradients([randomTensor([4, 3], seed: 42, scale: 2)]) { v in
                    try FocalLoss(gamma: gamma, classWeights: [1, 3, 0.5], labelSmoothing: epsilon, reduction: reduction)(v[0], labels: labels)
                }
            }
        }
    }

    /// The smoothed loss is (1 - e) times the label's term plus e times the mean of every
    /// class's term, computed here from the unsmoothed losses of each class as the label.
    @Test func labelSmoothingMixesEveryClassTerm() throws {
        let logits = Variable(randomTensor([4, 3], seed: 43, scale: 2))
        let epsilon = 0.3
        for gamma in [0.0, 2.0] {
            let termOf = { (label: Int) in try FocalLoss(gamma: gamma, reduction: .none)(logits, labels: Array(repeating: label, count: 4)).value.scalars }
            let terms = try (0..<3).map(termOf)
            let plain = try FocalLoss(gamma: gamma, reduction: .none)(logits, labels: labels).value.scalars
            let expected = (0..<4).map { i in (1 - epsilon) * plain[i] + epsilon / 3 * (terms[0][i] + terms[1][i] + terms[2][i]) }
            let smoothed = try FocalLoss(gamma: gamma, labelSmoothing: epsilon, reduction: .none)(logits, labels: labels)
            expectClose(smoothed.value, Tensor(expected), absolute: 1e-14, relative: 1e-13, "smoothed focal, gamma \(gamma)")
        }
        // Cross-entropy and focal with gamma 0 agree, and epsilon 0 is the plain loss.
        let ce = try CrossEntropyLoss(labelSmoothing: epsilon, reduction: .none)(logits, labels: labels)
        expectClose(ce.value, try FocalLoss(gamma: 0, labelSmoothing: epsilon, reduction: .none)(logits, labels: labels).value,
                    absolute: 1e-15, relative: 1e-14, "smoothed CE vs focal(0)")
        let terms = -(try logits.logSoftmax())
        let (unsmoothed, _) = try LabelSmoothing.perSample(terms: terms, labels: labels, classWeights: nil, epsilon: 0)
        expectClose(unsmoothed.value, try CrossEntropyLoss(reduction: .none)(logits, labels: labels).value,
                    absolute: 1e-15, relative: 1e-14, "smoothing with epsilon 0 vs plain CE")
    }

    @Test func focalWithGammaZeroIsCrossEntropy() throws {
        let logits = Variable(randomTensor([4, 3], seed: 5))
        let focal = try FocalLoss(gamma: 0, reduction: .none)(logits, labels: labels)
        let ce = try CrossEntropyLoss(reduction: .none)(logits, labels: labels)
        expectClose(focal.value, ce.value, absolute: 1e-15, relative: 1e-14, "focal(0) vs CE")
    }

    @Test func weightedCrossEntropyMeanDividesBySampleWeights() throws {
        // PyTorch: sum(w_y * l) / sum(w_y).
        let logits = Variable(randomTensor([4, 3], seed: 6))
        let weights = [0.5, 2.0, 1.0]
        let perSample = try CrossEntropyLoss(reduction: .none)(logits, labels: labels).value.scalars
        let expected = zip(perSample, labels).map { $0 * weights[$1] }.reduce(0, +) / labels.map { weights[$0] }.reduce(0, +)
        let mean = try CrossEntropyLoss(classWeights: weights)(logits, labels: labels)
        #expect(abs(mean.value.scalars[0] - expected) < 1e-14)
    }

    @Test func symmetricKLGradientsAndProperties() throws {
        try checkGradients([randomTensor([3, 4], seed: 7, scale: 2), randomTensor([3, 4], seed: 8, scale: 2)]) { v in
            try SymmetricKLDivergence()(v[0], v[1])
        }
        let p = Variable(randomTensor([3, 4], seed: 9)), q = Variable(randomTensor([3, 4], seed: 10))
        let forward = try SymmetricKLDivergence()(p, q).value, backward = try SymmetricKLDivergence()(q, p).value
        expectClose(forward, backward, absolute: 1e-15, relative: 1e-13, "symmetry")
        #expect(try SymmetricKLDivergence()(p, p).value.scalars.allSatisfy { abs($0) < 1e-15 })
        #expect(forward.scalars.allSatisfy { $0 > 0 })
    }

    @Test(arguments: Reduction.allCases)
    func meanSquaredErrorGradients(reduction: Reduction) throws {
        try checkGradients([randomTensor([3, 2, 2], seed: 11), randomTensor([3, 2, 2], seed: 12)]) { v in
            try MeanSquaredErrorLoss(reduction: reduction)(v[0], v[1])
        }
    }

    @Test(arguments: Reduction.allCases)
    func reductionsOfTheReconstructionAndAdversarialLosses(reduction: Reduction) throws {
        try checkGradients([randomTensor([3, 2], seed: 30), randomTensor([3, 2], seed: 31), randomTensor([3, 1, 2, 2], seed: 32), randomTensor([3, 1, 2, 2], seed: 33)]) { v in
            try MultiScaleReconstructionLoss(levelWeights: [1, 4], reduction: reduction)([(v[0], v[1]), (v[2], v[3])])
        }
        let network = TinyFeatures(), target = Variable(randomTensor([3, 4], seed: 34))
        try checkGradients([randomTensor([3, 4], seed: 35)]) { v in
            try PerceptualLoss(network: network, layerWeights: [("one", 2)], reduction: reduction)(v[0], target)
        }
        try checkGradients([randomTensor([3, 1], seed: 36), randomTensor([3, 1], seed: 37)]) { v in
            try WassersteinLoss(reduction: reduction).critic(real: v[0], fake: v[1])
        }
        // Per sample, the mean of the .none values is the .mean value.
        let a = Variable(randomTensor([3, 2], seed: 38)), b = Variable(randomTensor([3, 2], seed: 39))
        let perSample = try MultiScaleReconstructionLoss(levelWeights: [2], reduction: .none)([(a, b)]).value.scalars
        let mean = try MultiScaleReconstructionLoss(levelWeights: [2])([(a, b)]).value.scalars[0]
        #expect(abs(perSample.reduce(0, +) / 3 - mean) < 1e-14)
        #expect(throws: TensorError.shapeMismatch(op: "WassersteinLoss.generator", expected: "one score per sample, (N) or (N, 1)", actual: [3, 2])) {
            try WassersteinLoss().generator(fake: a)
        }
    }

    @Test func multiScaleReconstruction() throws {
        try checkGradients([randomTensor([2, 3], seed: 13), randomTensor([2, 3], seed: 14), randomTensor([2, 1, 2, 2], seed: 15), randomTensor([2, 1, 2, 2], seed: 16)]) { v in
            try MultiScaleReconstructionLoss(levelWeights: [1, 4])([(v[0], v[1]), (v[2], v[3])])
        }
        // eq. 4: alpha_l / |z^l| * ||z^l - zhat^l||^2, averaged over the batch.
        let a = Variable(Tensor<Double>([1, 2, 3, 4])), b = Variable(Tensor<Double>([0, 0, 0, 0]))
        let loss = try MultiScaleReconstructionLoss(levelWeights: [4])([(a, b)])
        #expect(loss.value.scalars[0] == 4 * 30 / 4)
        #expect(throws: TensorError.invalidArgument(op: "MultiScaleReconstructionLoss", message: "2 level weights for 1 levels")) {
            try MultiScaleReconstructionLoss(levelWeights: [1, 2])([(a, b)])
        }
    }

    /// A frozen two-layer feature network for the perceptual loss.
    final class TinyFeatures: FeatureExtractor {
        let layer1: Linear<Double>, layer2: Linear<Double>
        init() {
            var g = SeededGenerator(seed: 17)
            layer1 = Linear(inputSize: 4, outputSize: 3, using: &g)
            layer2 = Linear(inputSize: 3, outputSize: 2, using: &g)
            layer1.setFrozen(true)
            layer2.setFrozen(true)
        }
        func features(_ input: Variable<Double>, named names: [String]) throws -> [String: Variable<Double>] {
            let h1 = try layer1(input).tanh()
            let h2 = try layer2(h1)
            return ["one": h1, "two": h2].filter { names.contains($0.key) }
        }
    }

    @Test func perceptualLossReachesTheReconstructionButNotTheFrozenNetwork() throws {
        let network = TinyFeatures()
        let target = Variable(randomTensor([2, 4], seed: 18))
        let loss = try PerceptualLoss(network: network, pixelWeight: 0.5, layerWeights: [("one", 100), ("two", 0.1)])
        try checkGradients([randomTensor([2, 4], seed: 19)]) { v in try loss(v[0], target) }
        let reconstruction = Variable(randomTensor([2, 4], seed: 20), requiresGradient: true)
        try loss(reconstruction, target).backward()
        #expect(reconstruction.grad != nil)
        #expect(network.layer1.weight.grad == nil && network.layer2.weight.grad == nil)
        let unknown = try PerceptualLoss(network: network, layerWeights: [("three", 1)])
        #expect(throws: TensorError.invalidArgument(op: "PerceptualLoss", message: "the network has no feature named three")) {
            try unknown(reconstruction, target)
        }
    }

    @Test func wassersteinObjectivesAndClipping() throws {
        try checkGradients([randomTensor([4, 1], seed: 21), randomTensor([4, 1], seed: 22)]) { v in
            try WassersteinLoss().critic(real: v[0], fake: v[1])
        }
        try checkGradients([randomTensor([4, 1], seed: 23)]) { v in try WassersteinLoss().generator(fake: v[0]) }
        let real = Variable(Tensor<Double>([1, 3])), fake = Variable(Tensor<Double>([0, 1]))
        #expect(try WassersteinLoss().critic(real: real, fake: fake).value.scalars == [0.5 - 2])
        #expect(try WassersteinLoss().generator(fake: fake).value.scalars == [-0.5])
        var g = SeededGenerator(seed: 24)
        let critic = Linear<Double>(inputSize: 50, outputSize: 1, using: &g)
        WassersteinLoss.clipWeights(of: critic, to: 0.01)
        #expect(critic.weight.value.scalars.allSatisfy { abs($0) <= 0.01 })
        #expect(critic.weight.value.scalars.contains { abs($0) == 0.01 })
        #expect(throws: TensorError.self) { try WassersteinLoss().critic(real: real, fake: Variable(Tensor([1, 2, 3]))) }
    }

    @Test func classificationLossErrors() throws {
        let logits = Variable(Tensor<Double>(zeros: [2, 3]))
        #expect(throws: TensorError.shapeMismatch(op: "CrossEntropyLoss", expected: "logits (N, K)", actual: [3])) {
            try CrossEntropyLoss()(Variable(Tensor<Double>(zeros: [3])), labels: [0])
        }
        #expect(throws: TensorError.shapeMismatch(op: "CrossEntropyLoss", expected: "2 labels", actual: [1])) {
            try CrossEntropyLoss()(logits, labels: [0])
        }
        #expect(throws: TensorError.invalidArgument(op: "FocalLoss", message: "label 3 out of range 0..<3")) {
            try FocalLoss()(logits, labels: [0, 3])
        }
        #expect(throws: TensorError.shapeMismatch(op: "FocalLoss", expected: "3 class weights", actual: [2])) {
            try FocalLoss(classWeights: [1, 2])(logits, labels: [0, 1])
        }
        #expect(throws: TensorError.invalidArgument(op: "FocalLoss", message: "gamma must be at least 0, got -1.0")) {
            try FocalLoss(gamma: -1)
        }
        #expect(throws: TensorError.invalidArgument(op: "FocalLoss", message: "label smoothing must be in [0, 1], got 1.5")) {
            try FocalLoss(labelSmoothing: 1.5)
        }
        #expect(throws: TensorError.invalidArgument(op: "CrossEntropyLoss", message: "label smoothing must be in [0, 1], got -0.1")) {
            try CrossEntropyLoss(labelSmoothing: -0.1)
        }
        #expect(throws: TensorError.invalidArgument(op: "CrossEntropyLoss", message: "label smoothing must be in [0, 1], got nan")) {
            try CrossEntropyLoss(labelSmoothing: .nan)
        }
        // The smoothed path validates its input as the plain one does.
        #expect(throws: TensorError.invalidArgument(op: "CrossEntropyLoss", message: "label 3 out of range 0..<3")) {
            try CrossEntropyLoss(labelSmoothing: 0.1)(logits, labels: [0, 3])
        }
        #expect(throws: TensorError.shapeMismatch(op: "FocalLoss", expected: "3 class weights", actual: [2])) {
            try FocalLoss(classWeights: [1, 2], labelSmoothing: 0.1)(logits, labels: [0, 1])
        }
        #expect(throws: TensorError.shapeMismatch(op: "SymmetricKLDivergence", expected: "[2, 3]", actual: [3, 2])) {
            try SymmetricKLDivergence()(logits, Variable(Tensor(zeros: [3, 2])))
        }
        #expect(throws: TensorError.shapeMismatch(op: "SymmetricKLDivergence", expected: "logits (N, K)", actual: [3])) {
            try SymmetricKLDivergence()(Variable(Tensor<Double>(zeros: [3])), Variable(Tensor(zeros: [3])))
        }
        #expect(throws: TensorError.self) { try MeanSquaredErrorLoss(reduction: .none)(logits, Variable(Tensor(zeros: [3, 2]))) }
    }
}
