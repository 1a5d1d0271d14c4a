import NeuralNetworks

/// The encoder half of an ``AsymmetricAutoencoder`` as a layer: images (N, 1, s, s) to
/// codes (N, latentSize). It holds the model and shares its parameters, so training
/// the model trains this view. Names are the model's (`e.*`, `efc.*`).
public final class AutoencoderEncoder<Scalar: TensorScalar>: Layer {
    public let model: AsymmetricAutoencoder<Scalar>

    public init(_ model: AsymmetricAutoencoder<Scalar>) { self.model = model }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> { try model.encode(input).code }

    /// The encoder's layers only (a view: the decoder keeps its own mode and parameters).
    public var children: [(name: String, layer: any Layer<Scalar>)] { model.encoderLayers }
}

/// The decoder half of an ``AsymmetricAutoencoder`` as a layer: codes (N, latentSize) to
/// images (N, 1, s, s). It shares the model's parameters; names are the model's
/// (`dfc.*`, `d.*`, `out.*`).
public final class AutoencoderDecoder<Scalar: TensorScalar>: Layer {
    public let model: AsymmetricAutoencoder<Scalar>

    public init(_ model: AsymmetricAutoencoder<Scalar>) { self.model = model }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> { try model.decode(input).image }

    /// The decoder's layers only (a view: the encoder keeps its own mode and parameters).
    public var children: [(name: String, layer: any Layer<Scalar>)] { model.decoderLayers }
}
