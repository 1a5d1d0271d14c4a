import Foundation

/// A dataset of image files decoded on demand: read, converted to grayscale, cropped to the
/// record's box, and resized to ``side`` each time ``image(at:)`` is called.
///
/// Every reader of image files (folders, AffectNet, CK+, Oulu-CASIA, manifests) produces
/// one. Nothing but the records is held in memory, so it scales to AffectNet's 280,000
/// images; wrap it in a ``CachedDataset`` to keep recently used samples.
public struct FileImageDataset: AnnotatedImageDataset {
    /// The samples, in index order.
    public let records: [ImageRecord]
    /// The classes, indexed by label.
    public let classNames: [String]
    /// Side of the square images ``image(at:)`` returns.
    public let side: Int
    /// Every record's label, in index order.
    public let labels: [Int]
    /// Bad samples the reader left out under ``BadSamplePolicy/skip``.
    public let skipped: SkippedSamples
    /// Samples the protocol leaves out on purpose (AffectNet's Contempt, None, ...; CK+'s
    /// unused codes), counted by label name. They are not errors.
    public let excludedByProtocol: [String: Int]
    /// What a loader does with an image that fails to decode (unless its options say):
    /// the policy the reader was given, so ``BadSamplePolicy/skip`` covers decode-time failures too.
    public let badSamplePolicy: BadSamplePolicy

    /// - Parameters:
    ///   - records: the samples, in index order.
    ///   - classNames: the classes, indexed by label; every record's label must index one.
    ///   - side: side of the square images ``image(at:)`` returns (at least 1); each image
    ///     is cropped to its record's box, if any, then resized to it.
    ///   - skipped: bad samples the reader left out, kept for its report; default none.
    ///   - excludedByProtocol: samples left out on purpose, counted by label name; default none.
    ///   - badSamplePolicy: see ``badSamplePolicy``; readers pass their `badSamples`.
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a side below 1,
    ///   no class names, or a record whose label is not a class.
    public init(records: [ImageRecord], classNames: [String], side: Int,
                skipped: SkippedSamples = SkippedSamples(), excludedByProtocol: [String: Int] = [:],
                badSamplePolicy: BadSamplePolicy = .fail) throws {
        guard side > 0 else {
            throw DatasetError.invalidArgument(operation: "FileImageDataset", message: "side must be positive, got \(side)")
        }
        try ClassNameValidation.validate(classNames, operation: "FileImageDataset")
        if let bad = records.first(where: { !classNames.indices.contains($0.label) }) {
            throw DatasetError.invalidArgument(
                operation: "FileImageDataset", message: "\(bad.url.path) has label \(bad.label); expected 0..<\(classNames.count)")
        }
        self.records = records
        self.classNames = classNames
        self.side = side
        self.labels = records.map(\.label)
        self.skipped = skipped
        self.excludedByProtocol = excludedByProtocol
        self.badSamplePolicy = badSamplePolicy
    }

    public var count: Int { records.count }
    public var annotations: [SampleAnnotation] { records.map(\.annotation) }

    public func image(at index: Int) throws -> LabeledImage {
        try checkIndex(index)
        let record = records[index]
        var image = try ImageDecoder.grayImage(at: record.url)
        if let box = record.crop {
            guard let cropped = image.cropped(to: box) else {
                throw DatasetError.malformedFile(
                    path: record.url.path,
                    reason: "the crop box (x \(box.x), y \(box.y), \(box.width)x\(box.height)) lies outside the \(image.width)x\(image.height) image")
            }
            image = cropped
        }
        let resized = try image.resized(side: side)
        return LabeledImage(pixels: resized.pixels, side: side, label: record.label, subject: record.annotation.subject,
                            sequence: record.annotation.sequence, frame: record.annotation.frame)
    }

    /// The same dataset at another side.
    public func withSide(_ newSide: Int) throws -> FileImageDataset {
        try FileImageDataset(records: records, classNames: classNames, side: newSide, skipped: skipped,
                             excludedByProtocol: excludedByProtocol, badSamplePolicy: badSamplePolicy)
    }

    /// Decodes every image once. Under ``BadSamplePolicy/fail`` the first unreadable one
    /// throws; under ``BadSamplePolicy/skip`` it is left out and recorded in ``skipped``.
    /// Worth it for small datasets (CK+, Oulu-CASIA) before a long cross-validation.
    public func validated(policy: BadSamplePolicy) throws -> FileImageDataset {
        var report = skipped
        var good = [ImageRecord]()
        for index in 0..<count {
            do {
                _ = try image(at: index)
                good.append(records[index])
            } catch let error as DatasetError {
                try report.handle(error, policy: policy)
            }
        }
        return try FileImageDataset(records: good, classNames: classNames, side: side, skipped: report,
                                    excludedByProtocol: excludedByProtocol, badSamplePolicy: badSamplePolicy)
    }
}
