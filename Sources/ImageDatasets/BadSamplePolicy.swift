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
    /// For each error, the CSV or text file and line it was found on (nil for an image or a
    /// folder). The readers of CSV files (FER2013, AffectNet, manifests) record it.
    public private(set) var locations: [SkippedLine?] = []

    /// An empty report.
    public init() {}

    /// Number of samples skipped.
    public var count: Int { errors.count }

    /// Applies `policy` to `error`: throws it under ``BadSamplePolicy/fail``, records it under ``BadSamplePolicy/skip``.
    /// - Parameters:
    ///   - error: the problem found with one sample.
    ///   - policy: whether to throw `error` or record it and go on.
    ///   - location: the file and line of the row left out, when it comes from a CSV
    ///     or text file (by default the error's own ``DatasetError/path`` and ``DatasetError/line``).
    public mutating func handle(_ error: DatasetError, policy: BadSamplePolicy, at location: SkippedLine? = nil) throws {
        switch policy {
        case .fail: throw error
        case .skip:
            errors.append(error)
            locations.append(location ?? error.line.flatMap { line in error.path.map { SkippedLine(file: $0, line: line) } })
        }
    }

    /// Appends the records of another report.
    public mutating func merge(_ other: SkippedSamples) {
        errors += other.errors
        locations += other.locations
    }

    /// The lines of the skipped rows, in the order they were met (rows of CSV and text files only).
    public var lineNumbers: [Int] { locations.compactMap { $0?.line } }

    /// One line for a log: "3 bad samples skipped (lines 4, 9, 12 of fer2013.csv)", or with
    /// rows of several files "(train.csv:4, test.csv:2)"; at most `maximumLines` lines are
    /// named. "no sample skipped" when empty.
    public func summary(maximumLines: Int = 5) -> String {
        if errors.isEmpty { return "no sample skipped" }
        var text = "\(errors.count) bad sample\(errors.count == 1 ? "" : "s") skipped"
        let rows = locations.compactMap { $0 }
        guard !rows.isEmpty else { return text }
        let more = rows.count > maximumLines ? ", ..." : ""
        let shown = rows.prefix(maximumLines)
        if Set(rows.map(\.file)).count == 1 {
            let numbers = shown.map { String($0.line) }.joined(separator: ", ")
            text += " (line\(rows.count == 1 ? "" : "s") \(numbers)\(more) of \(rows[0].file))"
        } else {
            text += " (\(shown.map { "\($0.file):\($0.line)" }.joined(separator: ", "))\(more))"
        }
        return text
    }

    /// "no sample skipped", or the count and the first few reasons.
    public var description: String {
        if errors.isEmpty { return "no sample skipped" }
        let shown = errors.prefix(5).map { "  \($0)" }.joined(separator: "\n")
        let more = errors.count > 5 ? "\n  ... and \(errors.count - 5) more" : ""
        return "\(errors.count) bad sample\(errors.count == 1 ? "" : "s") skipped:\n\(shown)\(more)"
    }
}

/// Where a skipped CSV or text row was: its file and 1-based line.
public struct SkippedLine: Sendable, Equatable {
    /// The CSV or text file.
    public let file: String
    /// The row's first line.
    public let line: Int

    /// A location.
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
}
