import Tensors

/// One fold of a cross-validation: the samples to train on and those to test on.
public struct Fold: Sendable, Equatable {
    /// 0-based fold number.
    public let index: Int
    /// Dataset indices to train on.
    public let trainIndices: [Int]
    /// Dataset indices to test on.
    public let testIndices: [Int]
    /// The subjects whose samples are in ``testIndices`` (and nowhere in ``trainIndices``).
    public let testSubjects: [String]
}

/// Person-independent k-fold splits: every subject's samples fall in one fold's test part,
/// so no face is both trained and tested on (the paper's 10-fold CK+ and Oulu-CASIA protocol).
///
/// Subjects are sorted by id (natural order), shuffled when a seed is given, and dealt out
/// in turn, so fold sizes differ by at most one subject.
public enum SubjectFolds {
    /// - Parameters:
    ///   - subjects: each sample's subject id (``SampleAnnotation/subject``).
    ///   - foldCount: the number of folds k (at least 2, at most the number of subjects).
    ///   - seed: nil keeps the sorted order (the usual fixed CK+ split); a seed shuffles subjects first.
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for fewer than 2 folds,
    ///   more folds than subjects, or a sample without a subject.
    public static func make(subjects: [String?], foldCount: Int, seed: UInt64? = nil) throws -> [Fold] {
        func fail(_ message: String) -> DatasetError { .invalidArgument(operation: "SubjectFolds", message: message) }
        guard foldCount >= 2 else { throw fail("expected at least 2 folds, got \(foldCount)") }
        if let missing = subjects.firstIndex(where: { $0 == nil || $0!.isEmpty }) {
            throw fail("sample \(missing) has no subject id; person-independent folds need one for every sample")
        }
        var distinct = Set(subjects.map { $0! }).sorted { FolderListing.naturalOrder($0, $1) }
        guard distinct.count >= foldCount else {
            throw fail("\(distinct.count) subjects cannot fill \(foldCount) folds; use at most \(distinct.count) folds")
        }
        if let seed {
            var generator = SeededGenerator(seed: seed)
            distinct.shuffle(using: &generator)
        }
        var foldOfSubject = [String: Int]()
        for (position, subject) in distinct.enumerated() { foldOfSubject[subject] = position % foldCount }
        return (0..<foldCount).map { fold in
            var train = [Int](), test = [Int]()
            for (index, subject) in subjects.enumerated() {
                if foldOfSubject[subject!] == fold { test.append(index) } else { train.append(index) }
            }
            let testSubjects = distinct.filter { foldOfSubject[$0] == fold }.sorted { FolderListing.naturalOrder($0, $1) }
            return Fold(index: fold, trainIndices: train, testIndices: test, testSubjects: testSubjects)
        }
    }

    /// The folds of an annotated dataset.
    public static func make(dataset: some AnnotatedImageDataset, foldCount: Int, seed: UInt64? = nil) throws -> [Fold] {
        try make(subjects: dataset.annotations.map(\.subject), foldCount: foldCount, seed: seed)
    }
}
