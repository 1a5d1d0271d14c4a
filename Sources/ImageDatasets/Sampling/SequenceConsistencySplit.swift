/// The paper's sequence-consistency test (Section IV-E, Table VII): train on each
/// sequence's peak (last) frame and test on the frames before it.
///
/// Read CK+ or Oulu-CASIA with `.peakAndPreceding(4)`, then split. A test sequence is a
/// Failure Case (FC) when any of its five frames is mispredicted, and a Consistent Failure
/// Case (CFC) when all four preceding frames are mispredicted as the same class.
public struct SequenceConsistencySplit: Sendable, Equatable {
    /// The last frame of every sequence.
    public let peakIndices: [Int]
    /// The other frames, grouped by sequence in the order of ``peakIndices``, earliest first.
    public let precedingIndices: [[Int]]

    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` when a sample has no
    ///   sequence or frame number.
    public init(annotations: [SampleAnnotation]) throws {
        var members = [String: [(frame: Int, index: Int)]]()
        var order = [String]()
        for (index, annotation) in annotations.enumerated() {
            guard let sequence = annotation.sequence, let frame = annotation.frame else {
                throw DatasetError.invalidArgument(
                    operation: "SequenceConsistencySplit", message: "sample \(index) has no sequence id or frame number; read the dataset with .peakAndPreceding")
            }
            if members[sequence] == nil { order.append(sequence) }
            members[sequence, default: []].append((frame, index))
        }
        var peaks = [Int](), preceding = [[Int]]()
        for sequence in order {
            let frames = members[sequence]!.sorted { $0.frame < $1.frame }
            peaks.append(frames.last!.index)
            preceding.append(frames.dropLast().map(\.index))
        }
        peakIndices = peaks
        precedingIndices = preceding
    }

    /// The split of an annotated dataset.
    public init(dataset: some AnnotatedImageDataset) throws {
        try self.init(annotations: dataset.annotations)
    }
}
