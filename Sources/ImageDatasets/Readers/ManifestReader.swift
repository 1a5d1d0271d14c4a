import Foundation

/// Reads a manifest CSV for any dataset without a reader of its own:
/// `path,label[,subject,sequence,frame]` with a header row. Paths are relative to
/// `imagesRoot` (by default the manifest's folder) and must stay inside it: an absolute
/// path, `..` leading out or a symbolic link pointing out is refused unless the caller
/// passes `allowPathsOutsideFolder`. Labels are class names.
public enum ManifestReader {
    /// The manifest's columns; `path` and `label` are required, the others may be absent or empty.
    public static let columns = ["path", "label", "subject", "sequence", "frame"]

    /// - Parameters:
    ///   - manifest: the CSV file.
    ///   - side: side of the square grayscale images the dataset returns; each (cropped) image
    ///     is resized to it (the paper: 112).
    ///   - classNames: the classes in label order; nil takes the distinct labels in natural order.
    ///   - imagesRoot: the folder the paths are relative to; nil for the manifest's folder.
    ///   - checkFilesExist: look for every image now, so a missing one is reported with its line.
    ///   - allowPathsOutsideFolder: accept absolute paths and paths leading out of
    ///     `imagesRoot` (by `..` or a symbolic link). Off by default, so a manifest from
    ///     elsewhere cannot make the program read any file the user can read.
    ///   - badSamples: ``BadSamplePolicy/fail`` (default) stops at the first bad sample;
    ///     ``BadSamplePolicy/skip`` leaves it out and records it in ``FileImageDataset/skipped``.
    /// - Throws: ``DatasetError`` naming the manifest and line for a missing column, an
    ///   empty path, a label not in `classNames`, a frame that is not an integer, or a
    ///   missing image (each, except the missing columns, skippable with `badSamples`);
    ///   ``DatasetError/pathOutsideFolder(path:line:imagePath:folder:reason:)`` for a path
    ///   outside the folder (never skipped: the manifest itself is not to be trusted).
    public static func read(_ manifest: URL, side: Int, classNames: [String]? = nil, imagesRoot: URL? = nil,
                            checkFilesExist: Bool = true, allowPathsOutsideFolder: Bool = false,
                            badSamples: BadSamplePolicy = .fail) throws -> FileImageDataset {
        if let classNames { try ClassNameValidation.validate(classNames, operation: "ManifestReader") }
        let data = try FileBytes.read(manifest)
        let path = manifest.path
        let root = imagesRoot ?? manifest.deletingLastPathComponent()
        let format = "manifest (path,label,subject,sequence,frame)"
        var header: CSVHeader?
        var pathColumn = 0, labelColumn = 0
        var subjectColumn: Int?, sequenceColumn: Int?, frameColumn: Int?
        var rows = [(url: URL, label: String, annotation: SampleAnnotation)]()
        var skipped = SkippedSamples()
        try CSVParser.forEachRecord(in: data, path: path) { line, fields in
            guard let columns = header else {
                let parsed = CSVHeader(fields, path: path)
                pathColumn = try parsed.requiredIndex(of: "path", format: format)
                labelColumn = try parsed.requiredIndex(of: "label", format: format)
                subjectColumn = parsed.index(of: "subject")
                sequenceColumn = parsed.index(of: "sequence")
                frameColumn = parsed.index(of: "frame")
                header = parsed
                return
            }
            do {
                guard fields.count == columns.names.count else {
                    throw DatasetError.malformedRow(path: path, line: line, expected: "\(columns.names.count) fields (\(columns.names.joined(separator: ",")))",
                                                    found: "\(fields.count) fields")
                }
                func optional(_ column: Int?) -> String? {
                    guard let column else { return nil }
                    let value = fields[column].trimmingCharacters(in: .whitespaces)
                    return value.isEmpty ? nil : value
                }
                let imagePath = fields[pathColumn].trimmingCharacters(in: .whitespaces)
                guard !imagePath.isEmpty else {
                    throw DatasetError.malformedRow(path: path, line: line, expected: "an image path", found: "an empty path")
                }
                let label = fields[labelColumn].trimmingCharacters(in: .whitespaces)
                guard !label.isEmpty else {
                    throw DatasetError.malformedRow(path: path, line: line, expected: "a label", found: "an empty label")
                }
                if let classNames, !classNames.contains(label) {
                    throw DatasetError.unknownLabel(path: path, line: line, found: label, expected: classNames)
                }
                var frame: Int?
                if let text = optional(frameColumn) {
                    guard let number = Int(text) else {
                        throw DatasetError.malformedRow(path: path, line: line, expected: "an integer frame number", found: "\"\(text)\"")
                    }
                    frame = number
                }
                let url: URL
                do throws(ContainedPath.Escape) {
                    url = try ContainedPath.resolve(imagePath, in: root, allowOutside: allowPathsOutsideFolder)
                } catch {
                    throw RowOutsideFolder(error: .pathOutsideFolder(path: path, line: line, imagePath: imagePath,
                                                                     folder: root.standardizedFileURL.path, reason: error.reason))
                }
                if checkFilesExist, !FolderListing.fileExists(url) {
                    throw DatasetError.missingFile(path: url.path, hint: "listed in \(path) line \(line)")
                }
                let annotation = SampleAnnotation(subject: optional(subjectColumn), sequence: optional(sequenceColumn), frame: frame)
                rows.append((url, label, annotation))
            } catch let error as DatasetError {
                try skipped.handle(error, policy: badSamples, at: SkippedLine(file: path, line: line))
            } catch let outside as RowOutsideFolder {
                throw outside.error
            }
        }
        guard header != nil else {
            throw DatasetError.malformedFile(path: path, reason: "empty file; expected a header path,label,subject,sequence,frame and rows")
        }
        let names = classNames ?? Set(rows.map(\.label)).sorted { FolderListing.naturalOrder($0, $1) }
        // Every label is a class by now: checked per row when names were given, collected otherwise.
        let labelOfName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let records = rows.map { ImageRecord(url: $0.url, label: labelOfName[$0.label]!, annotation: $0.annotation) }
        guard !records.isEmpty else {
            throw DatasetError.malformedFile(path: path, reason: "no usable rows after the header (\(skipped))")
        }
        return try FileImageDataset(records: records, classNames: names, side: side, skipped: skipped, badSamplePolicy: badSamples)
    }

    /// Carries a path-outside-folder error past the per-row skipping.
    private struct RowOutsideFolder: Error {
        let error: DatasetError
    }
}
