import Tensors

/// Injects label noise for the experiments, keeping which labels were changed.
///
/// Exactly round(rate x N) samples, chosen at random, get a wrong label:
/// - ``Mode/symmetric``: a class drawn uniformly from the K - 1 others;
/// - ``Mode/pairwise``: the next class, c -> (c + 1) mod K (a fixed confusion between neighbours);
/// - ``Mode/instance``: the most ambiguous images, to the class a probe classifier confuses
///   them with (`InstanceDependentNoise` in ExpressionRecognition, which needs the images and is called by the data loader).
public enum LabelNoise {
    /// How a flipped label is chosen.
    public enum Mode: String, Sendable, Equatable, CaseIterable, Codable {
        /// Uniform over the other classes.
        case symmetric
        /// Class c becomes c + 1 mod K.
        case pairwise
        /// The images a probe classifier finds most ambiguous get the class it confuses them
        /// with (`InstanceDependentNoise` in ExpressionRecognition).
        case instance
    }

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a rate outside
    ///   [0, 1], fewer than 2 classes, or a label outside the classes.
    public static func inject(into labels: [Int], classCount: Int, rate: Double, mode: Mode, seed: UInt64) throws -> NoisyLabels {
        func fail(_ message: String) -> DatasetError { .invalidArgument(operation: "LabelNoise", message: message) }
        guard rate >= 0 && rate <= 1 else { throw fail("rate must be in [0, 1], got \(rate)") }
        guard classCount >= 2 else { throw fail("flipping labels needs at least 2 classes, got \(classCount)") }
        if let bad = labels.firstIndex(where: { !(0..<classCount).contains($0) }) {
            throw fail("label \(labels[bad]) of sample \(bad) is not one of the \(classCount) classes")
        }
        guard mode != .instance else {
            throw fail("instance-dependent noise depends on the images: use InstanceDependentNoise (the data loader does)")
        }
        var generator = SeededGenerator(seed: seed)
        let flipCount = Int((rate * Double(labels.count)).rounded())
        var order = Array(labels.indices)
        order.shuffle(using: &generator)
        var noisy = labels
        var isFlipped = [Bool](repeating: false, count: labels.count)
        for index in order.prefix(flipCount).sorted() {
            let original = labels[index]
            switch mode {
            case .symmetric, .instance:  // .instance was refused above
                // A draw from 0..<K-1, shifted past the true class: uniform over the others.
                let draw = Int.random(in: 0..<(classCount - 1), using: &generator)
                noisy[index] = draw >= original ? draw + 1 : draw
            case .pairwise:
                noisy[index] = (original + 1) % classCount
            }
            isFlipped[index] = true
        }
        return NoisyLabels(labels: noisy, cleanLabels: labels, isFlipped: isFlipped)
    }
}
