/// 2-D convolution layer, PyTorch's `nn.Conv2d` (weight (out, in, k, k), bias (out)).
public final class Conv2D<Scalar: TensorScalar>: Layer {
    public let weight: Variable<Scalar>
    public let bias: Variable<Scalar>?
    public let stride: Int
    public let padding: Int
    public var isTraining = true

    /// - Parameters:
    ///   - inputChannels: channels C of the (N, C, H, W) input.
    ///   - outputChannels: channels of the output, one kernel each.
    ///   - kernelSize: square kernel side.
    ///   - stride: step between kernel positions (at least 1); default 1.
    ///   - padding: zeros on each side; `kernelSize / 2` keeps the size for odd kernels ("same").
    ///   - bias: whether the layer adds a learned per-channel bias; default true.
    ///   - initialization: Kaiming-uniform by default (PyTorch's), or orthogonal.
    ///   - generator: the explicit source of the initial weights and bias.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true,
                initialization: Initialization = .kaimingUniform, using generator: inout SeededGenerator) {
        let fanIn = inputChannels * kernelSize * kernelSize
        weight = Variable(initialization.makeWeight(shape: [outputChannels, inputChannels, kernelSize, kernelSize], fanIn: fanIn, using: &generator),
                          requiresGradient: true)
        self.bias = bias ? Variable(Initialization.bias(count: outputChannels, fanIn: fanIn, using: &generator), requiresGradient: true) : nil
        self.stride = stride
        self.padding = padding
    }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, workspace: .forCurrentThread)
    }

    public var ownParameters: [(name: String, variable: Variable<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

/// 2-D transposed convolution layer, PyTorch's `nn.ConvTranspose2d`
/// (weight (in, out, k, k), bias (out)).
public final class ConvTranspose2D<Scalar: TensorScalar>: Layer {
    public let weight: Variable<Scalar>
    public let bias: Variable<Scalar>?
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int
    public var isTraining = true

    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                bias: Bool = true, initialization: Initialization = .kaimingUniform, using generator: inout SeededGenerator) {
        // PyTorch computes the fan-in of a transposed conv weight from its dim 1 (out channels).
        let fanIn = outputChannels * kernelSize * kernelSize
        weight = Variable(initialization.makeWeight(shape: [inputChannels, outputChannels, kernelSize, kernelSize], fanIn: fanIn, using: &generator),
                          requiresGradient: true)
        self.bias = bias ? Variable(Initialization.bias(count: outputChannels, fanIn: fanIn, using: &generator), requiresGradient: true) : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
    }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try input.convTranspose2d(weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding, workspace: .forCurrentThread)
    }

    public var ownParameters: [(name: String, variable: Variable<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
