/// Fully connected layer y = x W^T + b, PyTorch's `nn.Linear` (weight (out, in), bias (out)).
public final class Linear<Scalar: TensorScalar>: Layer {
    public let weight: Variable<Scalar>
    public let bias: Variable<Scalar>?
    public var isTraining = true

    /// - Parameters:
    ///   - inputSize: features per input row (the last axis of x).
    ///   - outputSize: features per output row.
    ///   - bias: whether the layer adds a learned bias b; default true.
    ///   - initialization: Kaiming-uniform by default (PyTorch's), or orthogonal.
    ///   - generator: the explicit source of the initial weights.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true,
                initialization: Initialization = .kaimingUniform, using generator: inout SeededGenerator) {
        weight = Variable(initialization.makeWeight(shape: [outputSize, inputSize], fanIn: inputSize, using: &generator),
                          requiresGradient: true)
        self.bias = bias ? Variable(Initialization.bias(count: outputSize, fanIn: inputSize, using: &generator), requiresGradient: true) : nil
    }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try input.linear(weight: weight, bias: bias)
    }

    public var ownParameters: [(name: String, variable: Variable<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
