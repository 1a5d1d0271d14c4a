/// The sequence-consistency figures of Table VII. A model trained on peak frames is tested
/// on the peak frame and the 4 frames before it of each sequence:
/// - a Failure Case (FC) is a sequence where any of the 5 frames is mispredicted;
/// - a Consistent Failure Case (CFC) is a sequence whose 4 earlier frames are all
///   mispredicted as the same (wrong) class.
public struct SequenceConsistency: Sendable, Equatable, Codable {
    public private(set) var sequences = 0
    public private(set) var failureCases = 0
    public private(set) var consistentFailureCases = 0

    public init() {}

    /// Adds one sequence.
    /// - Parameters:
    ///   - truth: the sequence's label.
    ///   - peakPrediction: prediction on the peak frame.
    ///   - earlierPredictions: predictions on the frames before the peak (the paper uses 4).
    public mutating func add(truth: Int, peakPrediction: Int, earlierPredictions: [Int]) {
        sequences += 1
        if peakPrediction != truth || earlierPredictions.contains(where: { $0 != truth }) { failureCases += 1 }
        if let first = earlierPredictions.first, first != truth, earlierPredictions.allSatisfy({ $0 == first }) {
            consistentFailureCases += 1
        }
    }

    public var failureRate: Double { sequences == 0 ? 0 : Double(failureCases) / Double(sequences) }
    public var consistentFailureRate: Double { sequences == 0 ? 0 : Double(consistentFailureCases) / Double(sequences) }
}
