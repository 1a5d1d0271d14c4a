/// Produces semantic neighbours of images (eq. 9): I^tr = H_d(H_e(I) + N), with N Gaussian
/// noise of standard deviation `sigma` on the latent code. Runs without recording
/// gradients and leaves the encoder's and decoder's modes as it found them (it switches
/// them to evaluation mode so batch statistics and dropout do not disturb the neighbour).
public final class SemanticNeighborGenerator<Scalar: TensorScalar> {
    public let encoder: any Layer<Scalar>
    public let decoder: any Layer<Scalar>
    public var sigma: Double
    public let random: RandomStream

    public init(encoder: any Layer<Scalar>, decoder: any Layer<Scalar>, sigma: Double, random: RandomStream) throws {
        guard sigma >= 0, sigma.isFinite else {
            throw TensorError.invalidArgument(op: "SemanticNeighborGenerator", message: "sigma must be finite and >= 0, got \(sigma)")
        }
        self.encoder = encoder
        self.decoder = decoder
        self.sigma = sigma
        self.random = random
    }

    /// One neighbour per image of `images`, same shape.
    public func neighbors(of images: Variable<Scalar>) throws -> Variable<Scalar> {
        let modes = (encoder.isTraining, decoder.isTraining)
        encoder.isTraining = false
        decoder.isTraining = false
        defer { encoder.isTraining = modes.0; decoder.isTraining = modes.1 }
        return try withoutGradient {
            let code = try encoder(images)
            let noise = Tensor<Scalar>(randomNormal: code.shape, standardDeviation: Scalar(sigma), using: &random.generator)
            let neighbor = try decoder(code + Variable(noise))
            guard neighbor.shape == images.shape else {
                throw TensorError.shapeMismatch(op: "SemanticNeighborGenerator", expected: "decoder output \(images.shape)", actual: neighbor.shape)
            }
            return neighbor
        }
    }
}
