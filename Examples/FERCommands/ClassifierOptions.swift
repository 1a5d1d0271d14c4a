import ArgumentParser
import ExpressionRecognition
import NeuralNetworks

/// Every classifier hyper-parameter, the paper's value as default (Section IV-B).
struct ClassifierOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Input side of the classifier (the paper: 112).") var side = 112
    @Option(parsing: .unconditional, help: "Channel width multiplier (the paper: 1).") var width = 1.0
    @Option(parsing: .unconditional, help: "Dropout after Conv5 (the paper: 0.5).") var dropout = 0.5
    @Option(parsing: .unconditional, help: "Epochs (the paper: 50).") var epochs = 50
    @Option(parsing: .unconditional, help: "Mini-batch size (the paper: 63 = 9 x 7 classes).") var batchSize = 63
    @Option(parsing: .unconditional, help: "Initial learning rate (the paper: 1e-2).") var learningRate = 1e-2
    @Option(parsing: .unconditional, help: "Learning-rate decay factor (the paper: 0.1).") var learningRateDecay = 0.1
    @Option(parsing: .unconditional, help: "Decay the learning rate every this many epochs (the paper: 10).") var decayEvery = 10
    @Option(parsing: .unconditional, help: "SGD momentum (the paper: 0.9).") var momentum = 0.9
    @Option(parsing: .unconditional, help: "Weight decay (the paper: 0.002).") var weightDecay = 0.002
    @Option(help: "Loss of each head: focal or cross-entropy (the paper: focal).") var loss = ClassifierSettings.LossKind.focal
    @Option(parsing: .unconditional, help: "Focal-loss gamma (the paper: 2).") var gamma = 2.0
    @Option(parsing: .unconditional, help: "Label smoothing of the loss, in [0, 1): each target is 1 - e on the label plus e spread over all classes (not in the paper; default 0).")
    var labelSmoothing = 0.0
    @Option(help: "Batches: balanced (every class the same count; the paper) or shuffled.") var sampling = ClassifierSettings.Sampling.balanced
    @Flag(help: "Weight the loss by inverse class frequency (the paper's alternative to balanced batches).") var weightedLoss = false
    @Option(help: ArgumentHelp("The mask: none (baseline); the paper's rules on S: fixed (Ours(T)), batch (Ours(BT)), quantile, running or mad; class-aware rules: label-aware (the given label's loss on the semantic neighbour), small-loss (the sample's own loss) or combined (S and label-aware, standardised and summed); random drops a fixed random share of each class (a control for the others).", valueName: "rule"))
    var mask = "none"
    @Option(help: ArgumentHelp("Share of each class a class-aware mask drops: a number in [0, 1), or estimated (per class, from a two-component mixture of the previous epoch's scores, or with --selection history of the averages; the default).", valueName: "rate"))
    var dropRate: String?
    @Option(parsing: .unconditional, help: "Epochs over which a class-aware mask's drop rate ramps up from 0 (default 1).")
    var warmupEpochs: Int?
    @Option(parsing: .unconditional, help: "How many of a class's most recent scores a class-aware mask ranks a sample against; 0 (the default) ranks within the batch.")
    var rankingWindow: Int?
    @Option(help: ArgumentHelp("How a class-aware mask selects within a class: rank (the drop rate's share of each batch, the default), threshold (every sample above its class's threshold from the last epoch: the mixture's 50% posterior, or the drop rate's quantile) or history (each sample's score averaged over the epochs, the drop rate's share of each class's largest chosen at the start of every epoch; nothing dropped in the first).", valueName: "rule"))
    var selection: ClassSelection?
    @Option(help: ArgumentHelp("What training does with the samples a class-aware mask selects: drop (zero terms in the mean over the batch, as the paper's mask; the default), drop-rescaled (the mean over the kept samples only), relabel (train them on the network's own prediction) or correct (with --selection history: relabel a selected sample with the class its prediction averaged over the epochs puts first, when that average reaches --correction-confidence; drop the rest).", valueName: "action"))
    var maskAction: ClassAwareAction?
    @Option(parsing: .unconditional, help: "The averaged probability a class needs for --mask-action correct to relabel a sample with it (default 0.5).")
    var correctionConfidence: Double?
    @Option(parsing: .unconditional, help: "The mask's parameter: T for fixed (default 0.5; the paper tunes T by experiment), q for quantile (0.8), the momentum for running (0.9), k for mad (3).")
    var threshold: Double?
    @Option(parsing: .unconditional, help: "Standard deviation of the latent noise that makes semantic neighbours (eq. 9).") var sigma = 0.1
    @Flag(help: "Compute the divergence S from training-mode passes (dropout, batch statistics) as the PyTorch peer does, not evaluation mode.")
    var divergenceInTrainingMode = false
    @Flag(inversion: .prefixedNo, help: "Random flips and small shifts of the training images.") var augment = true
    @Option(parsing: .unconditional, help: "Seed of the weights, batches, augmentation, dropout and noise.") var seed: UInt64 = 0
    @OptionGroup var precision: PrecisionOption

    /// The class-aware rule, or nil for the baseline and the paper's rules.
    func classAwareRule() throws -> ClassAwareRule? {
        guard let score = SelectionScore(rawValue: mask) else {
            // Settings of the class-aware masks would be ignored by the others: say so rather than drop them.
            if dropRate != nil || warmupEpochs != nil || rankingWindow != nil || selection != nil || maskAction != nil || correctionConfidence != nil {
                throw ValidationError("--drop-rate, --warmup-epochs, --ranking-window, --selection, --mask-action and --correction-confidence apply to the class-aware masks (\(SelectionScore.allCases.map(\.rawValue).joined(separator: ", "))), not to --mask \(mask)")
            }
            return nil
        }
        if threshold != nil { throw ValidationError("--threshold applies to the paper's masks (fixed, quantile, running, mad), not to --mask \(mask); use --drop-rate") }
        let dropRate = self.dropRate ?? "estimated", warmupEpochs = self.warmupEpochs ?? 1
        let rate: DropRate
        if dropRate == "estimated" {
            rate = .estimated
        } else if let r = Double(dropRate), r.isFinite, r >= 0, r < 1 {
            rate = .fixed(r)
        } else {
            throw ValidationError("--drop-rate must be a number in [0, 1) or estimated, got \(dropRate)")
        }
        guard (0...1000).contains(warmupEpochs) else { throw ValidationError("--warmup-epochs must be in 0...1000, got \(warmupEpochs)") }
        let rankingWindow = self.rankingWindow ?? ClassAwareRule.defaultRankingWindow
        guard (0...1_000_000).contains(rankingWindow) else { throw ValidationError("--ranking-window must be in 0...1000000, got \(rankingWindow)") }
        let selection = self.selection ?? .rank
        if selection != .rank, rankingWindow != 0 { throw ValidationError("--ranking-window ranks within a class's recent scores; --selection \(selection.rawValue) does not use it") }
        let action = maskAction ?? .drop
        if action == .correct, selection != .history { throw ValidationError("--mask-action correct averages predictions over the epochs: add --selection history") }
        if correctionConfidence != nil, action != .correct { throw ValidationError("--correction-confidence applies to --mask-action correct, not to \(action.rawValue)") }
        let confidence = correctionConfidence ?? 0.5
        guard confidence > 0 && confidence <= 1 else { throw ValidationError("--correction-confidence must be in (0, 1], got \(confidence)") }
        return try ClassAwareRule(score: score, rate: rate, warmupEpochs: warmupEpochs, rankingWindow: rankingWindow, selection: selection,
                                  action: action, correctionConfidence: confidence)
    }

    /// The paper's mask rule, or nil for the baseline and the class-aware rules.
    func maskRule() throws -> ThresholdRule? {
        switch mask {
        case "none": return nil
        case let name where SelectionScore(rawValue: name) != nil: return nil
        case "batch": return .batchMean
        case "fixed", "quantile", "running", "mad":
            let defaults = ["fixed": 0.5, "quantile": 0.8, "running": 0.9, "mad": 3.0]
            return try ThresholdRule(parsing: "\(mask):\(threshold ?? defaults[mask]!)")
        default:
            throw ValidationError("--mask must be none, fixed, batch, quantile, running, mad, \(SelectionScore.allCases.map(\.rawValue).joined(separator: ", ")), got \(mask)")
        }
    }

    func settings(classCount: Int) throws -> ClassifierSettings {
        let s = try uncheckedSettings(classCount: classCount)
        try s.validate()
        return s
    }

    /// Checks every setting that does not depend on the data (the sizes above all) before
    /// the data is loaded and resized to `side`.
    func validateBeforeLoading() throws {
        var s = try uncheckedSettings(classCount: 2)
        s.sampling = .shuffled  // divisibility by the class count is checked once the classes are known
        try s.validate()
    }

    private func uncheckedSettings(classCount: Int) throws -> ClassifierSettings {
        var s = ClassifierSettings()
        s.side = side; s.width = width; s.classCount = classCount; s.dropoutRate = dropout; s.epochs = epochs
        s.batchSize = batchSize; s.learningRate = learningRate; s.learningRateDecay = learningRateDecay
        s.learningRateDecayEvery = decayEvery; s.momentum = momentum; s.weightDecay = weightDecay; s.loss = loss
        s.focalGamma = gamma; s.labelSmoothing = labelSmoothing == 0 ? nil : labelSmoothing; s.sampling = sampling; s.weightedLoss = weightedLoss; s.mask = try maskRule()
        s.classAwareMask = try classAwareRule()
        s.neighborSigma = sigma; s.divergenceInTrainingMode = divergenceInTrainingMode; s.augment = augment; s.seed = seed
        s.precision = try precision.setting()
        return s
    }
}

