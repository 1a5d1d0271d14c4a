/// What a class-aware mask ranks the samples of a class by (larger = more likely mislabelled).
public enum SelectionScore: String, Codable, Sendable, CaseIterable {
    /// Cross-entropy of the semantic neighbour's prediction against the given label: a
    /// sample whose neighbour is not classified as its label is suspect. Unlike the paper's
    /// S, it looks at the label, so a hard but correctly labelled image whose prediction
    /// wavers between two wrong classes is not penalised for the wavering alone.
    case neighborLabelLoss = "label-aware"
    /// The training loss of the sample itself: the small-loss rule of the noisy-label
    /// literature (Co-teaching, Han et al., NeurIPS 2018), the baseline to beat.
    case sampleLoss = "small-loss"
    /// The paper's S and the neighbour's label loss, each standardised over the batch, summed.
    case combined
    /// A control, not a detector: each sample's score is a uniform random number fixed by the
    /// run's seed and the sample's index, so the rule drops the rate's share of each class
    /// whatever the labels (a fixed rate only): with history selection always the same
    /// samples, with rank selection those of each batch with the largest numbers. Beside a
    /// rule at the same rate and selection it tells whether the rule gains by what it chooses
    /// or by dropping at all.
    case random

    /// Whether the score needs the semantic neighbour (and so an autoencoder); the others come
    /// from the training pass itself or from the sample's index.
    public var needsNeighbors: Bool { self != .sampleLoss && self != .random }
}

/// The share of each class a class-aware mask drops.
public enum DropRate: Codable, Sendable, Equatable {
    /// The same share for every class.
    case fixed(Double)
    /// Per class, the weight of the high-score component of a two-component Gaussian mixture
    /// fitted to the class's scores of the previous epoch (``NoiseRateEstimate``), as
    /// DivideMix (Li et al., ICLR 2020) separates clean from noisy samples by their losses.
    case estimated
}

/// How a class-aware mask turns a class's drop rate into decisions.
public enum ClassSelection: String, Codable, Sendable, CaseIterable {
    /// Drop rate x count of each class's samples in every batch, the largest scores (or rank
    /// over a window of recent scores, ``ClassAwareRule/rankingWindow``). Every batch loses
    /// the same share of a class whatever number of wrong labels it holds.
    case rank
    /// Drop every sample whose score is above its class's threshold, set at the end of each
    /// epoch from that epoch's scores and held for the next: where the high component of the
    /// class's two-component mixture becomes the more likely one (``DropRate/estimated``, as
    /// DivideMix divides by the mixture's posterior), or the class's (1 - rate) quantile (a
    /// fixed rate). The count dropped follows the wrong labels each batch holds, but nothing
    /// bounds it: measured at 40% symmetric noise (Docs/Reproduction.md), a class dropped
    /// more is learnt less, its clean losses rise above the last epoch's threshold, and the
    /// rule dropped 68% of a batch in its fourth masking epoch while the network collapsed.
    case threshold
    /// Rank every sample by its own score history against all samples of its class seen in
    /// the last epoch: a moving average of its epoch means (``ScoreHistory``), as
    /// O2U-Net (Huang et al., ICCV 2019) ranks samples by their loss averaged over training and
    /// Area Under the Margin (Pleiss et al., NeurIPS 2020) by their margin averaged over it. At
    /// the start of each epoch the rate x count of each class with the largest averages are
    /// chosen, and that choice holds for the whole epoch: the count is bounded as with ranking
    /// in the batch, but a class's 2,000 samples are ranked at once instead of the 6 a batch of
    /// 60 holds, and one noisy epoch moves a sample's average only by half. A sample not drawn
    /// in the last epoch (class-balanced sampling of an unbalanced set) is not ranked. Nothing
    /// is dropped in the first epoch (no history yet), whatever the rate and warm-up. The
    /// samples must be identified (``ClassAwareMask/decide(scores:labels:samples:predictions:)``).
    case history
}

