/// Each training sample's score averaged over the epochs, for a class-aware mask's history
/// selection (``ClassSelection/history``).
///
/// The scores of an epoch are collected first and folded into the average once, at the end
/// of the epoch, as their mean: a sample a class-balanced sampler draws nine times in an
/// epoch moves its average as much as one drawn once, and a sample not drawn keeps its
/// average but is marked as not seen, so that a ranking can leave it out. For label correction
/// (``ClassAwareAction/correct``) each sample's predicted class probabilities are averaged the
/// same way: a temporal ensemble of the network's predictions (Laine & Aila, ICLR 2017).
public struct ScoreHistory: Codable, Sendable, Equatable {
    /// The weight the average keeps at each epoch's mean: 0.5, so the last epoch counts as
    /// much as all earlier ones together.
    public static let decay = 0.5

    /// One sample after its last completed epoch.
    public struct Record: Sendable, Equatable {
        public var label: Int
        public var average: Double
        /// The last epoch (0-based) whose scores it holds.
        public var lastEpoch: Int
        /// The class probabilities averaged as the score is (empty when none were given).
        public var prediction: [Double] = []
    }

    /// Completed epochs, by the sample's index in the training set.
    public private(set) var records: [Int: Record] = [:]
    /// The epoch under way: each sample's label, score sum and count.
    private var pending: [Int: Pending] = [:]

    private struct Pending: Equatable {
        var label: Int, sum: Double, count: Int
        /// Summed class probabilities (empty when none were given).
        var predictionSum: [Double]
    }

    public init() {}

    /// Adds one score of `sample` (its index in the training set) under `label`. A sample
    /// whose label changes within the epoch starts the epoch again under the new one.
    /// `prediction`: the sample's class probabilities, to be averaged too (empty: none); a
    /// mask gives one of the same length for every score or none at all (a length that changes
    /// within the epoch starts the epoch again, as a new label does).
    mutating func add(score: Double, label: Int, sample: Int, prediction: [Double] = []) {
        if let p = pending[sample], p.label == label, p.predictionSum.count == prediction.count {
            pending[sample] = Pending(label: label, sum: p.sum + score, count: p.count + 1,
                                      predictionSum: zip(p.predictionSum, prediction).map { $0 + $1 })
        } else {
            pending[sample] = Pending(label: label, sum: score, count: 1, predictionSum: prediction)
        }
    }

    /// Folds the epoch's mean scores into the averages. A sample whose label differs from its
    /// record's starts a new average: a score that depends on the label means nothing under
    /// another one.
    mutating func finishEpoch(_ epoch: Int) {
        for (sample, p) in pending {
            let mean = p.sum / Double(p.count)
            let meanPrediction = p.predictionSum.map { $0 / Double(p.count) }
            var average = mean, prediction = meanPrediction
            if let old = records[sample], old.label == p.label {
                average = Self.decay * old.average + (1 - Self.decay) * mean
                if old.prediction.count == meanPrediction.count {
                    prediction = zip(old.prediction, meanPrediction).map { Self.decay * $0 + (1 - Self.decay) * $1 }
                }
            }
            records[sample] = Record(label: p.label, average: average, lastEpoch: epoch, prediction: prediction)
        }
        pending = [:]
    }

    /// Per class, the samples seen in `epoch` with their averages, by index.
    func seen(in epoch: Int, classCount: Int) -> [[(index: Int, average: Double)]] {
        var byClass = Array(repeating: [(index: Int, average: Double)](), count: classCount)
        for (index, record) in records.sorted(by: { $0.key < $1.key }) where record.lastEpoch == epoch {
            byClass[record.label].append((index, record.average))
        }
        return byClass
    }

    /// Per class, the rate x count of the samples seen in `epoch` with the largest averages
    /// (ties by index).
    func largestAverages(seenIn epoch: Int, rates: [Double]) -> Set<Int> {
        var selected = Set<Int>()
        for (c, members) in seen(in: epoch, classCount: rates.count).enumerated() {
            let count = min(members.count, Int((rates[c] * Double(members.count)).rounded()))
            guard count > 0 else { continue }
            let ranked = members.sorted { $0.average != $1.average ? $0.average > $1.average : $0.index < $1.index }
            selected.formUnion(ranked.prefix(count).map(\.index))
        }
        return selected
    }

    /// Of `selected`, the samples whose averaged prediction puts a class other than their label
    /// first with at least `confidence`, and that class (ties by the lower class).
    func corrections(of selected: Set<Int>, confidence: Double) -> [Int: Int] {
        var corrected = [Int: Int]()
        for sample in selected {
            guard let record = records[sample], let top = record.prediction.indices.max(by: {
                record.prediction[$0] != record.prediction[$1] ? record.prediction[$0] < record.prediction[$1] : $0 > $1
            }) else { continue }
            if top != record.label, record.prediction[top] >= confidence { corrected[sample] = top }
        }
        return corrected
    }

