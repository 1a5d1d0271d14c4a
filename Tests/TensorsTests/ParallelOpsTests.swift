import Testing
import TestSupport
@testable import Tensors

/// Batch norm, max pooling and leaky ReLU split their loops between workers (channels,
/// planes or element ranges); no sum changes order, so results are identical bit for bit
/// whatever the worker count.
@Suite("Element-wise ops split between workers")
struct ParallelOpsTests {
    /// Forward output and input gradient of batch norm -> leaky ReLU -> max pool, plus the
    /// affine gradients and running statistics, with `workers` workers.
    func run(workers: Int, training: Bool) throws -> [Tensor<Float>] {
        try Parallel.$workerOverride.withValue(workers) {
            var g = SeededGenerator(seed: 3)
            let x = Variable(Tensor<Float>(randomNormal: [5, 6, 9, 8], using: &g), requiresGradient: true)
            let gamma = Variable(Tensor<Float>(randomNormal: [6], using: &g), requiresGradient: true)
            let beta = Variable(Tensor<Float>(randomNormal: [6], using: &g), requiresGradient: true)
            var mean = Tensor<Float>(randomNormal: [6], using: &g)
            var variance = Tensor<Float>(repeating: 1.5, shape: [6])
            let y = try x.batchNorm(weight: gamma, bias: beta, runningMean: &mean, runningVariance: &variance, training: training)
                .leakyRelu(negativeSlope: 0.1).maxPool2d(kernelSize: 2)
            try y.backward(upstream: Tensor<Float>(randomNormal: y.shape, using: &g))
            return [y.value, x.grad!, gamma.grad!, beta.grad!, mean, variance]
        }
    }

    @Test("1, 2 and 3 workers give the same bits", arguments: [true, false])
    func sameBits(training: Bool) throws {
        let serial = try run(workers: 1, training: training)
        for workers in [2, 3] {
            let split = try run(workers: workers, training: training)
            for (index, (a, b)) in zip(serial, split).enumerated() {
                #expect(a == b, "tensor \(index) differs with \(workers) workers")
            }
        }
    }
}
