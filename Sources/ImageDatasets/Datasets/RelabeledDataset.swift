/// Another dataset with its labels replaced (by noisy labels, for the label-noise experiments).
public struct RelabeledDataset<Base: ImageDataset>: ImageDataset {
    /// The dataset whose images are used.
    public let base: Base
    /// The labels that replace the base's.
    public let labels: [Int]

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` when the label count
    ///   differs from the dataset's or a label is not a class.
    public init(_ base: Base, labels: [Int]) throws {
        guard labels.count == base.count else {
            throw DatasetError.invalidArgument(
                operation: "RelabeledDataset", message: "expected \(base.count) labels, one per sample, found \(labels.count)")
        }
        if let bad = labels.firstIndex(where: { !base.classNames.indices.contains($0) }) {
            throw DatasetError.invalidArgument(
                operation: "RelabeledDataset", message: "label \(labels[bad]) of sample \(bad) is not one of the \(base.classNames.count) classes")
        }
        self.base = base
        self.labels = labels
    }

    public var count: Int { base.count }
    public var classNames: [String] { base.classNames }
    public var side: Int { base.side }
    public var badSamplePolicy: BadSamplePolicy { base.badSamplePolicy }

    public func image(at index: Int) throws -> LabeledImage {
        var sample = try base.image(at: index)
        sample.label = labels[index]
        return sample
    }
}

extension RelabeledDataset: AnnotatedImageDataset where Base: AnnotatedImageDataset {
    public var annotations: [SampleAnnotation] { base.annotations }
}

extension ImageDataset {
    /// This dataset with `labels` in place of its own.
    public func relabeled(_ labels: [Int]) throws -> RelabeledDataset<Self> {
        try RelabeledDataset(self, labels: labels)
    }
}
