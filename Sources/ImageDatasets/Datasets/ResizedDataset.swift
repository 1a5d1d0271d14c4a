/// Another dataset's samples resized to a new side (Fashion-MNIST's 28x28 seen at 32, 64
/// or 112), area averaging when shrinking and bilinear when growing.
public struct ResizedDataset<Base: ImageDataset>: ImageDataset {
    /// The dataset being resized.
    public let base: Base
    /// The new side.
    public let side: Int

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a side below 1.
    public init(_ base: Base, side: Int) throws {
        guard side > 0 else {
            throw DatasetError.invalidArgument(operation: "ResizedDataset", message: "side must be positive, got \(side)")
        }
        self.base = base
        self.side = side
    }

    public var count: Int { base.count }
    public var classNames: [String] { base.classNames }
    public var labels: [Int] { base.labels }
    public var badSamplePolicy: BadSamplePolicy { base.badSamplePolicy }

    public func image(at index: Int) throws -> LabeledImage {
        var sample = try base.image(at: index)
        if sample.side != side {
            sample.pixels = try GrayImage(side: sample.side, pixels: sample.pixels).resized(side: side).pixels
            sample.side = side
        }
        return sample
    }
}

extension ResizedDataset: AnnotatedImageDataset where Base: AnnotatedImageDataset {
    public var annotations: [SampleAnnotation] { base.annotations }
}

extension ImageDataset {
    /// This dataset's samples at `side` x `side`.
    public func resized(to side: Int) throws -> ResizedDataset<Self> {
        try ResizedDataset(self, side: side)
    }
}
