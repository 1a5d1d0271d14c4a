/// Another dataset's samples numbered by a reference class list, matched by name: the view
/// a test part or an evaluation set is seen through so that its labels mean what the
/// trained model's outputs mean (see ``ClassAlignment``).
///
/// Its ``classNames`` are the reference's, in the reference's order; classes the base lacks
/// simply have no samples.
public struct ClassAlignedDataset<Base: ImageDataset>: ImageDataset {
    /// The dataset whose samples are used.
    public let base: Base
    /// The reference classes, in their order.
    public let classNames: [String]
    /// Every sample's label in ``classNames``.
    public let labels: [Int]

    /// - Parameters:
    ///   - base: the dataset whose samples are relabelled; its classes are matched to
    ///     `classNames` by name.
    ///   - classNames: the reference classes (validated like any class list).
    ///   - source: the base's folder or file, named in errors.
    ///   - reference: whose classes these are, named in errors ("the training part /data/train").
    /// - Throws: ``DatasetError/unknownClass(path:found:expected:reference:)`` for a class
    ///   of the base that has samples and is not in `classNames`;
    ///   ``DatasetError/invalidArgument(operation:message:)`` for an invalid class list.
    public init(_ base: Base, classNames: [String], source: String, reference: String) throws {
        try ClassNameValidation.validate(classNames, operation: "ClassAlignedDataset")
        let baseLabels = base.labels
        let target = try ClassAlignment.indices(of: base.classNames, in: classNames, usedLabels: Set(baseLabels),
                                                source: source, referenceDescription: reference)
        self.base = base
        self.classNames = classNames
        // Every used label has a target by now.
        self.labels = baseLabels.map { target[$0]! }
    }

    public var count: Int { base.count }
    public var side: Int { base.side }
    public var badSamplePolicy: BadSamplePolicy { base.badSamplePolicy }

    public func image(at index: Int) throws -> LabeledImage {
        try checkIndex(index)
        var sample = try base.image(at: index)
        sample.label = labels[index]
        return sample
    }
}

extension ClassAlignedDataset: AnnotatedImageDataset where Base: AnnotatedImageDataset {
    public var annotations: [SampleAnnotation] { base.annotations }
}

extension ImageDataset {
    /// This dataset with its labels renumbered onto `classNames` by name, keeping that order.
    ///
    ///     let test = try testPart.aligned(toClasses: train.classNames, source: "/data/test",
    ///                                     reference: "the training part /data/train")
    ///
    /// - Throws: ``DatasetError/unknownClass(path:found:expected:reference:)`` naming a class
    ///   (with samples) that `classNames` lacks, and `source`.
    public func aligned(toClasses classNames: [String], source: String, reference: String) throws -> ClassAlignedDataset<Self> {
        try ClassAlignedDataset(self, classNames: classNames, source: source, reference: reference)
    }
}
