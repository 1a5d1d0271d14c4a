/// The residual block of the paper's decoder (Table I): two 3x3 convolutions with batch
/// norm, relu(x + BN(conv(relu(BN(conv(x)))))). Names follow the peer: c1, b1, c2, b2.
public final class ResidualBlock<Scalar: TensorScalar>: Layer {
    public let c1: Conv2D<Scalar>, b1: BatchNorm<Scalar>, c2: Conv2D<Scalar>, b2: BatchNorm<Scalar>
    /// Whether the sum passes through a final ReLU (standard; off for a block that must be
    /// able to output negative values, such as the last block of a decoder).
    public let outputReLU: Bool

    public init(channels: Int, outputReLU: Bool = true, using generator: inout SeededGenerator) {
        self.outputReLU = outputReLU
        c1 = Conv2D(inputChannels: channels, outputChannels: channels, kernelSize: 3, padding: 1, using: &generator)
        b1 = BatchNorm(featureCount: channels)
        c2 = Conv2D(inputChannels: channels, outputChannels: channels, kernelSize: 3, padding: 1, using: &generator)
        b2 = BatchNorm(featureCount: channels)
    }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        let inner = try b2(c2(b1(c1(input)).relu()))
        let sum = try input + inner
        return outputReLU ? sum.relu() : sum
    }
}
