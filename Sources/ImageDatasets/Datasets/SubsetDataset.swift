/// Some samples of another dataset, in a given order (a fold's training or test part).
///
/// Index i of the subset is sample ``baseIndices``[i] of the base.
public struct SubsetDataset<Base: ImageDataset>: ImageDataset {
    /// The full dataset.
    public let base: Base
    /// The base index of each sample of the subset.
    public let baseIndices: [Int]
    /// The labels of the chosen samples.
    public let labels: [Int]

    /// - Throws: ``DatasetError/indexOutOfRange(index:count:)`` for an index outside the base.
    public init(_ base: Base, indices: [Int]) throws {
        let baseLabels = base.labels
        if let bad = indices.first(where: { $0 < 0 || $0 >= base.count }) {
            throw DatasetError.indexOutOfRange(index: bad, count: base.count)
        }
        self.base = base
        self.baseIndices = indices
        self.labels = indices.map { baseLabels[$0] }
    }

    public var count: Int { baseIndices.count }
    public var classNames: [String] { base.classNames }
    public var side: Int { base.side }
    public var badSamplePolicy: BadSamplePolicy { base.badSamplePolicy }

    public func image(at index: Int) throws -> LabeledImage {
        try checkIndex(index)
        return try base.image(at: baseIndices[index])
    }
}

extension SubsetDataset: AnnotatedImageDataset where Base: AnnotatedImageDataset {
    public var annotations: [SampleAnnotation] {
        let all = base.annotations
        return baseIndices.map { all[$0] }
    }
}

extension ImageDataset {
    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) throws -> SubsetDataset<Self> {
        try SubsetDataset(self, indices: indices)
    }
}
