import NeuralNetworks

/// The encoder half of an ``AsymmetricAutoencoder`` as a layer: images (N, 1, s, s) to
/// codes (N, latentSize). It holds the model and shares its parameters, so training
/// the model trains this view. Names are the model's (`e.*`, `efc.*`).
public final class AutoencoderEncoder<Scalar: TensorScalar>: Layer {
    public let model: AsymmetricAutoencoder<Scalar>

    public init(_ model: AsymmetricAutoencoder<Scalar>) { self.model = model }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> { try model.encode(input).code }

    public var namedParameters: [(name: String, variable: Variable<Scalar>)] {
        model.encoderLayers.flatMap { prefixed($0.name, $0.layer.namedParameters) }
    }
    public var namedBuffers: [(name: String, variable: Variable<Scalar>)] {
        model.encoderLayers.flatMap { prefixed($0.name, $0.layer.namedBuffers) }
    }
    /// The encoder's mode only; the decoder keeps its own.
    public var isTraining: Bool {
        get { model.inputDropout.isTraining }
        set { for (_, layer) in model.encoderLayers { layer.isTraining = newValue } }
    }
}

/// The decoder half of an ``AsymmetricAutoencoder`` as a layer: codes (N, latentSize) to
/// images (N, 1, s, s). It shares the model's parameters; names are the model's
/// (`dfc.*`, `d.*`, `out.*`).
public final class AutoencoderDecoder<Scalar: TensorScalar>: Layer {
    public let model: AsymmetricAutoencoder<Scalar>

    public init(_ model: AsymmetricAutoencoder<Scalar>) { self.model = model }

    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> { try model.decode(input).image }

    public var namedParameters: [(name: String, variable: Variable<Scalar>)] {
        model.decoderLayers.flatMap { prefixed($0.name, $0.layer.namedParameters) }
    }
    public var namedBuffers: [(name: String, variable: Variable<Scalar>)] {
        model.decoderLayers.flatMap { prefixed($0.name, $0.layer.namedBuffers) }
    }
    /// The decoder's mode only; the encoder keeps its own.
    public var isTraining: Bool {
        get { model.decoderFC.isTraining }
        set { for (_, layer) in model.decoderLayers { layer.isTraining = newValue } }
    }
}
