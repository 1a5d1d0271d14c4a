import Testing
import TestSupport
@testable import Tensors

/// Central-difference gradient checks in Double for every differentiable op, each with
/// a random upstream gradient (see `checkGradients`).
@Suite("Gradient checks")
struct GradientCheckTests {
    @Test(arguments: [(1, 0), (1, 1), (2, 2), (2, 0), (3, 1)])
    func conv2d(stride: Int, padding: Int) throws {
        let x = randomTensor([2, 3, 7, 6], seed: 1)
        let w = randomTensor([4, 3, 3, 3], seed: 2, scale: 0.3)
        let b = randomTensor([4], seed: 3)
        try checkGradients([x, w, b]) { v in try v[0].conv2d(weight: v[1], bias: v[2], stride: stride, padding: padding) }
    }

    @Test func conv2dPointwiseSkipsIm2col() throws {
        let x = randomTensor([2, 5, 4, 3], seed: 4)
        let w = randomTensor([3, 5, 1, 1], seed: 5)
        try checkGradients([x, w]) { v in try v[0].conv2d(weight: v[1]) }
    }

    @Test(arguments: [(2, 1, 1), (2, 0, 0), (1, 1, 0), (3, 1, 2)])
    func convTranspose2d(stride: Int, padding: Int, outputPadding: Int) throws {
        let x = randomTensor([2, 3, 4, 5], seed: 6)
        let w = randomTensor([3, 2, 3, 3], seed: 7, scale: 0.3)
        let b = randomTensor([2], seed: 8)
        try checkGradients([x, w, b]) { v in
            try v[0].convTranspose2d(weight: v[1], bias: v[2], stride: stride, padding: padding, outputPadding: outputPadding)
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul(transposeA: Bool, transposeB: Bool) throws {
        let a = randomTensor(transposeA ? [4, 3] : [3, 4], seed: 9)
        let b = randomTensor(transposeB ? [5, 4] : [4, 5], seed: 10)
        try checkGradients([a, b]) { v in try v[0].matmul(v[1], transposeSelf: transposeA, transposeOther: transposeB) }
    }

    @Test func linear() throws {
        try checkGradients([randomTensor([3, 4], seed: 11), randomTensor([2, 4], seed: 12), randomTensor([2], seed: 13)]) { v in
            try v[0].linear(weight: v[1], bias: v[2])
        }
    }

    @Test(arguments: [true, false])
    func batchNorm2d(training: Bool) throws {
        let x = randomTensor([3, 2, 3, 4], seed: 14, scale: 2)
        try checkGradients([x, randomTensor([2], seed: 15), randomTensor([2], seed: 16)]) { v in
            var mean = Tensor<Double>([0.3, -0.2]), variance = Tensor<Double>([1.5, 0.7])
            return try v[0].batchNorm(weight: v[1], bias: v[2], runningMean: &mean, runningVariance: &variance, training: training)
        }
    }

    @Test func batchNorm1d() throws {
        try checkGradients([randomTensor([5, 3], seed: 17), randomTensor([3], seed: 18), randomTensor([3], seed: 19)]) { v in
            var mean = Tensor<Double>(zeros: [3]), variance = Tensor<Double>(repeating: 1, shape: [3])
            return try v[0].batchNorm(weight: v[1], bias: v[2], runningMean: &mean, runningVariance: &variance, training: true)
        }
    }

    @Test(arguments: [(2, 2), (3, 2), (2, 1)])
    func maxPool2d(kernel: Int, stride: Int) throws {
        // Distinct values spaced well apart keep every window's maximum away from a tie.
        var x = Tensor<Double>(zeros: [2, 2, 6, 7])
        var generator = SeededGenerator(seed: 20)
        x.scalars = (0..<x.count).map { Double($0) * 0.37 }.shuffled(using: &generator)
        try checkGradients([x]) { v in try v[0].maxPool2d(kernelSize: kernel, stride: stride) }
    }

    /// Windows of more than 256 elements keep their winners' positions in 4 bytes instead of one.
    @Test func maxPool2dWithALargeWindow() throws {
        var x = Tensor<Double>(zeros: [1, 2, 17, 19])
        var generator = SeededGenerator(seed: 24)
        x.scalars = (0..<x.count).map { Double($0) * 0.37 }.shuffled(using: &generator)
        try checkGradients([x]) { v in try v[0].maxPool2d(kernelSize: 17, stride: 1) }
    }

    @Test(arguments: [(2, 2), (3, 1)])
    func avgPool2d(kernel: Int, stride: Int) throws {
        try checkGradients([randomTensor([2, 3, 6, 5], seed: 21)]) { v in try v[0].avgPool2d(kernelSize: kernel, stride: stride) }
    }

    /// Inputs kept away from 0, where ReLU and LeakyReLU have a kink.
    private func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
        var t = randomTensor(shape, seed: seed)
        t.scalars = t.scalars.map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
        return t
    }

    @Test func relu() throws { try checkGradients([awayFromZero([4, 5], seed: 22)]) { v in v[0].relu() } }
    @Test(arguments: [0.01, -0.2])
    func leakyRelu(negativeSlope: Double) throws {
        try checkGradients([awayFromZero([4, 5], seed: 23)]) { v in v[0].leakyRelu(negativeSlope: negativeSlope) }
    }
    @Test func tanh() throws { try checkGradients([randomTensor([4, 5], seed: 24)]) { v in v[0].tanh() } }
    @Test func sigmoid() throws { try checkGradients([randomTensor([4, 5], seed: 25, scale: 3)]) { v in v[0].sigmoid() } }
    @Test func exp() throws { try checkGradients([randomTensor([3, 4], seed: 26)]) { v in v[0].exp() } }
    @Test func log() throws {
        var x = randomTensor([3, 4], seed: 27)
        x.scalars = x.scalars.map { abs($0) + 0.5 }
        try checkGradients([x]) { v in v[0].log() }
    }
    @Test func pow() throws {
        var x = randomTensor([3, 4], seed: 28)
        x.scalars = x.scalars.map { abs($0) + 0.5 }
        try checkGradients([x]) { v in v[0].pow(2.5) }
    }

    @Test func dropout() throws {
        try checkGradients([randomTensor([4, 6], seed: 29)]) { v in
            var generator = SeededGenerator(seed: 30)  // the same mask on every evaluation
            return try v[0].dropout(rate: 0.4, using: &generator)
        }
    }

    @Test(arguments: [[3, 4], [4], [1, 4], [3, 1]])
    func broadcastingArithmetic(rightShape: [Int]) throws {
        let a = randomTensor([3, 4], seed: 31)
        var b = randomTensor(rightShape, seed: 32)
        b.scalars = b.scalars.map { $0 >= 0 ? $0 + 0.5 : $0 - 0.5 }  // away from 0 for division
        try checkGradients([a, b]) { v in try v[0] + v[1] }
        try checkGradients([a, b]) { v in try v[0] - v[1] }
        try checkGradients([a, b]) { v in try v[0] * v[1] }
        try checkGradients([a, b]) { v in try v[0] / v[1] }
        try checkGradients([b, a]) { v in try v[0] * v[1] }
    }

    @Test func scaleAndShift() throws {
        try checkGradients([randomTensor([3, 4], seed: 33)]) { v in -(v[0].scaled(by: 2.5).adding(1)) }
    }

    @Test(arguments: [0, 1, 2])
    func concatenate(axis: Int) throws {
        var shapeA = [2, 3, 4], shapeB = [2, 3, 4]
        shapeB[axis] = 2
        shapeA[axis] = 3
        try checkGradients([randomTensor(shapeA, seed: 34), randomTensor(shapeB, seed: 35)]) { v in
            try Variable.concatenate([v[0], v[1]], alongAxis: axis)
        }
    }

    @Test func reshapeAndFlatten() throws {
        try checkGradients([randomTensor([2, 3, 2, 2], seed: 36)]) { v in try v[0].flattened().reshaped(to: [4, 6]) }
    }

    @Test func softmaxFamily() throws {
        try checkGradients([randomTensor([3, 5], seed: 37, scale: 3)]) { v in try v[0].softmax() }
        try checkGradients([randomTensor([3, 5], seed: 38, scale: 3)]) { v in try v[0].logSoftmax() }
        try checkGradients([randomTensor([2, 2, 4], seed: 39, scale: 3)]) { v in try v[0].logSoftmax() }
    }

    @Test func reductions() throws {
        try checkGradients([randomTensor([3, 4], seed: 40)]) { v in v[0].sum() }
        try checkGradients([randomTensor([3, 4], seed: 41)]) { v in try v[0].mean() }
        for axis in 0..<3 {
            try checkGradients([randomTensor([2, 3, 4], seed: 42)]) { v in try v[0].sum(alongAxis: axis) }
            try checkGradients([randomTensor([2, 3, 4], seed: 43)]) { v in try v[0].mean(alongAxis: axis) }
        }
    }

    @Test func gather() throws {
        try checkGradients([randomTensor([4, 3], seed: 44)]) { v in try v[0].gather(indices: [2, 0, 1, 2]) }
    }

    @Test func meanSquaredError() throws {
        try checkGradients([randomTensor([2, 3, 2], seed: 45), randomTensor([2, 3, 2], seed: 46)]) { v in
            try v[0].meanSquaredError(to: v[1])
        }
    }

    @Test func composedGraphWithSharedInput() throws {
        // x is used twice: gradients from both paths must add up.
        try checkGradients([randomTensor([2, 3], seed: 47)]) { v in
            try (v[0].tanh() * v[0]).logSoftmax()
        }
    }
}
