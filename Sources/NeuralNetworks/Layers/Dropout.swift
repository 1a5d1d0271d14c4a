/// Inverted dropout (PyTorch's `nn.Dropout`): active in training mode only. Draws its
/// masks from a ``RandomStream`` so runs are reproducible and resumable.
public final class Dropout<Scalar: TensorScalar>: Layer {
    public let rate: Double
    public let random: RandomStream
    public var isTraining = true

    /// - Throws: `TensorError.invalidArgument` (Tensors) unless 0 <= rate < 1.
    public init(rate: Double, random: RandomStream) throws {
        guard rate >= 0, rate < 1 else { throw TensorError.invalidArgument(op: "Dropout", message: "rate must be in [0, 1), got \(rate)") }
        self.rate = rate
        self.random = random
    }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        guard isTraining, rate > 0 else { return input }
        return try input.dropout(rate: rate, using: &random.generator)
    }

}
