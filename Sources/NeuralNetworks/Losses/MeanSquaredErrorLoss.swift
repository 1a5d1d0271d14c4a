/// Mean squared error between two tensors of the same shape (N, ...). `none` gives the
/// per-sample mean over features, `mean` the mean over every element (PyTorch's default),
/// `sum` the sum of the per-sample means.
public struct MeanSquaredErrorLoss: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    public func callAsFunction<Scalar>(_ prediction: Variable<Scalar>, _ target: Variable<Scalar>) throws -> Variable<Scalar> {
        if reduction == .mean { return try prediction.meanSquaredError(to: target) }
        guard prediction.shape == target.shape, let n = prediction.shape.first, n > 0 else {
            throw TensorError.shapeMismatch(op: "MeanSquaredErrorLoss", expected: "target \(prediction.shape) with N > 0", actual: target.shape)
        }
        let difference = try (prediction - target).reshaped(to: [n, prediction.value.count / n])
        let perSample = try (difference * difference).mean(alongAxis: 1)
        return try reduction.apply(perSample)
    }
}
