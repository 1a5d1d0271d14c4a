import NeuralNetworks

/// The WGAN critic of the refinement stage (eq. 6-7). The paper does not describe it;
/// this is a small convolutional critic:
///
///     1 x s -> [Conv 3x3 stride 2 pad 1, LeakyReLU(0.2)] per width -> flatten -> Linear -> score
///
/// Each convolution halves the side (rounding up), so with the default widths
/// [16, 32, 64, 128] a 112 x 112 image ends at 128 x 7 x 7. There is no batch norm:
/// WGAN's weight clipping (NeuralNetworks' `WassersteinLoss.clipWeights(of:to:)`) bounds the critic.
///
/// Names: `features.<2i>.weight` / `.bias` for the i-th convolution (the odd indices are
/// the activations, as in an `nn.Sequential`), then `score.weight`, `score.bias`.
public final class Critic<Scalar: TensorScalar>: Layer {
    public let features: Sequential<Scalar>
    /// The final linear layer to one score per image.
    public let score: Linear<Scalar>
    public let side: Int
    public let widths: [Int]

    /// - Parameters:
    ///   - side: input height and width.
    ///   - widths: output channels of each stride-2 convolution.
    ///   - negativeSlope: of the LeakyReLU after each convolution.
    ///   - seed: seeds the initial weights.
    /// - Throws: `TensorError.invalidArgument` for no widths, a width below 1
    ///   or a side below 1.
    public init(side: Int = 112, widths: [Int] = [16, 32, 64, 128], negativeSlope: Double = 0.2, seed: UInt64 = 0) throws {
        guard side >= 1 else { throw TensorError.invalidArgument(op: "Critic", message: "side must be at least 1, got \(side)") }
        guard !widths.isEmpty, widths.allSatisfy({ $0 >= 1 }) else {
            throw TensorError.invalidArgument(op: "Critic", message: "widths must be non-empty and positive, got \(widths)")
        }
        var generator = SeededGenerator(seed: seed)
        var layers: [any Layer<Scalar>] = []
        var input = 1, s = side
        for width in widths {
            layers.append(Conv2D(inputChannels: input, outputChannels: width, kernelSize: 3, stride: 2, padding: 1, using: &generator))
            layers.append(Activation(.leakyRelu(negativeSlope: negativeSlope)))
            input = width
            s = (s - 1) / 2 + 1  // (s + 2 - 3) / 2 + 1
        }
        features = Sequential(layers)
        score = Linear(inputSize: input * s * s, outputSize: 1, using: &generator)
        self.side = side
        self.widths = widths
    }

    /// Scores (N, 1) for images (N, 1, side, side); higher means "more real".
    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        guard input.shape.count == 4, input.shape[1] == 1, input.shape[2] == side, input.shape[3] == side else {
            throw TensorError.shapeMismatch(op: "Critic", expected: "(N, 1, \(side), \(side))", actual: input.shape)
        }
        return try score(features(input).flattened())
    }
}
