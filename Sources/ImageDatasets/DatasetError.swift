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
    /// A class of a dataset that is not one of the reference classes it is matched to by name
    /// (a test class the training part does not have; a class a trained run does not know).
    /// `path` is the dataset (its folder or file), `reference` says whose classes `expected` are.
    case unknownClass(path: String, found: String, expected: [String], reference: String)
    /// A manifest row naming an image outside the manifest's folder tree (an absolute path,
    /// `..` leading out, or a symbolic link pointing out) without the caller's permission.
    case pathOutsideFolder(path: String, line: Int, imagePath: String, folder: String, reason: String)
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
        case let .unknownClass(path, found, expected, reference):
            return "\(path): class \"\(found)\" is not one of the \(expected.count) classes of \(reference) (\(expected.joined(separator: ", "))); classes are matched by name"
        case let .pathOutsideFolder(path, line, imagePath, folder, reason):
            return "\(path):\(line): image path \"\(imagePath)\" \(reason), outside \(folder); manifest paths must stay inside the manifest's folder (allowPathsOutsideFolder permits others)"
        case let .emptyFolder(path, expected):
            return "\(path): empty folder; expected \(expected)"
        case let .invalidArgument(operation, message):
            return "\(operation): \(message)"
        case let .indexOutOfRange(index, count):
            return "sample index \(index) is outside the dataset of \(count) samples"
        }
    }
}

extension DatasetError {
    /// The line of a CSV or text file the error is about, where it has one.
    public var line: Int? {
        switch self {
        case let .malformedRow(_, line, _, _): return line
        case let .unknownLabel(_, line, _, _): return line
        case let .pathOutsideFolder(_, line, _, _, _): return line
        default: return nil
        }
    }

    /// The file or folder the error is about, or nil for a setting or an index.
    public var path: String? {
        switch self {
        case let .missingFile(path, _), let .unreadableFile(path, _), let .corruptImage(path, _), let .malformedFile(path, _),
             let .malformedRow(path, _, _, _), let .unknownLabel(path, _, _, _), let .unknownClass(path, _, _, _),
             let .pathOutsideFolder(path, _, _, _, _), let .emptyFolder(path, _):
            return path
        case .invalidArgument, .indexOutOfRange:
            return nil
        }
    }
}