/// Every autoencoder hyper-parameter, the paper's value as default (Section III-B).
struct AutoencoderOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Image side (the paper: 112).") var side = 112
    @Option(parsing: .unconditional, help: "Latent code size (the paper: 64).") var latentSize = 64
    @Flag(inversion: .prefixedNo, help: "End the last decoder block with a ReLU (the peer's reading of Table I); --no-output-relu lets the output be linear, which cannot die.")
    var outputRelu = true
    @Option(parsing: .unconditional, help: "Pre-training epochs (the paper: 50).") var pretrainEpochs = 50
    @Option(parsing: .unconditional, help: "Pre-training batch size (the paper: 256).") var pretrainBatchSize = 256
    @Option(parsing: .unconditional, help: "Pre-training learning rate (the paper: 1e-3, x0.1 every 10 epochs).") var pretrainLearningRate = 1e-3
    @Option(parsing: .unconditional, help: "Decay the pre-training learning rate x0.1 every this many epochs (the paper: 10).") var pretrainDecayEvery = 10
    @Option(parsing: .unconditional, help: "Refinement epochs (the paper: 100).") var refineEpochs = 100
    @Option(parsing: .unconditional, help: "Refinement batch size (the paper: 64).") var refineBatchSize = 64
    @Option(parsing: .unconditional, help: "Decoder learning rate, RMSprop (the paper: 1e-4).") var decoderLearningRate = 1e-4
    @Option(parsing: .unconditional, help: "Critic learning rate, RMSprop (the paper: 2e-5).") var criticLearningRate = 2e-5
    @Option(parsing: .unconditional, help: "lambda_AE (the paper: 1e-3, x0.1 every 20 epochs).") var lambdaAE = 1e-3
    @Option(parsing: .unconditional, help: "lambda_Adv (the paper: 5).") var lambdaAdversarial = 5.0
    @Option(parsing: .unconditional, help: "lambda_Rec (the paper: 1).") var lambdaReconstruction = 1.0
    @Option(parsing: .unconditional, help: "The critic trains once every this many decoder steps after the first epoch (the paper: 10).") var criticEvery = 10
    @Option(parsing: .unconditional, help: "Seed of the weights, batches and dropout.") var seed: UInt64 = 0
    @OptionGroup var precision: PrecisionOption

    func settings() throws -> AutoencoderSettings {
        var s = AutoencoderSettings()
        s.side = side; s.latentSize = latentSize; s.outputReLU = outputRelu; s.pretrainEpochs = pretrainEpochs; s.pretrainBatchSize = pretrainBatchSize
        s.pretrainLearningRate = pretrainLearningRate; s.pretrainDecayEvery = pretrainDecayEvery; s.refineEpochs = refineEpochs; s.refineBatchSize = refineBatchSize
        s.decoderLearningRate = decoderLearningRate; s.criticLearningRate = criticLearningRate; s.lambdaAE = lambdaAE
        s.lambdaAdversarial = lambdaAdversarial; s.lambdaReconstruction = lambdaReconstruction; s.criticEvery = criticEvery; s.seed = seed
        s.precision = try precision.setting()
        try s.validate()
        return s
    }
}
