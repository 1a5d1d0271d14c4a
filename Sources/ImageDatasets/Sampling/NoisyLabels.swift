/// Labels after noise injection, with the truth kept for measuring a mask.
public struct NoisyLabels: Sendable, Equatable {
    /// The labels to train on.
    public let labels: [Int]
    /// The labels before noise.
    public let cleanLabels: [Int]
    /// Whether each sample's label was changed.
    public let isFlipped: [Bool]

    // Built by the injectors only (LabelNoise here, InstanceDependentNoise in ExpressionRecognition).
    package init(labels: [Int], cleanLabels: [Int], isFlipped: [Bool]) {
        self.labels = labels
        self.cleanLabels = cleanLabels
        self.isFlipped = isFlipped
    }

    /// Number of changed labels.
    public var flippedCount: Int { isFlipped.lazy.filter { $0 }.count }

    /// How well a set of rejected (masked) samples matches the flipped ones.
    /// - Parameter rejected: dataset indices a mask left out of the gradient.
    public func detection(rejected: some Sequence<Int>) -> FlipDetection {
        var truePositives = 0, falsePositives = 0
        for index in Set(rejected) where isFlipped.indices.contains(index) {
            if isFlipped[index] { truePositives += 1 } else { falsePositives += 1 }
        }
        return FlipDetection(truePositives: truePositives, falsePositives: falsePositives, flippedCount: flippedCount)
    }
}
