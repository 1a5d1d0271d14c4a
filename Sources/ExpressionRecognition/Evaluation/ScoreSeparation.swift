/// How well a mask's score tells flipped labels from clean ones, over an epoch: the area
/// under the ROC curve (0.5 = chance, 1 = every flipped sample scores above every clean one)
/// and the two score histograms.
public struct ScoreSeparation: Codable, Sendable, Equatable {
    /// P(score of a random flipped sample > score of a random clean one), ties counting half:
    /// the Mann-Whitney U statistic over the product of the group sizes.
    public var auroc: Double
    /// Bin edges (bins + 1 values, from the smallest to the largest score) and the counts of
    /// clean and flipped samples in each bin.
    public var edges: [Double]
    public var clean: [Int]
    public var flipped: [Int]

    /// nil when either group is empty or a score is not finite.
    public init?(scores: [Double], isFlipped: [Bool], bins: Int = 30) {
        guard scores.count == isFlipped.count, bins >= 1, scores.allSatisfy(\.isFinite) else { return nil }
        let flippedCount = isFlipped.filter { $0 }.count, cleanCount = scores.count - flippedCount
        guard flippedCount > 0, cleanCount > 0 else { return nil }
        auroc = Self.auroc(scores: scores, isFlipped: isFlipped, flippedCount: flippedCount, cleanCount: cleanCount)
        let low = scores.min()!, high = scores.max()!
        let width = high > low ? (high - low) / Double(bins) : 1
        edges = (0...bins).map { low + Double($0) * width }
        clean = Array(repeating: 0, count: bins)
        flipped = Array(repeating: 0, count: bins)
        for (score, f) in zip(scores, isFlipped) {
            let bin = min(bins - 1, max(0, Int((score - low) / width)))
            if f { flipped[bin] += 1 } else { clean[bin] += 1 }
        }
    }

    /// Rank-sum AUROC with average ranks for tied scores.
    static func auroc(scores: [Double], isFlipped: [Bool], flippedCount: Int, cleanCount: Int) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1  // ranks are 1-based
            for position in start...end where isFlipped[order[position]] { rankSum += averageRank }
            start = end + 1
        }
        let f = Double(flippedCount)
        return (rankSum - f * (f + 1) / 2) / (f * Double(cleanCount))
    }
}
