import NeuralNetworks

/// Every setting of a classifier run, with the paper's values as defaults (Section IV-B,
/// Table II; PAPER-NOTES.md section 3). Saved as `config.json` in the run folder.
public struct ClassifierSettings: Codable, Sendable, Equatable {
    /// The classification loss of each head.
    public enum LossKind: String, Codable, Sendable, CaseIterable { case focal, crossEntropy = "cross-entropy" }
    /// How mini-batches are drawn.
    public enum Sampling: String, Codable, Sendable, CaseIterable {
        /// Every class has the same count in each batch (the paper's Selective Learning).
        case balanced
        /// A plain shuffle; pair with `weightedLoss` for the paper's alternative.
        case shuffled
    }

    public var side = 112
    public var width = 1.0
    public var classCount = 7
    public var dropoutRate = 0.5
    public var epochs = 50
    public var batchSize = 63
    public var learningRate = 1e-2
    public var learningRateDecay = 0.1
    public var learningRateDecayEvery = 10
    public var momentum = 0.9
    public var weightDecay = 0.002
    public var loss = LossKind.focal
    public var focalGamma = 2.0
    /// Label smoothing epsilon of the loss (`FocalLoss` and `CrossEntropyLoss`; not in the
    /// paper): nil is none, as in config.json files written before the setting existed.
    public var labelSmoothing: Double?
    public var sampling = Sampling.balanced
    /// Class weights inversely proportional to class frequency (for shuffled batches).
    public var weightedLoss = false
    /// The neighbourhood-aware mask: nil for the baseline, else the threshold rule
    /// (`fixed:T` is Ours(T), `batch` is Ours(BT), eq. 11 and 14).
    public var mask: ThresholdRule?
    /// A mask beyond the paper's, ranking the samples of each class by a score
    /// (NeuralNetworks' `ClassAwareMask`); nil unless chosen. Exclusive with `mask`.
    public var classAwareMask: ClassAwareRule?
    /// Standard deviation of the latent noise of the semantic neighbours (eq. 9).
    public var neighborSigma = 0.1
    /// Compute S from training-mode forward passes (dropout on, batch statistics), as the
    /// PyTorch peer does, instead of evaluation mode.
    public var divergenceInTrainingMode = false
    /// Horizontal flip and small shifts of the training images.
    public var augment = true
    public var seed: UInt64 = 0
    /// The arithmetic of the convolutions' products (`ComputePrecision` of Tensors): nil is Float, as in
    /// config.json files written before the setting existed. Weights, gradients and the
    /// optimizer stay Float either way; the trainer and the run apply it to every step and
    /// evaluation of the run, so a resumed run continues with it.
    public var precision: ComputePrecision?

    public init() {}

    /// The learning rate during `epoch` (step decay).
    public func learningRate(atEpoch epoch: Int) throws -> Double {
        try StepDecay(initial: learningRate, factor: learningRateDecay, interval: learningRateDecayEvery).value(atEpoch: epoch)
    }

    /// Checks ranges; throws an error that names the setting.
    public func validate() throws {
        func check(_ condition: Bool, _ message: String) throws {
            if !condition { throw TensorError.invalidArgument(op: "classifier settings", message: message) }
        }
        let op = "classifier settings"
        for (name, value) in [("width", width), ("dropout rate", dropoutRate), ("learning rate", learningRate),
                              ("learning-rate decay", learningRateDecay), ("momentum", momentum), ("weight decay", weightDecay),
                              ("focal gamma", focalGamma), ("neighbor sigma", neighborSigma)] {
            try check(value.isFinite, "\(name) must be a finite number, got \(value)")
        }
        try check(side >= 32, "side must be at least 32, got \(side)")
        try MemoryBudget.check("side", Double(side), atMost: Double(MemoryBudget.maximumSide), op: op)
        try check(width > 0, "width must be positive, got \(width)")
        try MemoryBudget.check("width", width, atMost: MemoryBudget.maximumWidth, op: op)
        try check(classCount >= 2, "need at least 2 classes, got \(classCount)")
        try MemoryBudget.check("the class count", Double(classCount), atMost: Double(MemoryBudget.maximumClassCount), op: op)
        try check(epochs >= 1, "epochs must be at least 1, got \(epochs)")
        try MemoryBudget.check("epochs", Double(epochs), atMost: Double(MemoryBudget.maximumEpochs), op: op)
        try check(batchSize >= 2, "batch size must be at least 2, got \(batchSize)")
        try MemoryBudget.check("batch size", Double(batchSize), atMost: Double(MemoryBudget.maximumBatchSize), op: op)
        try check((0..<1).contains(dropoutRate), "dropout rate must be in [0, 1), got \(dropoutRate)")
        try check(learningRate > 0, "learning rate must be positive, got \(learningRate)")
        try check(learningRateDecay > 0 && learningRateDecay <= 1, "learning-rate decay must be in (0, 1], got \(learningRateDecay)")
        try check(learningRateDecayEvery >= 1, "the decay interval must be at least 1 epoch, got \(learningRateDecayEvery)")
        try check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got \(momentum)")
        try check(weightDecay >= 0, "weight decay must be at least 0, got \(weightDecay)")
        try check(focalGamma >= 0, "focal gamma must be at least 0, got \(focalGamma)")
        if let labelSmoothing { try check(labelSmoothing.isFinite && (0..<1).contains(labelSmoothing), "label smoothing must be in [0, 1), got \(labelSmoothing)") }
        try check(neighborSigma >= 0, "neighbor sigma must be at least 0, got \(neighborSigma)")
        // The evaluation after each epoch runs 64 images at a time (Evaluator): the larger counts.
        try MemoryBudget.checkFits(MemoryBudget.classifierTrainingBytes(side: side, width: width, classCount: classCount, batchSize: max(batchSize, 64)),
                                   what: "training at side \(side), width \(width), batch \(batchSize)",
                                   advice: "lower the side, the width or the batch size", op: op)
        try check(sampling != .balanced || batchSize % classCount == 0,
                  "balanced batches need a batch size divisible by the \(classCount) classes, got \(batchSize) (the paper: 63 = 9 x 7)")
        if let mask { _ = try NeighborhoodMask(rule: mask) }
        try check(mask == nil || classAwareMask == nil, "choose the paper's mask or a class-aware mask, not both")
        if let rule = classAwareMask { _ = try ClassAwareRule(score: rule.score, rate: rule.rate, warmupEpochs: rule.warmupEpochs, rankingWindow: rule.rankingWindow, selection: rule.selection, action: rule.action, correctionConfidence: rule.correctionConfidence) }
    }

    /// A short name of the method for progress lines: baseline, masked (the paper's rules)
    /// or the class-aware score's name.
    public var methodLabel: String { classAwareMask?.score.rawValue ?? (mask == nil ? "baseline" : "masked") }

    /// Whether the run needs semantic neighbours (and so a pre-trained autoencoder).
    public var needsNeighbors: Bool {
        mask != nil || (classAwareMask?.score.needsNeighbors ?? false)
    }
}
