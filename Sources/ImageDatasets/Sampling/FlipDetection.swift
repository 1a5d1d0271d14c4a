/// Precision and recall of rejected samples against the truly flipped ones.
public struct FlipDetection: Sendable, Equatable {
    /// Rejected samples whose label was flipped.
    public let truePositives: Int
    /// Rejected samples whose label was right.
    public let falsePositives: Int
    /// All flipped samples.
    public let flippedCount: Int

    /// Share of the rejected samples that were flipped (1 when nothing was rejected).
    public var precision: Double {
        truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives)
    }

    /// Share of the flipped samples that were rejected (1 when nothing was flipped).
    public var recall: Double {
        flippedCount == 0 ? 1 : Double(truePositives) / Double(flippedCount)
    }
}
