/// Who and where a sample comes from, without its pixels.
public struct SampleAnnotation: Sendable, Equatable, Hashable, Codable {
    /// Subject (person) id: person-independent folds group by it.
    public var subject: String?
    /// Sequence id (CK+, Oulu-CASIA): frames of one recording share it.
    public var sequence: String?
    /// Frame number within the sequence; larger is later.
    public var frame: Int?

    /// An annotation; absent facts stay nil.
    public init(subject: String? = nil, sequence: String? = nil, frame: Int? = nil) {
        self.subject = subject
        self.sequence = sequence
        self.frame = frame
    }
}

/// A dataset that knows every sample's subject, sequence and frame without decoding images,
/// as subject-independent folds and the sequence-consistency split need.
public protocol AnnotatedImageDataset: ImageDataset {
    /// One annotation per sample, in index order.
    var annotations: [SampleAnnotation] { get }
}

extension ImageDataset {
    /// Throws ``DatasetError/indexOutOfRange(index:count:)`` unless `index` is a sample of this dataset.
    func checkIndex(_ index: Int) throws {
        guard index >= 0 && index < count else { throw DatasetError.indexOutOfRange(index: index, count: count) }
    }
}