/// What training does with the samples a class-aware mask selects.
public enum ClassAwareAction: String, Codable, Sendable, CaseIterable {
    /// Leave them out of the loss: their terms are zero and the mean is over the whole batch,
    /// as with the paper's mask (the peer's `(loss * m).mean()`), so a batch that drops a
    /// share r of its samples takes a step (1 - r) times as long.
    case drop
    /// Leave them out and average over the kept samples only (Co-teaching's mean over the
    /// selected samples), so the step keeps its length whatever share is dropped.
    case dropRescaled = "drop-rescaled"
    /// Train them on the network's own prediction of the same pass instead of their label
    /// (hard bootstrapping, Reed et al., ICLR 2015 workshop): a wrong label is replaced rather
    /// than its image lost, and the step keeps its length.
    case relabel
    /// Relabel a selected sample with the class that its prediction, averaged over the epochs
    /// (a temporal ensemble, Laine & Aila, ICLR 2017), puts first, when that average gives the
    /// class at least ``ClassAwareRule/correctionConfidence`` and it is not the given label;
    /// drop the other selected samples. The corrections are chosen with the selection, at the
    /// start of each epoch, as SELFIE (Song et al., ICML 2019) refurbishes the samples whose
    /// predictions were consistent over the last epochs. Unlike ``relabel``, a sample is not
    /// taught the prediction of the pass it is trained in, which its given label is pulling
    /// towards itself. History selection only (the averages are the history's); the
    /// predictions come from the training pass for the small-loss score and from the semantic
    /// neighbour for the others. Samples are still selected by their score under the given
    /// label, so a corrected sample the network learns under its new label keeps a large score
    /// and stays selected: a correction, once made, tends to hold.
    case correct
}

/// The settings of a class-aware mask (saved in a run's configuration).
public struct ClassAwareRule: Codable, Sendable, Equatable {
    public var score: SelectionScore
    public var rate: DropRate
    /// Epochs over which the drop rate ramps up linearly from 0 (Co-teaching's schedule): the
    /// scores of an untrained network say little. With ``DropRate/estimated`` the first epoch
    /// drops nothing in any case (there is no previous epoch to estimate from).
    public var warmupEpochs: Int
    /// How many of its most recent scores a class is ranked over. 0 (the default): only the
    /// batch's own samples of the class, dropping rate x count of them, so every batch keeps
    /// the same share of every class. n > 0: a sample is dropped when its score is above the
    /// class's (1 - rate) quantile over its last n scores, the batch's included, so the count
    /// dropped follows the wrong labels a batch holds, but also the drift of a class's scores
    /// as the network learns: a class the network is getting worse at is dropped more, and
    /// gets worse still. Measured at 40% symmetric noise (Docs/Reproduction.md): 75.2% test
    /// accuracy after 7 epochs with a window of 256 against 81.8% within the batch, with the
    /// same precision (0.69) and AUROC (0.95 against 0.97).
    public var rankingWindow: Int
    /// Ranking within the batch (the default), a per-class threshold from the last epoch, or
    /// ranking each sample's score history within its class.
    public var selection: ClassSelection
    /// Drop the selected samples (the default), drop them and average over the kept, or
    /// relabel them with the prediction (``ClassAwareAction/relabel``, ``ClassAwareAction/correct``).
    public var action: ClassAwareAction
    /// The averaged probability a class needs for ``ClassAwareAction/correct`` to relabel a
    /// selected sample with it (default 0.5: more likely than all other classes together).
    public var correctionConfidence: Double

    /// Ranking within the batch: measured better than a window (``rankingWindow``).
    public static let defaultRankingWindow = 0

