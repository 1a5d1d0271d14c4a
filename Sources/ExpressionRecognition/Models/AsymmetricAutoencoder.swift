import NeuralNetworks

/// The asymmetric denoising autoencoder of the neighborhood semantic transformation
/// (Section III-B, Table I).
///
/// Encoder (input dropout, then four 3x3 stride-2 convolutions, each with batch norm):
///
///     1 x s        -> E-Conv-a 16 x s/2   BN, LeakyReLU(0.01), dropout
///                  -> E-Conv-b 32 x s/4   BN, LeakyReLU(0.01), dropout
///                  -> E-Conv-c 64 x s/8   BN, LeakyReLU(0.01), dropout
///                  -> E-Conv-d 80 x s/16  BN, Tanh
///                  -> E-FC to the latent code
///
/// Decoder (D-FC back to 80 x s/16, then 3x3 stride-2 transposed convolutions, each with
/// ReLU and two `ResidualBlock`s (NeuralNetworks); D-TConv-o is stride 1 with one residual block):
///
///     code -> 80 x s/16 -> 64 x s/8 -> 32 x s/4 -> 16 x s/2 -> 16 x s -> 1 x s
///
/// With the paper's side s = 112 that is 112 -> 56 -> 28 -> 14 -> 7 and back.
///
/// Names equal the PyTorch peer's `AsymAE` `state_dict` (`e.0.0.weight`, `e.0.1.running_mean`,
/// `efc.*`, `dfc.*`, `d.0.0.weight`, `d.0.2.c1.weight`, ..., `out.0.*`, `out.1.*`), except that
/// batch norm's `num_batches_tracked` counter is not kept, so peer weights load by name.
public final class AsymmetricAutoencoder<Scalar: TensorScalar>: Layer {
    /// Channels after E-Conv-a...d (and, reversed, the decoder's intermediate levels).
    public static var encoderChannels: [Int] { [16, 32, 64, 80] }

    /// Image height and width (a multiple of 16); paper: 112.
    public let side: Int
    /// Length of the latent code; paper: 64.
    public let latentSize: Int
    /// The stream that every dropout layer draws from (save it to resume exactly).
    public let random: RandomStream

    /// Dropout on the input image (the "denoising" part; the peer's `drop_in`).
    public let inputDropout: Dropout<Scalar>
    /// E-Conv-a...d: `[Conv2D, BatchNorm, activation, Dropout or identity]` each (the peer's `e`).
    public let encoderBlocks: [Sequential<Scalar>]
    /// E-FC, flattened 80 x (side/16)^2 features to the code (the peer's `efc`).
    public let encoderFC: Linear<Scalar>
    /// D-FC, code to 80 x (side/16)^2 (the peer's `dfc`).
    public let decoderFC: Linear<Scalar>
    /// D-TConv-c/b/a/t: `[ConvTranspose2D, ReLU, ResidualBlock, ResidualBlock]` each (the peer's `d`).
    public let decoderBlocks: [Sequential<Scalar>]
    /// D-TConv-o: `[ConvTranspose2D 16 -> 1, stride 1, ResidualBlock(1)]` (the peer's `out`).
    public let output: Sequential<Scalar>

    /// What the encoder produced: the code and the features at every scale.
    public struct Encoding {
        /// The latent code (N, latentSize).
        public let code: Variable<Scalar>
        /// The input image, then the output of each encoder block (the peer's `feats`):
        /// (N,1,s,s), (N,16,s/2,s/2), (N,32,s/4,s/4), (N,64,s/8,s/8), (N,80,s/16,s/16).
        public let features: [Variable<Scalar>]
    }

    /// What the decoder produced: the image and its intermediate levels.
    public struct Decoding {
        /// The reconstructed image (N, 1, s, s).
        public let image: Variable<Scalar>
        /// D-FC's output reshaped, then the outputs of D-TConv-c, -b and -a (the peer's `rec`):
        /// (N,80,s/16,s/16), (N,64,s/8,s/8), (N,32,s/4,s/4), (N,16,s/2,s/2).
        public let levels: [Variable<Scalar>]
    }

