/// Class weights for a weighted loss, the paper's alternative to balanced batches:
/// w_c = N / (K * n_c), so every class contributes the same total weight and the mean
/// weight over the samples is 1 (scikit-learn's "balanced"). Pass them to
/// `FocalLoss(classWeights:)` or `CrossEntropyLoss(classWeights:)`.
public enum ClassWeights {
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a label outside the
    ///   classes or a class without samples (its weight would be infinite).
    public static func inverseFrequency(labels: [Int], classCount: Int) throws -> [Double] {
        guard classCount > 0 else {
            throw DatasetError.invalidArgument(operation: "ClassWeights", message: "expected at least one class, got \(classCount)")
        }
        var counts = [Int](repeating: 0, count: classCount)
        for (index, label) in labels.enumerated() {
            guard (0..<classCount).contains(label) else {
                throw DatasetError.invalidArgument(operation: "ClassWeights", message: "label \(label) of sample \(index) is not one of the \(classCount) classes")
            }
            counts[label] += 1
        }
        if let empty = counts.firstIndex(of: 0) {
            throw DatasetError.invalidArgument(operation: "ClassWeights", message: "class \(empty) has no samples, so its weight would be infinite")
        }
        return counts.map { Double(labels.count) / (Double(classCount) * Double($0)) }
    }

    /// The weights of `dataset`'s classes.
    public static func inverseFrequency(of dataset: some ImageDataset) throws -> [Double] {
        try inverseFrequency(labels: dataset.labels, classCount: dataset.classNames.count)
    }
}
