/// What a reader or loader does with a sample it cannot use (a corrupt image, a CSV row
/// with the wrong pixel count, an unknown label, a missing file).
public enum BadSamplePolicy: Sendable, Equatable {
    /// Stop with the sample's error (the default: bad data should be seen).
    case fail
    /// Leave the sample out and record its error in a ``SkippedSamples`` report.
    case skip
}

/// The samples left out under ``BadSamplePolicy/skip``, each with the reason: nothing is
/// ever dropped without a trace.
public struct SkippedSamples: Sendable, Equatable, CustomStringConvertible {
    /// One error per skipped sample, in the order they were met.
    public private(set) var errors: [DatasetError] = []

    /// An empty report.
    public init() {}

    /// Number of samples skipped.
    public var count: Int { errors.count }

    /// Applies `policy` to `error`: throws it under ``BadSamplePolicy/fail``, records it under ``BadSamplePolicy/skip``.
    public mutating func handle(_ error: DatasetError, policy: BadSamplePolicy) throws {
        switch policy {
        case .fail: throw error
        case .skip: errors.append(error)
        }
    }

    /// Appends the records of another report.
    public mutating func merge(_ other: SkippedSamples) {
        errors += other.errors
    }

    /// "no sample skipped", or the count and the first few reasons.
    public var description: String {
        if errors.isEmpty { return "no sample skipped" }
        let shown = errors.prefix(5).map { "  \($0)" }.joined(separator: "\n")
        let more = errors.count > 5 ? "\n  ... and \(errors.count - 5) more" : ""
        return "\(errors.count) bad sample\(errors.count == 1 ? "" : "s") skipped:\n\(shown)\(more)"
    }
}
