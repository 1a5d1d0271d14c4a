import NeuralNetworks
import Tensors

// Legend: N local batch, C channels, S spatial size (H*W, or 1 for (N, C) input),
// M = N*S values per channel on this rank, T = M summed over the ranks.

/// Batch normalisation whose training statistics are taken over the global batch (every
/// rank's samples), as PyTorch's `nn.SyncBatchNorm`; same parameter and buffer names as
/// NeuralNetworks' `BatchNorm` (`weight`, `bias`, `running_mean`, `running_var`), so
/// checkpoints move between the two.
///
/// Forward (training) runs two all-reduces per layer: the per-channel sums and counts (the
/// mean), then the squared deviations from that mean (the biased variance; two passes as
/// the library's batch norm, so no cancellation). Backward runs one: the per-channel sums
/// of dy and dy * x-hat, the only terms through which one rank's inputs affect another's
/// outputs. The input gradient is then that of the *sum* of every rank's loss, and the
/// weight and bias gradients are this rank's share: after ``GradientAverager`` divides by
/// the process count, both are the gradients of the global batch's mean loss.
///
/// Accumulation is in Double. A backward pass cannot throw, so an MPI failure there stops
/// the whole job through `MPI_Abort` with the error (``Communicator/abort(_:exitCode:)``)
/// rather than leave the other ranks waiting. Evaluation mode uses the running statistics
/// and does not communicate.
public final class SynchronizedBatchNorm<Scalar: MPIScalar>: Layer {
    public let weight: Variable<Scalar>
    public let bias: Variable<Scalar>
    public let runningMean: Variable<Scalar>
    public let runningVariance: Variable<Scalar>
    public var momentum: Double
    public var epsilon: Double
    public var isTraining = true
    public let communicator: Communicator

    /// - Parameters:
    ///   - featureCount: channels C; weight starts at ones, bias at zeros, running mean at
    ///     zeros and running variance at ones (PyTorch's initial values).
    ///   - communicator: the ranks whose samples form the global batch; every rank builds
    ///     the layer with the same one.
    ///   - momentum: weight of the batch statistics in the running update, in PyTorch's
    ///     convention as NeuralNetworks' `BatchNorm`; default 0.1.
    ///   - epsilon: added to the variance before the square root; default 1e-5.
    public init(featureCount: Int, communicator: Communicator, momentum: Double = 0.1, epsilon: Double = 1e-5) {
        weight = Variable(Tensor(repeating: 1, shape: [featureCount]), requiresGradient: true)
        bias = Variable(Tensor(zeros: [featureCount]), requiresGradient: true)
        runningMean = Variable(Tensor(zeros: [featureCount]))
        runningVariance = Variable(Tensor(repeating: 1, shape: [featureCount]))
        self.momentum = momentum
        self.epsilon = epsilon
        self.communicator = communicator
    }

    /// A synchronised batch norm over `batchNorm`'s own parameters and buffers (the same
    /// variables), to take its place in a model: optimizers and checkpoints made for the
    /// model still see them. Momentum, epsilon and the mode are copied.
    public init(sharing batchNorm: BatchNorm<Scalar>, communicator: Communicator) {
        weight = batchNorm.weight
        bias = batchNorm.bias
        runningMean = batchNorm.runningMean
        runningVariance = batchNorm.runningVariance
        momentum = Double(batchNorm.momentum)
        epsilon = Double(batchNorm.epsilon)
        isTraining = batchNorm.isTraining
        self.communicator = communicator
    }

    public var ownParameters: [(name: String, variable: Variable<Scalar>)] { [("weight", weight), ("bias", bias)] }
    public var ownBuffers: [(name: String, variable: Variable<Scalar>)] {
        [("running_mean", runningMean), ("running_var", runningVariance)]
    }

