/// Batch normalisation over the channel axis for (N, C) or (N, C, H, W) input: PyTorch's
/// `nn.BatchNorm1d` / `nn.BatchNorm2d` with the same parameter and buffer names
/// (`weight`, `bias`, `running_mean`, `running_var`).
///
/// `momentum` is PyTorch's convention (0.1), which is the paper's 0.9 in the other one.
public final class BatchNorm<Scalar: TensorScalar>: Layer {
    public let weight: Variable<Scalar>
    public let bias: Variable<Scalar>
    public let runningMean: Variable<Scalar>
    public let runningVariance: Variable<Scalar>
    public var momentum: Scalar
    public var epsilon: Scalar
    public var isTraining = true

    public init(featureCount: Int, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5) {
        weight = Variable(Tensor(repeating: 1, shape: [featureCount]), requiresGradient: true)
        bias = Variable(Tensor(zeros: [featureCount]), requiresGradient: true)
        runningMean = Variable(Tensor(zeros: [featureCount]))
        runningVariance = Variable(Tensor(repeating: 1, shape: [featureCount]))
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        // Inside a no-gradient scope (the neighbour pass) statistics still update in
        // training mode, as in PyTorch; callers switch to evaluation mode to avoid it.
        try input.batchNorm(weight: weight, bias: bias, runningMean: &runningMean.value, runningVariance: &runningVariance.value,
                            training: isTraining, momentum: momentum, epsilon: epsilon)
    }

    public var ownParameters: [(name: String, variable: Variable<Scalar>)] { [("weight", weight), ("bias", bias)] }
    public var ownBuffers: [(name: String, variable: Variable<Scalar>)] {
        [("running_mean", runningMean), ("running_var", runningVariance)]
    }
}
