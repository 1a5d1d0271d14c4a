import Testing
import TestSupport
@testable import NeuralNetworks

@Suite("Layers")
struct LayerTests {
    @Test func namesFollowPyTorchsStateDict() throws {
        var g = SeededGenerator(seed: 1)
        let model = Sequential<Double>([Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, using: &g), BatchNorm(featureCount: 2),
                                        Activation(.relu), Flatten(), Linear(inputSize: 2, outputSize: 3, bias: false, using: &g)])
        #expect(model.namedParameters.map(\.name) == ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight"])
        #expect(model.namedBuffers.map(\.name) == ["1.running_mean", "1.running_var"])
        let branches = ParallelConcatenation<Double>([("left", Linear(inputSize: 2, outputSize: 1, using: &g)), ("right", Linear(inputSize: 2, outputSize: 2, using: &g))])
        #expect(branches.namedParameters.map(\.name) == ["left.weight", "left.bias", "right.weight", "right.bias"])
        #expect(try branches(Variable(Tensor(zeros: [4, 2]))).shape == [4, 3])
        #expect(model.parameterCount == 2 * 9 + 2 + 2 + 2 + 6)
    }

    @Test func modesPropagateAndChangeBehaviour() throws {
        let random = RandomStream(seed: 2)
        let dropout = try Dropout<Double>(rate: 0.5, random: random)
        let model = Sequential<Double>([dropout, BatchNorm(featureCount: 3)])
        let x = Variable(randomTensor([8, 3], seed: 3))
        model.isTraining = false
        #expect(!dropout.isTraining)
        // Evaluation: dropout is the identity and batch norm uses running statistics (0, 1).
        let eval = try model(x).value
        expectClose(eval, x.value.scalars.map { $0 / (1 + 1e-5).squareRoot() }.tensor(shape: [8, 3]), absolute: 1e-12, relative: 1e-12, "eval")
        model.isTraining = true
        #expect(dropout.isTraining && model.isTraining)
        #expect(try model(x).value != eval)
        #expect(throws: TensorError.invalidArgument(op: "Dropout", message: "rate must be in [0, 1), got 1.0")) { try Dropout<Double>(rate: 1, random: random) }
    }

    @Test func kaimingUniformBoundsAsPyTorch() {
        var g = SeededGenerator(seed: 4)
        let layer = Linear<Double>(inputSize: 100, outputSize: 50, using: &g)
        let bound = 1 / 100.0.squareRoot()
        #expect(layer.weight.value.scalars.allSatisfy { abs($0) <= bound })
        #expect(layer.weight.value.scalars.contains { abs($0) > 0.9 * bound })  // fills the interval
        #expect(layer.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        let conv = Conv2D<Double>(inputChannels: 4, outputChannels: 2, kernelSize: 3, using: &g)
        #expect(conv.weight.value.scalars.allSatisfy { abs($0) <= 1 / 36.0.squareRoot() })
    }

    @Test(arguments: [(4, 7), (7, 4), (5, 5)])
    func orthogonalInitialisationThroughLAPACKE(rows: Int, columns: Int) {
        var g = SeededGenerator(seed: 5)
        let layer = Linear<Double>(inputSize: columns, outputSize: rows, initialization: .orthogonal(gain: 2), using: &g)
        let w = layer.weight.value.scalars
        // Rows orthonormal (times the gain) when rows <= columns, columns otherwise.
        let (count, length) = rows <= columns ? (rows, columns) : (columns, rows)
        func element(_ vector: Int, _ i: Int) -> Double { rows <= columns ? w[vector * columns + i] : w[i * columns + vector] }
        for a in 0..<count {
            for b in 0..<count {
                let dot = (0..<length).reduce(0.0) { $0 + element(a, $1) * element(b, $1) }
                #expect(abs(dot - (a == b ? 4 : 0)) < 1e-12, "vectors \(a), \(b): \(dot)")
            }
        }
    }

    @Test func frozenLayersPassGradientsToTheirInput() throws {
        var g = SeededGenerator(seed: 6)
        let layer = Linear<Double>(inputSize: 3, outputSize: 2, using: &g)
        layer.setFrozen(true)
        let x = Variable(randomTensor([2, 3], seed: 7), requiresGradient: true)
        try layer(x).sum().backward()
        #expect(x.grad != nil && layer.weight.grad == nil)
        layer.setFrozen(false)
        try layer(x).sum().backward()
        #expect(layer.weight.grad != nil)
        layer.zeroGradients()
        #expect(layer.weight.grad == nil)
    }

    @Test func residualBlockWithoutOutputReLUCanGoNegative() throws {
        var g = SeededGenerator(seed: 10)
        let linear = ResidualBlock<Double>(channels: 1, outputReLU: false, using: &g)
        var g2 = SeededGenerator(seed: 10)
        let rectified = ResidualBlock<Double>(channels: 1, using: &g2)
        let x = Variable(randomTensor([2, 1, 4, 4], seed: 11))
        let a = try linear(x).value.scalars, b = try rectified(x).value.scalars
        #expect(a.contains { $0 < 0 })
        #expect(b.allSatisfy { $0 >= 0 })
        #expect(zip(a, b).allSatisfy { max($0, 0) == $1 })  // same weights: the ReLU is the only difference
        try checkGradients([randomTensor([2, 1, 4, 4], seed: 12)]) { v in
            var g = SeededGenerator(seed: 13)
            return try ResidualBlock<Double>(channels: 1, outputReLU: false, using: &g)(v[0])
        }
    }

    @Test func residualBlockGradients() throws {
        try checkGradients([randomTensor([2, 2, 4, 4], seed: 8)]) { v in
            var g = SeededGenerator(seed: 9)
            return try ResidualBlock<Double>(channels: 2, using: &g)(v[0])
        }
    }
}

extension Array where Element == Double {
    func tensor(shape: [Int]) -> Tensor<Double> { (try? Tensor(shape: shape, scalars: self)) ?? Tensor(zeros: shape) }
}
