/// A dataset whose pixels are all in memory: the IDX and FER2013 readers produce one, and
/// ``materialized(_:)`` turns any small dataset into one.
///
/// 8-bit sources keep their bytes (a quarter of the memory of floats) and are scaled to
/// [0, 1] when a sample is read.
public struct InMemoryDataset: AnnotatedImageDataset {
    /// The classes, indexed by label.
    public let classNames: [String]
    /// Side of every image.
    public let side: Int
    /// Every sample's label, in index order.
    public let labels: [Int]
    /// Every sample's subject, sequence and frame (empty where unknown).
    public let annotations: [SampleAnnotation]
    /// The bad samples the reader left out under ``BadSamplePolicy/skip``.
    public let skipped: SkippedSamples
    private let storage: Storage

    private enum Storage: Sendable {
        case bytes([UInt8])
        case floats([Float])
    }

    public var count: Int { labels.count }

    /// A dataset of 8-bit pixels, `side * side` bytes per sample, in sample order.
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` when the byte count,
    ///   the annotation count or a label does not fit.
    public init(side: Int, pixelBytes: [UInt8], labels: [Int], classNames: [String],
                annotations: [SampleAnnotation]? = nil, skipped: SkippedSamples = SkippedSamples()) throws {
        try Self.validate(side: side, pixelCount: pixelBytes.count, labels: labels, classNames: classNames, annotations: annotations)
        self.side = side
        self.labels = labels
        self.classNames = classNames
        self.annotations = annotations ?? Array(repeating: SampleAnnotation(), count: labels.count)
        self.skipped = skipped
        storage = .bytes(pixelBytes)
    }

    /// A dataset of the given images, which must all have the same side.
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for mixed sides, a
    ///   wrong pixel count or a label outside `classNames`.
    public init(images: [LabeledImage], classNames: [String], skipped: SkippedSamples = SkippedSamples()) throws {
        guard let side = images.first?.side else {
            throw DatasetError.invalidArgument(operation: "InMemoryDataset", message: "no images given")
        }
        var pixels = [Float]()
        pixels.reserveCapacity(images.count * side * side)
        for (index, image) in images.enumerated() {
            guard image.side == side, image.pixels.count == side * side else {
                throw DatasetError.invalidArgument(
                    operation: "InMemoryDataset",
                    message: "image \(index) is \(image.side)x\(image.side) with \(image.pixels.count) pixels; expected \(side)x\(side) like image 0")
            }
            pixels += image.pixels
        }
        let labels = images.map(\.label)
        let annotations = images.map { SampleAnnotation(subject: $0.subject, sequence: $0.sequence, frame: $0.frame) }
        try Self.validate(side: side, pixelCount: pixels.count, labels: labels, classNames: classNames, annotations: annotations)
        self.side = side
        self.labels = labels
        self.classNames = classNames
        self.annotations = annotations
        self.skipped = skipped
        storage = .floats(pixels)
    }

    /// Every sample of `dataset` decoded once and kept in memory.
    public static func materialized(_ dataset: some ImageDataset) throws -> InMemoryDataset {
        var images = [LabeledImage]()
        images.reserveCapacity(dataset.count)
        for index in 0..<dataset.count { images.append(try dataset.image(at: index)) }
        return try InMemoryDataset(images: images, classNames: dataset.classNames)
    }

    public func image(at index: Int) throws -> LabeledImage {
        try checkIndex(index)
        let size = side * side
        let pixels: [Float]
        switch storage {
        case .bytes(let bytes):
            pixels = bytes[(index * size)..<((index + 1) * size)].map { Float($0) * (1 / 255) }
        case .floats(let floats):
            pixels = Array(floats[(index * size)..<((index + 1) * size)])
        }
        let annotation = annotations[index]
        return LabeledImage(pixels: pixels, side: side, label: labels[index],
                            subject: annotation.subject, sequence: annotation.sequence, frame: annotation.frame)
    }

    private static func validate(side: Int, pixelCount: Int, labels: [Int], classNames: [String], annotations: [SampleAnnotation]?) throws {
        func fail(_ message: String) -> DatasetError { .invalidArgument(operation: "InMemoryDataset", message: message) }
        guard side > 0 else { throw fail("side must be positive, got \(side)") }
        try ClassNameValidation.validate(classNames, operation: "InMemoryDataset")
        guard pixelCount == labels.count * side * side else {
            throw fail("expected \(labels.count * side * side) pixels for \(labels.count) images of \(side)x\(side), found \(pixelCount)")
        }
        if let annotations, annotations.count != labels.count {
            throw fail("expected \(labels.count) annotations, one per label, found \(annotations.count)")
        }
        if let bad = labels.firstIndex(where: { !classNames.indices.contains($0) }) {
            throw fail("label \(labels[bad]) of sample \(bad) is not an index into the \(classNames.count) class names")
        }
    }
}