    /// - Parameters:
    ///   - side: image side, a positive multiple of 16; paper: 112.
    ///   - latentSize: length of the code; paper: 64.
    ///   - inputDropoutRate: dropout on the input image; paper: 0.1.
    ///   - dropoutRate: dropout after E-Conv-a/b/c; paper: 0.1.
    ///   - negativeSlope: of the encoder's LeakyReLU; paper: 0.01.
    ///   - outputReLU: whether the last residual block ends in a ReLU, as in the peer's reading
    ///     of Table I. A single-channel ReLU output can die (every pixel 0, no gradient) when
    ///     the output convolution drifts negative; without it the block's sum is the image.
    ///   - seed: seeds the initial weights and the dropout stream.
    /// - Throws: `TensorError.invalidArgument` for a bad side, code size or rate.
    public init(side: Int = 112, latentSize: Int = 64, inputDropoutRate: Double = 0.1, dropoutRate: Double = 0.1,
                negativeSlope: Double = 0.01, outputReLU: Bool = true, seed: UInt64 = 0) throws {
        let op = "AsymmetricAutoencoder"
        guard side >= 16, side % 16 == 0 else {
            throw TensorError.invalidArgument(op: op, message: "side must be a positive multiple of 16, got \(side)")
        }
        guard latentSize >= 1 else { throw TensorError.invalidArgument(op: op, message: "latentSize must be at least 1, got \(latentSize)") }
        // Bounds before any allocation: a huge size must be an error, not an abort.
        try MemoryBudget.check("side", Double(side), atMost: Double(MemoryBudget.maximumSide), op: op)
        try MemoryBudget.check("latentSize", Double(latentSize), atMost: Double(MemoryBudget.maximumLatentSize), op: op)
        try MemoryBudget.checkFits(MemoryBudget.autoencoderTrainingBytes(side: side, latentSize: latentSize, batchSize: 0),
                                   what: "the autoencoder's parameters at side \(side), latent size \(latentSize)",
                                   advice: "lower the side or the latent size", op: op)
        var generator = SeededGenerator(seed: seed)
        let random = RandomStream(seed: seed &+ 1)
        self.random = random
        self.side = side
        self.latentSize = latentSize
        inputDropout = try Dropout(rate: inputDropoutRate, random: random)

        let channels = Self.encoderChannels
        var encoder: [Sequential<Scalar>] = []
        for (index, output) in channels.enumerated() {
            let input = index == 0 ? 1 : channels[index - 1]
            let last = index == channels.count - 1
            encoder.append(Sequential([
                Conv2D(inputChannels: input, outputChannels: output, kernelSize: 3, stride: 2, padding: 1, using: &generator),
                BatchNorm(featureCount: output),
                Activation(last ? .tanh : .leakyRelu(negativeSlope: negativeSlope)),
                last ? Activation(.identity) : try Dropout(rate: dropoutRate, random: random),
            ]))
        }
        encoderBlocks = encoder
        let bottleneck = channels[channels.count - 1] * (side / 16) * (side / 16)
        encoderFC = Linear(inputSize: bottleneck, outputSize: latentSize, using: &generator)
        decoderFC = Linear(inputSize: latentSize, outputSize: bottleneck, using: &generator)

        // 80 -> 64 -> 32 -> 16 -> 16, each doubling the side (padding 1, output padding 1).
        let decoderChannels = [80, 64, 32, 16, 16]
        var decoder: [Sequential<Scalar>] = []
        for index in 0..<4 {
            let (input, output) = (decoderChannels[index], decoderChannels[index + 1])
            decoder.append(Sequential([
                ConvTranspose2D(inputChannels: input, outputChannels: output, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1,
                                using: &generator),
                Activation(.relu),
                ResidualBlock(channels: output, using: &generator),
                ResidualBlock(channels: output, using: &generator),
            ]))
        }
        decoderBlocks = decoder
        output = Sequential([
            ConvTranspose2D(inputChannels: 16, outputChannels: 1, kernelSize: 3, stride: 1, padding: 1, using: &generator),
            ResidualBlock(channels: 1, outputReLU: outputReLU, using: &generator),
        ])
    }

    /// Encodes images (N, 1, side, side) into codes, keeping the features of every scale.
    /// The input dropout applies to what the encoder sees; `features[0]` is the clean input.
    public func encode(_ input: Variable<Scalar>) throws -> Encoding {
        guard input.shape.count == 4, input.shape[1] == 1, input.shape[2] == side, input.shape[3] == side else {
            throw TensorError.shapeMismatch(op: "AsymmetricAutoencoder.encode", expected: "(N, 1, \(side), \(side))", actual: input.shape)
        }
        var features = [input]
        var h = try inputDropout(input)
        for block in encoderBlocks {
            h = try block(h)
            features.append(h)
        }
        return Encoding(code: try encoderFC(h.flattened()), features: features)
    }

