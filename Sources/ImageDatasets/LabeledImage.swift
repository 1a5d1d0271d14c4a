/// One labelled grayscale image, decoded and prepared at the dataset's side.
public struct LabeledImage: Sendable, Equatable {
    /// side x side pixels, row-major, scaled to [0, 1] (normalisation is applied by the loader).
    public var pixels: [Float]
    public var side: Int
    /// Class index into the dataset's ``ImageDataset/classNames``.
    public var label: Int
    /// Subject (person) id where the format has one: person-independent folds need it.
    public var subject: String?
    /// Sequence id and frame index where the format has them (CK+, Oulu-CASIA).
    public var sequence: String?
    public var frame: Int?

    public init(pixels: [Float], side: Int, label: Int, subject: String? = nil, sequence: String? = nil, frame: Int? = nil) {
        self.pixels = pixels
        self.side = side
        self.label = label
        self.subject = subject
        self.sequence = sequence
        self.frame = frame
    }
}

/// A dataset of labelled images that can be read by index, in any order, from any thread.
///
/// Readers of the real formats (IDX, FER2013 CSV, image folders, AffectNet CSV, CK+,
/// Oulu-CASIA, manifest CSV) conform to it; decoding may happen lazily in ``image(at:)``.
public protocol ImageDataset: Sendable {
    /// Number of samples.
    var count: Int { get }
    /// Names of the classes, indexed by label.
    var classNames: [String] { get }
    /// Side of the square images ``image(at:)`` returns.
    var side: Int { get }
    /// Labels of all samples, without decoding images (for balanced sampling and folds).
    var labels: [Int] { get }
    /// The sample at `index`, decoded and resized to ``side``.
    /// - Throws: when the underlying file is missing or corrupt; the error names it.
    func image(at index: Int) throws -> LabeledImage
    /// What to do with a sample that fails in ``image(at:)`` when a ``BatchLoader``'s
    /// ``LoaderOptions/badSamples`` does not say: the policy the dataset was read with, so
    /// that data read under ``BadSamplePolicy/skip`` keeps skipping images that turn out
    /// corrupt only when decoded during training. ``BadSamplePolicy/fail`` unless the
    /// dataset says otherwise; views (subsets, resized, relabelled, cached) pass on their base's.
    var badSamplePolicy: BadSamplePolicy { get }
}

extension ImageDataset {
    /// ``BadSamplePolicy/fail``: a dataset that does not say otherwise stops at a bad sample.
    public var badSamplePolicy: BadSamplePolicy { .fail }
}
