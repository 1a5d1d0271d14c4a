/// The element-wise activations as layers, for use in ``Sequential``.
public final class Activation<Scalar: TensorScalar>: Layer {
    public enum Kind: Sendable, Equatable {
        case relu, leakyRelu(negativeSlope: Double), tanh, sigmoid, identity
    }
    public let kind: Kind
    public var isTraining = true
    public init(_ kind: Kind) { self.kind = kind }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        switch kind {
        case .relu: return input.relu()
        case .leakyRelu(let slope): return input.leakyRelu(negativeSlope: Scalar(slope))
        case .tanh: return input.tanh()
        case .sigmoid: return input.sigmoid()
        case .identity: return input
        }
    }
}

/// Flattens (N, ...) to (N, features), as `torch.flatten(x, 1)`.
public final class Flatten<Scalar: TensorScalar>: Layer {
    public var isTraining = true
    public init() {}
    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> { try input.flattened() }
}