    /// - Throws: for a fixed rate outside [0, 1), a negative warm-up, a negative window, a
    ///   window with threshold or history selection (which rank no batch), an estimated rate for
    ///   the random control, correction without history selection, or a correction confidence
    ///   outside (0, 1].
    public init(score: SelectionScore, rate: DropRate = .estimated, warmupEpochs: Int = 1,
                rankingWindow: Int = ClassAwareRule.defaultRankingWindow, selection: ClassSelection = .rank,
                action: ClassAwareAction = .drop, correctionConfidence: Double = 0.5) throws {
        if case .fixed(let r) = rate, !(r >= 0 && r < 1) {
            throw TensorError.invalidArgument(op: "ClassAwareRule", message: "the drop rate must be in [0, 1), got \(r)")
        }
        guard warmupEpochs >= 0 else {
            throw TensorError.invalidArgument(op: "ClassAwareRule", message: "warm-up epochs must be at least 0, got \(warmupEpochs)")
        }
        guard rankingWindow >= 0 else {
            throw TensorError.invalidArgument(op: "ClassAwareRule", message: "the ranking window must be at least 0, got \(rankingWindow)")
        }
        guard selection == .rank || rankingWindow == 0 else {
            throw TensorError.invalidArgument(op: "ClassAwareRule", message: "a ranking window applies to rank selection, not to \(selection.rawValue) selection")
        }
        // A mixture fitted to uniform random scores estimates nothing: the control's share is given.
        if score == .random, case .estimated = rate {
            throw TensorError.invalidArgument(op: "ClassAwareRule", message: "the random control needs a fixed drop rate, not an estimated one")
        }
        self.score = score; self.rate = rate; self.warmupEpochs = warmupEpochs; self.rankingWindow = rankingWindow
        guard action != .correct || selection == .history else {
            throw TensorError.invalidArgument(op: "ClassAwareRule", message: "correction averages predictions over the epochs: it needs history selection, not \(selection.rawValue)")
        }
        guard correctionConfidence > 0 && correctionConfidence <= 1 else {
            throw TensorError.invalidArgument(op: "ClassAwareRule", message: "the correction confidence must be in (0, 1], got \(correctionConfidence)")
        }
        self.selection = selection; self.action = action; self.correctionConfidence = correctionConfidence
    }

    private enum CodingKeys: String, CodingKey { case score, rate, warmupEpochs, rankingWindow, selection, action, correctionConfidence }

    /// Runs saved before the window, the selection and the action existed ranked within the
    /// batch and dropped: they resume that way.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(score: c.decode(SelectionScore.self, forKey: .score), rate: c.decode(DropRate.self, forKey: .rate),
                      warmupEpochs: c.decode(Int.self, forKey: .warmupEpochs),
                      rankingWindow: c.decodeIfPresent(Int.self, forKey: .rankingWindow) ?? 0,
                      selection: c.decodeIfPresent(ClassSelection.self, forKey: .selection) ?? .rank,
                      action: c.decodeIfPresent(ClassAwareAction.self, forKey: .action) ?? .drop,
                      correctionConfidence: c.decodeIfPresent(Double.self, forKey: .correctionConfidence) ?? 0.5)
    }
}

/// A mask that drops, within each class, the samples with the largest scores, at a per-class
/// rate. One global threshold on a label-aware score drops whole hard classes (their every
/// sample has a large loss) and training collapses; ranking within the class keeps every
/// class in the gradient.
///
/// With a ranking window (``ClassAwareRule/rankingWindow``), a sample is dropped when its
/// score exceeds the class's (1 - rate) quantile over the class's recent scores. Without one,
/// the count dropped from class c of a batch is rate_c x n_c rounded by error diffusion (the
/// remainder carries to the class's next batch), so over an epoch exactly the rate is dropped
/// even when a batch holds only a few samples of each class. With threshold selection
/// (``ClassSelection/threshold``) a per-class threshold from the last epoch decides, and with
/// history selection (``ClassSelection/history``) the samples chosen at the start of the epoch
/// from their average scores.
public struct ClassAwareMask: Codable, Sendable, Equatable {
    public let rule: ClassAwareRule
    public let classCount: Int
    /// The per-class drop rates in force this epoch. With threshold selection, the share of
    /// the last epoch's scores of the class above its threshold.
    public private(set) var rates: [Double]
    /// Threshold selection: each class's threshold set at the end of the last epoch, and
    /// those in force this epoch (nil during the warm-up: nothing is dropped).
    public private(set) var nextThresholds: [Double]?
    public private(set) var thresholds: [Double]?
    /// The per-class rates estimated at the end of the last epoch (``DropRate/estimated``).
    public private(set) var estimatedRates: [Double]?
    private var carry: [Double]
    /// Scores seen this epoch, per class, for the next epoch's estimate.
    private var epochScores: [[Double]]
    /// The last ``ClassAwareRule/rankingWindow`` scores of each class, oldest first; kept
    /// across epochs so the first batches of an epoch are ranked against a full window.
    private var recentScores: [[Double]]
    /// History selection: each sample's average score over the epochs (nil for the others).
    public private(set) var history: ScoreHistory?
    /// History selection: the samples chosen for the epoch ``historyEpoch``.
    public private(set) var historySelected: Set<Int>
    /// History selection: the epoch under way (its samples are chosen, its scores collected).
    public private(set) var historyEpoch: Int?
    /// Label correction (``ClassAwareAction/correct``): the selected samples relabelled this
    /// epoch, and their new labels.
    public private(set) var corrections: [Int: Int] = [:]

