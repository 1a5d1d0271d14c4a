import NeuralNetworks

/// One training step of the two-branch classifier, baseline or neighbourhood-aware
/// (Algorithm 1), and prediction. Holds the model, its optimizer and the mask state.
public final class ClassifierTrainer {
    public let settings: ClassifierSettings
    public let model: MultiScaleClassifier<Float>
    public let optimizer: SGD<Float>
    /// The frozen autoencoder whose neighbours the mask compares against (nil for the baseline).
    public let neighbors: SemanticNeighborGenerator<Float>?
    public var mask: NeighborhoodMask?
    /// The class-aware mask, when the settings choose one instead of the paper's.
    public var classAwareMask: ClassAwareMask?
    let classWeights: [Double]?
    /// The processes of a data-parallel run (nil: one process). With it, `step` takes this
    /// process's shard of the global batch, decides the mask over the global batch, averages
    /// the gradients before the optimizer step and reports the global batch's loss.
    public var dataParallel: (any DataParallel)?

    /// What one step did.
    public struct StepOutcome: Sendable {
        /// The summed loss of the three heads (after masking).
        public let loss: Double
        /// The mask's decision, for the masked method (over the global batch in a
        /// data-parallel run, in the global batch's order).
        public let decision: MaskDecision?
        /// The training-set indices of the decision's samples when the step gathered them
        /// (history selection), so that a caller tallying the decision need not gather again.
        public var samples: [Int]? = nil
    }

    /// - Parameters:
    ///   - settings: the model, loss, optimizer and mask of the run; validated here.
    ///   - autoencoder: required when `settings.mask` is set; its side must equal the classifier's.
    ///   - classWeights: per-class weights for the loss (nil for none).
    public init(settings: ClassifierSettings, autoencoder: AsymmetricAutoencoder<Float>?, classWeights: [Double]? = nil) throws {
        try settings.validate()
        self.settings = settings
        self.classWeights = classWeights
        model = try MultiScaleClassifier(side: settings.side, width: settings.width, classCount: settings.classCount,
                                         dropoutRate: settings.dropoutRate, seed: settings.seed)
        optimizer = try SGD(parameters: model.namedParameters, learningRate: settings.learningRate,
                            momentum: settings.momentum, weightDecay: settings.weightDecay)
        classAwareMask = try settings.classAwareMask.map { try ClassAwareMask(rule: $0, classCount: settings.classCount) }
        if settings.needsNeighbors {
            guard let autoencoder else {
                throw TensorError.invalidArgument(op: "ClassifierTrainer", message: "the masked method needs a pre-trained autoencoder")
            }
            guard autoencoder.side == settings.side else {
                throw TensorError.invalidArgument(op: "ClassifierTrainer", message: "autoencoder side \(autoencoder.side) differs from the classifier side \(settings.side)")
            }
            autoencoder.setFrozen(true)
            neighbors = try SemanticNeighborGenerator(encoder: autoencoder.encoder, decoder: autoencoder.decoder,
                                                      sigma: settings.neighborSigma, random: RandomStream(seed: settings.seed &+ 17))
            mask = try settings.mask.map { try NeighborhoodMask(rule: $0) }
        } else {
            neighbors = nil
            mask = nil
        }
    }

    /// Joins a data-parallel run: rank 0's weights and buffers on every process, and this
    /// process's dropout and neighbour streams (``DataParallel/generator(forRank0:)``). Call
    /// it at the start and again after restoring a checkpoint, which holds rank 0's streams.
    public func join(_ dataParallel: any DataParallel) throws {
        self.dataParallel = dataParallel
        try dataParallel.broadcast(state: model.namedState)
        model.random.generator = dataParallel.generator(forRank0: model.random.generator)
        if let neighbors { neighbors.random.generator = dataParallel.generator(forRank0: neighbors.random.generator) }
    }

    /// Per-sample losses of one head, with the run's label smoothing, or without it (`smoothed`
    /// false: the small-loss rule's score, the given label's loss alone).
    func perSampleLoss(_ logits: Variable<Float>, labels: [Int], smoothed: Bool = true) throws -> Variable<Float> {
        let epsilon = smoothed ? settings.labelSmoothing ?? 0 : 0
        switch settings.loss {
        case .focal:
            return try FocalLoss(gamma: settings.focalGamma, classWeights: classWeights, labelSmoothing: epsilon, reduction: .none)(logits, labels: labels)
        case .crossEntropy:
            return try CrossEntropyLoss(classWeights: classWeights, labelSmoothing: epsilon, reduction: .none)(logits, labels: labels)
        }
    }