    /// - Throws: `TensorError` for an input that is not (N, C, ...) with C channels, and in
    ///   training mode when the global batch has fewer than two values per channel; ``MPIError``
    ///   when the ranks' channel counts differ or an all-reduce fails.
    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        let shape = input.shape, C = weight.value.count
        guard shape.count >= 2, shape[1] == C else {
            throw TensorError.shapeMismatch(op: "SynchronizedBatchNorm", expected: "input (N, \(C), ...)", actual: shape)
        }
        let N = shape[0], S = shape.dropFirst(2).reduce(1, *), M = N * S
        let x = input.value.scalars
        var mean = [Double](repeating: 0, count: C), inverseStd = [Double](repeating: 0, count: C)
        var T = Double(M)
        if isTraining {
            // Sums and the count, then deviations from the global mean: [per channel..., count].
            var sums = [Double](repeating: 0, count: C + 1)
            for n in 0..<N { for c in 0..<C { for s in 0..<S { sums[c] += Double(x[(n * C + c) * S + s]) } } }
            sums[C] = Double(M)
            try communicator.requireSameEverywhere([Double(C)], what: "the channel count", operation: "SynchronizedBatchNorm")
            try communicator.allReduce(&sums, .sum)
            T = sums[C]
            guard T >= 2 else {
                throw TensorError.invalidArgument(op: "SynchronizedBatchNorm", message: "training needs more than one value per channel over all ranks, got \(Int(T))")
            }
            for c in 0..<C { mean[c] = sums[c] / T }
            var squares = [Double](repeating: 0, count: C)
            for n in 0..<N { for c in 0..<C { for s in 0..<S { let d = Double(x[(n * C + c) * S + s]) - mean[c]; squares[c] += d * d } } }
            try communicator.allReduce(&squares, .sum)
            runningMean.value.scalars.withUnsafeMutableBufferPointer { rm in
                runningVariance.value.scalars.withUnsafeMutableBufferPointer { rv in
                    for c in 0..<C {
                        inverseStd[c] = 1 / (squares[c] / T + epsilon).squareRoot()
                        rm[c] = Scalar((1 - momentum) * Double(rm[c]) + momentum * mean[c])
                        rv[c] = Scalar((1 - momentum) * Double(rv[c]) + momentum * squares[c] / (T - 1))
                    }
                }
            }
        } else {
            for c in 0..<C {
                mean[c] = Double(runningMean.value.scalars[c])
                inverseStd[c] = 1 / (Double(runningVariance.value.scalars[c]) + epsilon).squareRoot()
            }
        }
        let gamma = weight.value.scalars.map(Double.init), beta = bias.value.scalars.map(Double.init)
        var y = Tensor<Scalar>(zeros: shape)
        y.scalars.withUnsafeMutableBufferPointer { out in
            for n in 0..<N { for c in 0..<C { for s in 0..<S {
                let i = (n * C + c) * S + s
                out[i] = Scalar((Double(x[i]) - mean[c]) * inverseStd[c] * gamma[c] + beta[c])
            } } }
        }
        guard isTraining else {
            // Running statistics are constants: dx = dy * gamma * invstd, as plain batch norm.
            return Variable.record(y, inputs: [input, weight, bias]) { [weight, bias] dy in
                Self.accumulateConstantStatistics(dy: dy.scalars, x: x, input: input, weight: weight, bias: bias,
                                                  mean: mean, inverseStd: inverseStd, gamma: gamma, N: N, C: C, S: S)
            }
        }
        return Variable.record(y, inputs: [input, weight, bias]) { [communicator, weight, bias, T] dy in
            let g = dy.scalars
            // [sum dy per channel..., sum dy * x-hat per channel...], over every rank.
            var local = [Double](repeating: 0, count: 2 * C)
            for n in 0..<N { for c in 0..<C { for s in 0..<S {
                let i = (n * C + c) * S + s
                local[c] += Double(g[i])
                local[C + c] += Double(g[i]) * (Double(x[i]) - mean[c]) * inverseStd[c]
            } } }
            if weight.requiresGradient { weight.accumulateGradient(Self.tensor(local[C..<2 * C])) }
            if bias.requiresGradient { bias.accumulateGradient(Self.tensor(local[0..<C])) }
            guard input.requiresGradient else { return }
            var global = local
            do { try communicator.allReduce(&global, .sum) } catch { communicator.abort("SynchronizedBatchNorm backward: \(error)") }
            var dx = Tensor<Scalar>(zeros: shape)
            dx.scalars.withUnsafeMutableBufferPointer { out in
                for n in 0..<N { for c in 0..<C { for s in 0..<S {
                    let i = (n * C + c) * S + s
                    let xHat = (Double(x[i]) - mean[c]) * inverseStd[c]
                    out[i] = Scalar(gamma[c] * inverseStd[c] * (Double(g[i]) - global[c] / T - xHat * global[C + c] / T))
                } } }
            }
            input.accumulateGradient(dx)
        }
    }

    private static func accumulateConstantStatistics(dy: [Scalar], x: [Scalar], input: Variable<Scalar>, weight: Variable<Scalar>, bias: Variable<Scalar>,
                                                     mean: [Double], inverseStd: [Double], gamma: [Double], N: Int, C: Int, S: Int) {
        var sums = [Double](repeating: 0, count: 2 * C)
        var dx = Tensor<Scalar>(zeros: input.shape)
        dx.scalars.withUnsafeMutableBufferPointer { out in
            for n in 0..<N { for c in 0..<C { for s in 0..<S {
                let i = (n * C + c) * S + s
                sums[c] += Double(dy[i])
                sums[C + c] += Double(dy[i]) * (Double(x[i]) - mean[c]) * inverseStd[c]
                out[i] = Scalar(Double(dy[i]) * gamma[c] * inverseStd[c])
            } } }
        }
        if weight.requiresGradient { weight.accumulateGradient(tensor(sums[C..<2 * C])) }
        if bias.requiresGradient { bias.accumulateGradient(tensor(sums[0..<C])) }
        if input.requiresGradient { input.accumulateGradient(dx) }
    }

    private static func tensor(_ values: ArraySlice<Double>) -> Tensor<Scalar> {
        var t = Tensor<Scalar>(zeros: [values.count])
        t.scalars = values.map { Scalar($0) }
        return t
    }
}
