/// A dataset of any concrete type behind one type, so a program can choose the format
/// at run time and still hand a single type to the generic loaders and runs.
public struct AnyImageDataset: ImageDataset {
    public let count: Int
    public let classNames: [String]
    public let side: Int
    public let labels: [Int]
    /// Subject, sequence and frame of each sample where the format has them.
    public let annotations: [SampleAnnotation]?
    /// The base's policy for samples that fail to decode (see ``ImageDataset/badSamplePolicy``).
    public let badSamplePolicy: BadSamplePolicy
    private let read: @Sendable (Int) throws -> LabeledImage

    public init<Base: ImageDataset>(_ base: Base) {
        count = base.count
        classNames = base.classNames
        side = base.side
        labels = base.labels
        annotations = nil
        badSamplePolicy = base.badSamplePolicy
        read = { try base.image(at: $0) }
    }

    public init<Base: AnnotatedImageDataset>(_ base: Base) {
        count = base.count
        classNames = base.classNames
        side = base.side
        labels = base.labels
        annotations = base.annotations
        badSamplePolicy = base.badSamplePolicy
        read = { try base.image(at: $0) }
    }

    public func image(at index: Int) throws -> LabeledImage { try read(index) }
}