    /// - Throws: for fewer than 2 classes.
    public init(rule: ClassAwareRule, classCount: Int) throws {
        guard classCount >= 2 else {
            throw TensorError.invalidArgument(op: "ClassAwareMask", message: "need at least 2 classes, got \(classCount)")
        }
        self.rule = rule
        self.classCount = classCount
        rates = Array(repeating: 0, count: classCount)
        carry = Array(repeating: 0, count: classCount)
        epochScores = Array(repeating: [], count: classCount)
        recentScores = Array(repeating: [], count: classCount)
        history = rule.selection == .history ? ScoreHistory() : nil
        historySelected = []
    }

    private enum CodingKeys: String, CodingKey {
        case rule, classCount, rates, estimatedRates, carry, epochScores, recentScores, nextThresholds, thresholds
        case history, historySelected, historyEpoch, correctedSamples, correctedLabels
    }

    /// Masks saved before the ranking window existed have no recent scores; a history that
    /// does not fit the rule or the classes is refused.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rule = try c.decode(ClassAwareRule.self, forKey: .rule)
        classCount = try c.decode(Int.self, forKey: .classCount)
        rates = try c.decode([Double].self, forKey: .rates)
        estimatedRates = try c.decodeIfPresent([Double].self, forKey: .estimatedRates)
        carry = try c.decode([Double].self, forKey: .carry)
        epochScores = try c.decode([[Double]].self, forKey: .epochScores)
        recentScores = try c.decodeIfPresent([[Double]].self, forKey: .recentScores) ?? Array(repeating: [], count: classCount)
        // A class with no threshold (infinity: it drops nothing) is saved as null: JSON has no infinity.
        nextThresholds = try c.decodeIfPresent([Double?].self, forKey: .nextThresholds)?.map { $0 ?? .infinity }
        thresholds = try c.decodeIfPresent([Double?].self, forKey: .thresholds)?.map { $0 ?? .infinity }
        history = try c.decodeIfPresent(ScoreHistory.self, forKey: .history)
        historyEpoch = try c.decodeIfPresent(Int.self, forKey: .historyEpoch)
        historySelected = Set(try c.decodeIfPresent([Int].self, forKey: .historySelected) ?? [])
        let correctedSamples = try c.decodeIfPresent([Int].self, forKey: .correctedSamples) ?? []
        let correctedLabels = try c.decodeIfPresent([Int].self, forKey: .correctedLabels) ?? []
        // Only a correcting mask holds corrections, each of a selected sample, to a class other than its label.
        let given = history?.records
        guard correctedSamples.count == correctedLabels.count, Set(correctedSamples).count == correctedSamples.count,
              correctedSamples.isEmpty || rule.action == .correct, Set(correctedSamples).isSubset(of: historySelected),
              zip(correctedSamples, correctedLabels).allSatisfy({ sample, label in
                  (0..<classCount).contains(label) && given?[sample].map { $0.label != label } ?? false }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "the corrections do not fit the selection or the classes"))
        }
        corrections = Dictionary(uniqueKeysWithValues: zip(correctedSamples, correctedLabels))
        let classes = classCount
        guard (history != nil) == (rule.selection == .history), history.map({ $0.labelsAreBelow(classes) }) ?? true,
              historySelected.isSubset(of: history?.records.keys.map { $0 } ?? []), (historyEpoch ?? 0) >= 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "the score history does not fit the mask"))
        }
        let lists = [rates, carry, nextThresholds ?? rates, thresholds ?? rates].map(\.count) + [epochScores.count, recentScores.count]
        guard lists.allSatisfy({ $0 == classCount }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "per-class lists do not have \(classCount) entries"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rule, forKey: .rule)
        try c.encode(classCount, forKey: .classCount)
        try c.encode(rates, forKey: .rates)
        try c.encodeIfPresent(estimatedRates, forKey: .estimatedRates)
        try c.encode(carry, forKey: .carry)
        try c.encode(epochScores, forKey: .epochScores)
        try c.encode(recentScores, forKey: .recentScores)
        try c.encodeIfPresent(nextThresholds?.map { $0.isFinite ? $0 : nil }, forKey: .nextThresholds)
        try c.encodeIfPresent(thresholds?.map { $0.isFinite ? $0 : nil }, forKey: .thresholds)
        try c.encodeIfPresent(history, forKey: .history)
        try c.encode(historySelected.sorted(), forKey: .historySelected)
        try c.encodeIfPresent(historyEpoch, forKey: .historyEpoch)
        if !corrections.isEmpty {
            let sorted = corrections.sorted { $0.key < $1.key }
            try c.encode(sorted.map(\.key), forKey: .correctedSamples)
            try c.encode(sorted.map(\.value), forKey: .correctedLabels)
        }
    }

    /// Sets the rates for `epoch` (0-based): the target rate, ramped over the warm-up; with
    /// threshold selection, the thresholds of the last epoch once the warm-up is over; with
    /// history selection, also the samples the epoch drops or corrects (chosen once per epoch,
    /// so a run resumed within the epoch drops and corrects the same ones).
    public mutating func startEpoch(_ epoch: Int) {
        if rule.selection == .threshold {
            thresholds = epoch >= rule.warmupEpochs ? nextThresholds : nil
            if thresholds == nil { rates = Array(repeating: 0, count: classCount) }
            return
        }
        let ramp = rule.warmupEpochs == 0 ? 1 : min(1, Double(epoch) / Double(rule.warmupEpochs))
        for c in 0..<classCount {
            let target: Double
            switch rule.rate {
            case .fixed(let r): target = r
            case .estimated: target = estimatedRates?[c] ?? 0
            }
            rates[c] = target * ramp
        }
        if let history, historyEpoch != epoch {
            historySelected = history.largestAverages(seenIn: epoch - 1, rates: rates)
            corrections = rule.action == .correct ? history.corrections(of: historySelected, confidence: rule.correctionConfidence) : [:]
            historyEpoch = epoch
        }
    }

    /// Estimates next epoch's rates (``DropRate/estimated``) or thresholds (threshold
    /// selection) from this epoch's scores, and clears them; with history selection, folds the
    /// epoch into the averages and estimates from the averages of the samples it saw.
    public mutating func finishEpoch() {
        if let epoch = historyEpoch { history?.finishEpoch(epoch) }
        if rule.rate == .estimated {
            // History selection ranks the averages of the samples just seen, so the share to drop is read from them.
            let estimatedFrom = history.map { h in h.seen(in: historyEpoch ?? 0, classCount: classCount).map { $0.map(\.average) } } ?? epochScores
            estimatedRates = estimatedFrom.map { NoiseRateEstimate.highComponentWeight(of: $0) }
        }
        if rule.selection == .threshold {
            let next = epochScores.map { scores -> Double in
                switch rule.rate {
                // All of a few scores to drop: the lowest finite threshold (JSON holds no -infinity).
                case .fixed(let r): return max(-Double.greatestFiniteMagnitude, Self.upperQuantile(scores, share: r) ?? .infinity)
                case .estimated: return NoiseRateEstimate.fit(scores)?.boundary(among: scores) ?? .infinity
                }
            }
            nextThresholds = next
            // The share each threshold would have dropped of this epoch's scores: the rate reported.
            rates = zip(epochScores, next).map { scores, t in
                scores.isEmpty ? 0 : Double(scores.filter { $0 > t }.count) / Double(scores.count)
            }
        }
        epochScores = Array(repeating: [], count: classCount)
    }

    /// Decides one batch: within each class, the samples with the largest scores are masked
    /// (with history selection: the samples chosen at the start of the epoch, and every
    /// sample's average takes its new score).
    /// - Parameters:
    ///   - scores: one per sample, larger = more likely mislabelled.
    ///   - labels: each sample's given label.
    ///   - samples: each sample's index in the training set; needed by history selection only.
    ///   - predictions: each sample's class probabilities; needed by label correction only.
    /// - Throws: for mismatched lengths, a label outside the classes, a non-finite score,
    ///   history selection without valid sample indices, or correction without valid
    ///   predictions (one non-negative finite probability per class for each sample).
    public mutating func decide(scores: [Double], labels: [Int], samples: [Int]? = nil, predictions: [[Double]]? = nil) throws -> MaskDecision {
        guard !scores.isEmpty, scores.count == labels.count else {
            throw TensorError.invalidArgument(op: "ClassAwareMask", message: "\(scores.count) scores for \(labels.count) labels")
        }
        if rule.selection == .history {
            guard let samples, samples.count == scores.count else {
                throw TensorError.invalidArgument(op: "ClassAwareMask", message: "history selection needs the index of each of the \(scores.count) samples, got \(samples?.count ?? 0)")
            }
            if let bad = samples.first(where: { $0 < 0 }) {
                throw TensorError.invalidArgument(op: "ClassAwareMask", message: "sample index \(bad) is negative")
            }
        }
        if let bad = scores.first(where: { !$0.isFinite }) {
            throw TensorError.invalidArgument(op: "ClassAwareMask", message: "score \(bad) is not finite")
        }
        if let bad = labels.first(where: { !(0..<classCount).contains($0) }) {
            throw TensorError.invalidArgument(op: "ClassAwareMask", message: "label \(bad) is not one of the \(classCount) classes")
        }
        if rule.action == .correct {
            guard let predictions, predictions.count == scores.count,
                  predictions.allSatisfy({ $0.count == classCount && $0.allSatisfy { $0.isFinite && $0 >= 0 } }) else {
                throw TensorError.invalidArgument(op: "ClassAwareMask", message: "correction needs \(classCount) non-negative finite class probabilities for each of the \(scores.count) samples")
            }
        }
        var keep = [Bool](repeating: true, count: scores.count)
        for c in 0..<classCount {
            let members = labels.indices.filter { labels[$0] == c }
            guard !members.isEmpty else { continue }
            if let samples, history != nil {
                for i in members {
                    keep[i] = !historySelected.contains(samples[i])
                    history?.add(score: scores[i], label: c, sample: samples[i], prediction: rule.action == .correct ? predictions?[i] ?? [] : [])
                }
                continue
            }
            for i in members { epochScores[c].append(scores[i]) }
            if rule.selection == .threshold {
                if let t = thresholds?[c] { for i in members where scores[i] > t { keep[i] = false } }
                continue
            }
            if rule.rankingWindow > 0 {
                recentScores[c].append(contentsOf: members.map { scores[$0] })
                recentScores[c].removeFirst(max(0, recentScores[c].count - rule.rankingWindow))
                if let threshold = Self.upperQuantile(recentScores[c], share: rates[c]) {
                    for i in members where scores[i] > threshold { keep[i] = false }
                }
                continue
            }
            let wanted = rates[c] * Double(members.count) + carry[c]
            let count = min(members.count, max(0, Int(wanted.rounded(.down))))
            carry[c] = wanted - Double(count)
            // Largest scores first; ties by position, so the decision is reproducible.
            let ranked = members.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            for i in ranked.prefix(count) { keep[i] = false }
        }
        return MaskDecision(keep: keep, threshold: rates.reduce(0, +) / Double(classCount), divergences: scores)
    }

    /// The score above which `share` of `scores` lies: the (k+1)-th largest, k = share x count
    /// rounded, so at most k of them are above it; nil when k is 0 (nothing to drop).
    static func upperQuantile(_ scores: [Double], share: Double) -> Double? {
        let k = Int((share * Double(scores.count)).rounded())
        guard k > 0 else { return nil }
        guard k < scores.count else { return -.infinity }
        return scores.sorted(by: >)[k]
    }

    /// Both scores standardised over the batch (zero mean, unit deviation), summed: the
    /// ``SelectionScore/combined`` score.
    public static func combined(_ a: [Double], _ b: [Double]) -> [Double] {
        func standardised(_ v: [Double]) -> [Double] {
            let mean = v.reduce(0, +) / Double(max(1, v.count))
            let deviation = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(1, v.count))).squareRoot()
            return v.map { deviation > 0 ? ($0 - mean) / deviation : 0 }
        }
        return zip(standardised(a), standardised(b)).map { $0 + $1 }
    }
}
