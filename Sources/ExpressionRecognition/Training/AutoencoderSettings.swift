import NeuralNetworks

/// Settings of the two autoencoder stages with the paper's values as defaults
/// (Section III-B; PAPER-NOTES.md section 1). Saved as `config.json` in the run folder.
public struct AutoencoderSettings: Codable, Sendable, Equatable {
    public var side = 112
    public var latentSize = 64
    /// The last residual block's ReLU (the peer's reading of Table I); see
    /// ``AsymmetricAutoencoder/init(side:latentSize:inputDropoutRate:dropoutRate:negativeSlope:outputReLU:seed:)``.
    public var outputReLU = true
    public var seed: UInt64 = 0
    /// Weights of eq. 4: the image, then the four feature levels from the coarsest.
    public var levelWeights = [4.0, 1, 1, 1, 1]

    // Stage 1: pre-training with Loss_AE (eq. 4), SGD.
    public var pretrainEpochs = 50
    public var pretrainBatchSize = 256
    public var pretrainLearningRate = 1e-3
    public var pretrainDecayEvery = 10
    public var momentum = 0.9
    public var weightDecay = 4e-4

    // Stage 2: refinement with Loss_G (eq. 8) and the WGAN critic, RMSprop.
    public var refineEpochs = 100
    public var refineBatchSize = 64
    public var decoderLearningRate = 1e-4
    public var criticLearningRate = 2e-5
    /// lambda_AE, multiplied by 0.1 every `lambdaAEDecayEvery` epochs.
    public var lambdaAE = 1e-3
    public var lambdaAEDecayEvery = 20
    public var lambdaAdversarial = 5.0
    public var lambdaReconstruction = 1.0
    /// lambda_pixel of eq. 5.
    public var pixelWeight = 1.0
    /// Perceptual layers of the frozen classifier and their weights (eq. 5).
    public var perceptualLayers = ["conv3": 100.0, "conv4": 0.1, "conv5": 0.001]
    /// The critic trains once every this many generator steps, except in the first epoch.
    public var criticEvery = 10
    /// WGAN weight clipping bound.
    public var clipBound = 0.01
    /// The arithmetic of the convolutions' products (`ComputePrecision` of Tensors): nil is Float, as in
    /// config.json files written before the setting existed. Weights, gradients and the
    /// optimizer stay Float either way; the trainer and the run apply it to every step and
    /// evaluation of the run, so a resumed run continues with it.
    public var precision: ComputePrecision?

    public init() {}

    public func validate() throws {
        func check(_ condition: Bool, _ message: String) throws {
            if !condition { throw TensorError.invalidArgument(op: "autoencoder settings", message: message) }
        }
        let op = "autoencoder settings"
        var weights: [(String, Double)] = [("pre-training learning rate", pretrainLearningRate), ("momentum", momentum),
                                           ("weight decay", weightDecay), ("decoder learning rate", decoderLearningRate),
                                           ("critic learning rate", criticLearningRate), ("lambda_AE", lambdaAE),
                                           ("lambda_Adv", lambdaAdversarial), ("lambda_Rec", lambdaReconstruction),
                                           ("pixel weight", pixelWeight), ("clipping bound", clipBound)]
        weights += levelWeights.map { ("level weight", $0) }
        weights += perceptualLayers.map { ("perceptual weight of \($0.key)", $0.value) }
        for (name, value) in weights {
            try check(value.isFinite && value >= 0, "\(name) must be a finite number at least 0, got \(value)")
        }
        try check(side >= 16 && side % 16 == 0, "side must be a positive multiple of 16, got \(side)")
        try MemoryBudget.check("side", Double(side), atMost: Double(MemoryBudget.maximumSide), op: op)
        try check(latentSize >= 1, "latent size must be at least 1")
        try MemoryBudget.check("latent size", Double(latentSize), atMost: Double(MemoryBudget.maximumLatentSize), op: op)
        try check(pretrainEpochs <= MemoryBudget.maximumEpochs && refineEpochs <= MemoryBudget.maximumEpochs,
                  "epochs must be at most \(MemoryBudget.maximumEpochs)")
        try check(pretrainBatchSize <= MemoryBudget.maximumBatchSize && refineBatchSize <= MemoryBudget.maximumBatchSize,
                  "batch sizes must be at most \(MemoryBudget.maximumBatchSize)")
        try check(momentum < 1, "momentum must be in [0, 1), got \(momentum)")
        try check(levelWeights.count == 5, "eq. 4 needs 5 level weights (image + 4 levels), got \(levelWeights.count)")
        try check(pretrainEpochs >= 0 && refineEpochs >= 0, "epochs must not be negative")
        try check(pretrainBatchSize >= 2 && refineBatchSize >= 2, "batch sizes must be at least 2")
        try check(pretrainLearningRate > 0 && decoderLearningRate > 0 && criticLearningRate > 0, "learning rates must be positive")
        try check(criticEvery >= 1 && pretrainDecayEvery >= 1 && lambdaAEDecayEvery >= 1, "intervals must be at least 1")
        try check(clipBound > 0, "the clipping bound must be positive")
        try MemoryBudget.checkFits(MemoryBudget.autoencoderTrainingBytes(side: side, latentSize: latentSize, batchSize: max(pretrainBatchSize, refineBatchSize)),
                                   what: "the autoencoder at side \(side), latent size \(latentSize), batch \(max(pretrainBatchSize, refineBatchSize))",
                                   advice: "lower the side, the latent size or the batch size", op: op)
    }
}