    /// Whether every label, kept or pending, is one of `classCount` classes, and every
    /// prediction has `classCount` entries or none.
    func labelsAreBelow(_ classCount: Int) -> Bool {
        records.values.allSatisfy { (0..<classCount).contains($0.label) && [0, classCount].contains($0.prediction.count) }
            && pending.values.allSatisfy { (0..<classCount).contains($0.label) && [0, classCount].contains($0.predictionSum.count) }
    }

    // Saved as parallel lists in index order: JSON objects have string keys only, and the
    // order makes a saved mask's bytes the same however the dictionaries are laid out.
    private enum CodingKeys: String, CodingKey {
        case indices, labels, averages, lastEpochs, pendingIndices, pendingLabels, pendingSums, pendingCounts
        // Each sample's prediction as a list of its own (an empty list for none); absent in
        // histories saved before label correction existed.
        case predictions, pendingPredictionSums
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func corrupt(_ what: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "score history: \(what)"))
        }
        let indices = try c.decode([Int].self, forKey: .indices), labels = try c.decode([Int].self, forKey: .labels)
        let averages = try c.decode([Double].self, forKey: .averages), lastEpochs = try c.decode([Int].self, forKey: .lastEpochs)
        guard [labels.count, averages.count, lastEpochs.count].allSatisfy({ $0 == indices.count }) else { throw corrupt("lists of different lengths") }
        let pendingIndices = try c.decode([Int].self, forKey: .pendingIndices), pendingLabels = try c.decode([Int].self, forKey: .pendingLabels)
        let sums = try c.decode([Double].self, forKey: .pendingSums), counts = try c.decode([Int].self, forKey: .pendingCounts)
        guard [pendingLabels.count, sums.count, counts.count].allSatisfy({ $0 == pendingIndices.count }) else { throw corrupt("pending lists of different lengths") }
        guard Set(indices).count == indices.count, Set(pendingIndices).count == pendingIndices.count else { throw corrupt("a sample twice") }
        guard (indices + pendingIndices + lastEpochs).allSatisfy({ $0 >= 0 }), counts.allSatisfy({ $0 >= 1 }) else { throw corrupt("a negative index or epoch, or an empty count") }
        guard (averages + sums).allSatisfy(\.isFinite) else { throw corrupt("a score that is not finite") }
        let predictions = try c.decodeIfPresent([[Double]].self, forKey: .predictions) ?? indices.map { _ in [] }
        let predictionSums = try c.decodeIfPresent([[Double]].self, forKey: .pendingPredictionSums) ?? pendingIndices.map { _ in [] }
        guard predictions.count == indices.count, predictionSums.count == pendingIndices.count else { throw corrupt("predictions of different lengths") }
        guard (predictions + predictionSums).allSatisfy({ $0.allSatisfy { $0.isFinite && $0 >= 0 } }) else { throw corrupt("a prediction that is negative or not finite") }
        for i in indices.indices {
            records[indices[i]] = Record(label: labels[i], average: averages[i], lastEpoch: lastEpochs[i], prediction: predictions[i])
        }
        for i in pendingIndices.indices {
            pending[pendingIndices[i]] = Pending(label: pendingLabels[i], sum: sums[i], count: counts[i], predictionSum: predictionSums[i])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let kept = records.sorted { $0.key < $1.key }
        try c.encode(kept.map(\.key), forKey: .indices)
        try c.encode(kept.map(\.value.label), forKey: .labels)
        try c.encode(kept.map(\.value.average), forKey: .averages)
        try c.encode(kept.map(\.value.lastEpoch), forKey: .lastEpochs)
        let open = pending.sorted { $0.key < $1.key }
        try c.encode(open.map(\.key), forKey: .pendingIndices)
        try c.encode(open.map(\.value.label), forKey: .pendingLabels)
        try c.encode(open.map(\.value.sum), forKey: .pendingSums)
        try c.encode(open.map(\.value.count), forKey: .pendingCounts)
        // Only a history that holds predictions writes them, so the others keep their size.
        if kept.contains(where: { !$0.value.prediction.isEmpty }) || open.contains(where: { !$0.value.predictionSum.isEmpty }) {
            try c.encode(kept.map(\.value.prediction), forKey: .predictions)
            try c.encode(open.map(\.value.predictionSum), forKey: .pendingPredictionSums)
        }
    }
}
