/// Something that makes one neighbour per image, without recording gradients: the
/// autoencoder's semantic neighbours of the paper (``SemanticNeighborGenerator``, eq. 9), or
/// plain pixel noise (``PixelNoiseNeighbors``) for a model that has no autoencoder yet.
public protocol NeighborGenerator<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// One neighbour per image of `images`, same shape.
    func neighbors(of images: Variable<Scalar>) throws -> Variable<Scalar>
}

extension SemanticNeighborGenerator: NeighborGenerator {}

/// Neighbours made by adding Gaussian noise of standard deviation `sigma` to every pixel:
/// the simplest neighbourhood, for trying the mask on any classifier.
public final class PixelNoiseNeighbors<Scalar: TensorScalar>: NeighborGenerator {
    public let sigma: Double
    public let random: RandomStream

    /// - Throws: for a negative or non-finite sigma.
    public init(sigma: Double, random: RandomStream) throws {
        guard sigma >= 0, sigma.isFinite else {
            throw TensorError.invalidArgument(op: "PixelNoiseNeighbors", message: "sigma must be finite and >= 0, got \(sigma)")
        }
        self.sigma = sigma
        self.random = random
    }

    public func neighbors(of images: Variable<Scalar>) throws -> Variable<Scalar> {
        let noise = Tensor<Scalar>(randomNormal: images.shape, standardDeviation: Scalar(sigma), using: &random.generator)
        return try withoutGradient { try images.detached() + Variable(noise) }
    }
}
