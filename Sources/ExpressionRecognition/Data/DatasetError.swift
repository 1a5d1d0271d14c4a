/// Everything that can be wrong with a dataset on disk or with the settings used to read it.
///
/// Every case names the file (and the line, for CSV and text files) and says what was
/// expected and what was found, so the message alone is enough to fix the data.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file or folder the dataset needs does not exist.
    case missingFile(path: String, hint: String)
    /// A file exists but could not be read (permissions, I/O error).
    case unreadableFile(path: String, reason: String)
    /// An image file that is not a supported image, or is corrupt or truncated.
    case corruptImage(path: String, reason: String)
    /// A compressed or binary container (gzip, IDX) that does not follow its format.
    case malformedFile(path: String, reason: String)
    /// A row of a CSV or text file that does not follow its format.
    case malformedRow(path: String, line: Int, expected: String, found: String)
    /// A label that is not one of the dataset's classes.
    case unknownLabel(path: String, line: Int?, found: String, expected: [String])
    /// A folder that should hold samples holds none.
    case emptyFolder(path: String, expected: String)
    /// A setting out of range (a batch size of 0, a noise rate of 1.5, 12 folds for 5 subjects).
    case invalidArgument(operation: String, message: String)
    /// A sample index outside the dataset.
    case indexOutOfRange(index: Int, count: Int)

    /// The message: the file (and line), what was expected and what was found.
    public var description: String {
        switch self {
        case let .missingFile(path, hint):
            return "\(path): no such file or folder\(hint.isEmpty ? "" : " (\(hint))")"
        case let .unreadableFile(path, reason):
            return "\(path): cannot be read: \(reason)"
        case let .corruptImage(path, reason):
            return "\(path): not a readable image: \(reason)"
        case let .malformedFile(path, reason):
            return "\(path): \(reason)"
        case let .malformedRow(path, line, expected, found):
            return "\(path):\(line): expected \(expected), found \(found)"
        case let .unknownLabel(path, line, found, expected):
            let location = line.map { "\(path):\($0)" } ?? path
            return "\(location): unknown label \"\(found)\"; expected one of \(expected.joined(separator: ", "))"
        case let .emptyFolder(path, expected):
            return "\(path): empty folder; expected \(expected)"
        case let .invalidArgument(operation, message):
            return "\(operation): \(message)"
        case let .indexOutOfRange(index, count):
            return "sample index \(index) is outside the dataset of \(count) samples"
        }
    }
}