    /// Decodes codes (N, latentSize) into images, keeping the intermediate levels.
    public func decode(_ code: Variable<Scalar>) throws -> Decoding {
        guard code.shape.count == 2, code.shape[1] == latentSize else {
            throw TensorError.shapeMismatch(op: "AsymmetricAutoencoder.decode", expected: "(N, \(latentSize))", actual: code.shape)
        }
        let s = side / 16
        var h = try decoderFC(code).reshaped(to: [code.shape[0], Self.encoderChannels[Self.encoderChannels.count - 1], s, s])
        var levels = [h]
        for block in decoderBlocks.dropLast() {
            h = try block(h)
            levels.append(h)
        }
        h = try decoderBlocks[decoderBlocks.count - 1](h)
        return Decoding(image: try output(h), levels: levels)
    }

    /// The multi-scale reconstruction loss of eq. 4 for an encoding and its decoding:
    /// alpha_0 * mse(image, input) + sum over l of alpha_l * mse(levels[l - 1], features[5 - l]),
    /// pairing each decoder level with the encoder feature of the same scale (80 x s/16 with
    /// E-Conv-d's output, ..., 16 x s/2 with E-Conv-a's), as the peer's
    /// `zip(rec, reversed(feats[1:]))`. Gradients reach both sides of every pair.
    /// - Parameters:
    ///   - encoding: the output of ``encode(_:)`` for the input image.
    ///   - decoding: the output of ``decode(_:)`` for `encoding.code`.
    ///   - levelWeights: alpha for the image, then for the four levels from the
    ///     coarsest; paper: [4, 1, 1, 1, 1].
    public func reconstructionLoss(_ encoding: Encoding, _ decoding: Decoding, levelWeights: [Double] = [4, 1, 1, 1, 1]) throws -> Variable<Scalar> {
        guard encoding.features.count == decoding.levels.count + 1 else {
            throw TensorError.invalidArgument(op: "AsymmetricAutoencoder.reconstructionLoss",
                                              message: "\(encoding.features.count) encoder features for \(decoding.levels.count) decoder levels")
        }
        var pairs = [(reconstruction: decoding.image, target: encoding.features[0])]
        for (level, feature) in zip(decoding.levels, encoding.features.dropFirst().reversed()) {
            pairs.append((level, feature))
        }
        return try MultiScaleReconstructionLoss(levelWeights: levelWeights)(pairs)
    }

    /// Encodes, decodes and returns the loss of eq. 4 (see ``reconstructionLoss(_:_:levelWeights:)``).
    public func reconstructionLoss(_ input: Variable<Scalar>, levelWeights: [Double] = [4, 1, 1, 1, 1]) throws -> Variable<Scalar> {
        let encoding = try encode(input)
        return try reconstructionLoss(encoding, decode(encoding.code), levelWeights: levelWeights)
    }

    /// The reconstruction of `input`, same shape.
    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try decode(encode(input).code).image
    }

    /// The encoder half (image -> code) as a layer, for NeuralNetworks' `SemanticNeighborGenerator`.
    /// It shares this model's parameters; names are those of this model (`e.*`, `efc.*`).
    public var encoder: any Layer<Scalar> { AutoencoderEncoder(self) }
    /// The decoder half (code -> image) as a layer, for NeuralNetworks' `SemanticNeighborGenerator`.
    /// It shares this model's parameters; names are those of this model (`dfc.*`, `d.*`, `out.*`).
    public var decoder: any Layer<Scalar> { AutoencoderDecoder(self) }

    /// E-Conv-a...d and E-FC (names `e.*`, `efc.*`).
    var encoderLayers: [(name: String, layer: any Layer<Scalar>)] {
        [("drop_in", inputDropout)] + encoderBlocks.enumerated().map { ("e.\($0.offset)", $0.element as any Layer<Scalar>) } + [("efc", encoderFC)]
    }
    /// D-FC, D-TConv-c/b/a/t and D-TConv-o (names `dfc.*`, `d.*`, `out.*`).
    var decoderLayers: [(name: String, layer: any Layer<Scalar>)] {
        [("dfc", decoderFC)] + decoderBlocks.enumerated().map { ("d.\($0.offset)", $0.element as any Layer<Scalar>) } + [("out", output)]
    }

    /// The peer's names (`e.0`, `efc`, `dfc`, `d.0`, `out`).
    public var children: [(name: String, layer: any Layer<Scalar>)] { encoderLayers + decoderLayers }
}