    /// The random control's score of a sample: uniform in [0, 1), the same in every epoch and
    /// process (with history selection the control then drops a fixed random subset of each class).
    static func randomScore(seed: UInt64, sample: Int) -> Double {
        var generator = SeededGenerator(seed: (seed &+ 0x5A17) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: sample))
        return Double(generator.next() >> 11) / Double(1 << 53)
    }

    /// One optimisation step on a batch (N, 1, side, side): the whole batch, or in a
    /// data-parallel run this process's shard of the global batch.
    /// - Parameters:
    ///   - images: the batch, (N, 1, side, side).
    ///   - labels: each image's given label.
    ///   - samples: each image's index in the training set, which a class-aware mask with
    ///     history selection needs to follow a sample across epochs.
    /// - Throws: for bad shapes or labels, and when the loss is not finite (training has
    ///   diverged: stop rather than write NaN weights).
    public func step(images: Tensor<Float>, labels: [Int], samples: [Int]? = nil) throws -> StepOutcome {
        try ComputePrecision.inRun(settings.precision) { try stepInPrecision(images: images, labels: labels, samples: samples) }
    }

    private func stepInPrecision(images: Tensor<Float>, labels: [Int], samples: [Int]?) throws -> StepOutcome {
        model.isTraining = true
        optimizer.zeroGradients()
        let input = Variable(images)
        var decision: MaskDecision?
        // Gathered once, for the mask and the outcome.
        let decisionSamples = try globalSamples(samples)
        // Label correction averages each sample's class probabilities over the epochs.
        let corrects = classAwareMask?.rule.action == .correct
        var trainingLogits: MultiScaleClassifier<Float>.Logits?
        if let neighbors, mask != nil || classAwareMask != nil {
            // Eq. 9 and eq. 10 (Algorithm 1, lines 4-6), without recording. By default both
            // predictions come from evaluation mode, so S measures how the prediction moves
            // between a sample and its semantic neighbour rather than dropout noise and the
            // neighbour batch's own batch-norm statistics; that costs a third forward pass
            // (the sample in evaluation mode) beside the neighbour's and the training pass.
            // The label-aware score needs only the neighbour's prediction: two passes.
            let neighborImages = try neighbors.neighbors(of: input)
            let needsOwn = mask != nil || classAwareMask?.rule.score == .combined
            var own: Variable<Float>?, neighbor: Variable<Float>
            if settings.divergenceInTrainingMode {
                // The peer's way, in its order: the neighbour in training mode, then the
                // training pass, whose fused logits are the sample's side of S (two passes).
                neighbor = try withoutGradient { try model(neighborImages) }
                let logits = try model.logits(input)
                trainingLogits = logits
                own = Variable(logits.fused.value)
            } else {
                (own, neighbor) = try withoutGradient {
                    model.isTraining = false
                    defer { model.isTraining = true }
                    return (needsOwn ? try model(input) : nil, try model(neighborImages))
                }
            }
            if mask != nil {
                let divergences = try neighborhoodDivergences(logits: own!, neighborLogits: neighbor)
                decision = try mask!.decide(divergences: try dataParallel?.gather(divergences) ?? divergences)
            } else {
                let labelLoss = try withoutGradient {
                    try CrossEntropyLoss(reduction: .none)(neighbor.detached(), labels: labels).value.scalars.map(Double.init)
                }
                let scores = classAwareMask!.rule.score == .combined
                    ? ClassAwareMask.combined(try neighborhoodDivergences(logits: own!, neighborLogits: neighbor), labelLoss)
                    : labelLoss
                decision = try classAwareMask!.decide(scores: try dataParallel?.gather(scores) ?? scores, labels: try globalLabels(labels),
                                                      samples: decisionSamples,
                                                      predictions: corrects ? try globalProbabilities(neighbor.value) : nil)
            }
        }
        let logits = try trainingLogits ?? model.logits(input)
        var perSampleHeads = try logits.all.map { try perSampleLoss($0, labels: labels) }
        if decision == nil, let score = classAwareMask?.rule.score, !score.needsNeighbors {
            let scores: [Double]
            if score == .random {
                guard let samples else {
                    throw TensorError.invalidArgument(op: "ClassifierTrainer", message: "the random control scores samples by their index: pass the samples")
                }
                scores = samples.map { Self.randomScore(seed: settings.seed, sample: $0) }
            } else {
                // The small-loss rule: the training pass's own per-sample loss, summed over the heads
                // (without label smoothing, which would mix every class's term into the score).
                let scoreHeads = (settings.labelSmoothing ?? 0) > 0
                    ? try logits.all.map { try perSampleLoss($0.detached(), labels: labels, smoothed: false) } : perSampleHeads
                var sums = [Double](repeating: 0, count: labels.count)
                for head in scoreHeads { for (i, v) in head.value.scalars.enumerated() { sums[i] += Double(v) } }
                scores = sums
            }
            decision = try classAwareMask!.decide(scores: try dataParallel?.gather(scores) ?? scores, labels: try globalLabels(labels),
                                                  samples: decisionSamples,
                                                  predictions: corrects ? try globalProbabilities(logits.fused.value) : nil)
        }
        // Relabelling: the selected samples learn the fused head's prediction of this pass, and
        // every sample counts in the mean (the decision stays in the outcome for the tallies).
        var lossDecision = decision, lossLabels = labels
        if let decision, classAwareMask?.rule.action == .relabel {
            let keep = dataParallel.map { Array(decision.keep[$0.localRange(localCount: labels.count)]) } ?? decision.keep
            let predicted = argmaxRows(logits.fused.value)
            lossLabels = labels.indices.map { keep[$0] ? labels[$0] : predicted[$0] }
            perSampleHeads = try logits.all.map { try perSampleLoss($0, labels: lossLabels) }
            lossDecision = nil
        }
        // Correction: the corrected samples learn their new label and count as kept; the other
        // selected samples stay dropped.
        if let decision, corrects, let corrections = classAwareMask?.corrections, let decisionSamples, let samples {
            let keep = decision.keep.indices.map { decision.keep[$0] || corrections[decisionSamples[$0]] != nil }
            lossDecision = MaskDecision(keep: keep, threshold: decision.threshold, divergences: decision.divergences)
            lossLabels = labels.indices.map { corrections[samples[$0]] ?? labels[$0] }
            perSampleHeads = try logits.all.map { try perSampleLoss($0, labels: lossLabels) }
        }
        // Rescaled dropping: the masked mean over the batch times N / kept is the mean over the kept.
        let keptScale = lossDecision.flatMap { d -> Float? in
            guard classAwareMask?.rule.action == .dropRescaled else { return nil }
            let kept = d.keep.filter { $0 }.count
            return kept == 0 ? nil : Float(Double(d.keep.count) / Double(kept))
        }
        var total: Variable<Float>?
        for perSample in perSampleHeads {
            var term: Variable<Float>
            if let decision = lossDecision, let dataParallel {
                // This process's share: sum(kept local losses) / local count, whose mean over
                // the processes is maskedMean over the global batch.
                let keep = decision.keep[dataParallel.localRange(localCount: labels.count)]
                term = try (perSample * Variable(Tensor(keep.map { $0 ? Float(1) : 0 }))).mean()
            } else if let decision = lossDecision {
                term = try maskedMean(perSample, decision: decision)
            } else if let classWeights, let dataParallel {
                // The global batch's weight sum, shared out: the mean over the processes is
                // the single-process weighted mean.
                let weightSum = try globalLabels(lossLabels).map { classWeights[$0] }.reduce(0, +)
                term = perSample.sum().scaled(by: Float(Double(dataParallel.processCount) / weightSum))
            } else if let classWeights {
                // Weighted mean as PyTorch's weighted cross-entropy: divide by the weight sum.
                term = perSample.sum().scaled(by: Float(1 / lossLabels.map { classWeights[$0] }.reduce(0, +)))
            } else {
                term = try perSample.mean()
            }
            if let keptScale { term = term.scaled(by: keptScale) }
            total = try total.map { try $0 + term } ?? term
        }
        let loss = total!
        var value = Double(loss.value.scalars[0])
        // The global batch's loss, the same on every process, so all stop together on a NaN.
        if let dataParallel { value = try dataParallel.average(value) }
        guard value.isFinite else {
            throw TensorError.invalidArgument(op: "training", message: "the loss is \(value): training diverged (lower the learning rate)")
        }
        try loss.backward()
        try dataParallel?.averageGradients(of: model.namedParameters)
        try optimizer.step()
        try model.checkFinite(context: "training diverged (lower the learning rate): after this step the classifier")
        return StepOutcome(loss: value, decision: decision, samples: decision == nil ? nil : decisionSamples)
    }

    /// The labels of the global batch (every process's, in rank order), or `labels` in one process.
    func globalLabels(_ labels: [Int]) throws -> [Int] {
        guard let dataParallel else { return labels }
        return try dataParallel.gather(labels.map(Double.init)).map { Int($0) }
    }

    /// The sample indices of the global batch, for a mask with history selection only (the
    /// others rank no sample across batches, so no process pays for the gather); nil otherwise.
    func globalSamples(_ samples: [Int]?) throws -> [Int]? {
        guard classAwareMask?.rule.selection == .history, let samples else { return nil }
        return try globalLabels(samples)
    }

    /// Each row's softmax of (N, K) logits, for the global batch (every process's rows in rank
    /// order, as ``globalLabels(_:)``).
    func globalProbabilities(_ logits: Tensor<Float>) throws -> [[Double]] {
        let k = settings.classCount
        let flat = try withoutGradient { try Variable(logits).softmax() }.value.scalars.map { Double($0) }
        let global = try dataParallel?.gather(flat) ?? flat
        return (0..<(global.count / k)).map { Array(global[($0 * k)..<(($0 + 1) * k)]) }
    }

    /// Fused-head logits in evaluation mode (running statistics, no dropout), no recording,
    /// in the run's precision.
    public func logits(_ images: Tensor<Float>) throws -> Tensor<Float> {
        let wasTraining = model.isTraining
        model.isTraining = false
        defer { model.isTraining = wasTraining }
        return try ComputePrecision.inRun(settings.precision) {
            try withoutGradient { try model(Variable(images)).value }
        }
    }
}

/// Index of the largest value of each row of (N, K) logits.
public func argmaxRows(_ logits: Tensor<Float>) -> [Int] {
    let k = logits.shape.last ?? 1
    return (0..<(logits.count / max(1, k))).map { row in
        var best = 0
        for j in 1..<k where logits.scalars[row * k + j] > logits.scalars[row * k + best] { best = j }
        return best
    }
}
