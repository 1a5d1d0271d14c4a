/// Matches one list of class names onto another by name, so that a dataset whose classes
/// are numbered on its own (a test folder with fewer classes, a manifest with its labels
/// in another order) can be scored against a model trained on the reference list.
///
/// A name matches the reference name spelled the same, or else the one equal ignoring case
/// (folders are matched to classes in any case, and the library's class-list validation
/// keeps every class list free of names that differ only in case, so the match is
/// unambiguous).
public enum ClassAlignment {
    /// For each of `names`, its index in `reference`, or nil for a name with no sample
    /// (listed in `usedLabels`' complement) that `reference` lacks.
    ///
    /// - Parameters:
    ///   - names: the dataset's classes, indexed by its labels.
    ///   - reference: the classes to number by (the training part's, a run's `classes.json`).
    ///   - usedLabels: the dataset's labels that occur; a class without samples that the
    ///     reference lacks is not an error (it cannot be scored wrongly).
    ///   - source: the dataset's folder or file, for the error.
    ///   - referenceDescription: whose classes `reference` holds, for the error ("the training part /data/train").
    /// - Throws: ``DatasetError/unknownClass(path:found:expected:reference:)`` naming the
    ///   first used class that `reference` does not have.
    public static func indices(of names: [String], in reference: [String], usedLabels: Set<Int>,
                               source: String, referenceDescription: String) throws -> [Int?] {
        try names.enumerated().map { label, name in
            if let exact = reference.firstIndex(of: name) { return exact }
            if let folded = reference.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) { return folded }
            guard !usedLabels.contains(label) else {
                throw DatasetError.unknownClass(path: source, found: name, expected: reference, reference: referenceDescription)
            }
            return nil
        }
    }
}
