import Foundation

/// Reads AffectNet's annotation CSV (`subDirectory_filePath,face_x,face_y,face_width,
/// face_height,facial_landmarks,expression,valence,arousal`) and the images it lists.
///
/// The paper keeps the seven classes Neutral and the six basic emotions (codes 0-6, which
/// are the library's labels unchanged, see ``Expression``); Contempt, None, Uncertain and
/// Non-Face (7-10) are left out and counted in ``FileImageDataset/excludedByProtocol``.
public enum AffectNetReader {
    /// - Parameters:
    ///   - annotations: `training.csv` or `validation.csv`.
    ///   - imagesRoot: the folder `subDirectory_filePath` is relative to (`Manually_Annotated_Images`).
    ///   - side: side of the square grayscale images the dataset returns; each (cropped) image
    ///     is resized to it (the paper: 112).
    ///   - cropToFace: crop each image to its face box (the `face_*` columns), grown by `faceMargin`.
    ///   - faceMargin: growth of the face box on each side, as a fraction of its width (left
    ///     and right) and height (top and bottom); default 0, the box as annotated.
    ///   - checkFilesExist: look for every image now (about a second for 280,000 files), so a
    ///     missing one is reported with its CSV line.
    ///   - badSamples: ``BadSamplePolicy/fail`` (default) stops at the first bad sample;
    ///     ``BadSamplePolicy/skip`` leaves it out and records it in ``FileImageDataset/skipped``.
    /// - Throws: ``DatasetError`` naming the CSV file and line for a missing column, an
    ///   expression code outside 0-10, a face box that is not four numbers with a positive
    ///   size, or a missing image (each, except a missing column, skippable with `badSamples`).
    public static func read(annotations: URL, imagesRoot: URL, side: Int, cropToFace: Bool = true, faceMargin: Double = 0,
                            checkFilesExist: Bool = true, badSamples: BadSamplePolicy = .fail) throws -> FileImageDataset {
        let data = try FileBytes.read(annotations)
        let path = annotations.path
        let format = "AffectNet (subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,...)"
        var header: CSVHeader?
        var fileColumn = 0, expressionColumn = 0
        var boxColumns = [Int]()
        var records = [ImageRecord]()
        var skipped = SkippedSamples()
        var excluded = [String: Int]()
        let expectedCodes = DatasetLabelCodes.affectNet.keys.sorted().map { code in
            "\(code) (\(DatasetLabelCodes.affectNet[code]!?.name ?? DatasetLabelCodes.affectNetExcludedNames[code] ?? "?"))"
        }
        try CSVParser.forEachRecord(in: data, path: path) { line, fields in
            guard let columns = header else {
                let parsed = CSVHeader(fields, path: path)
                fileColumn = try parsed.requiredIndex(of: "subDirectory_filePath", format: format)
                expressionColumn = try parsed.requiredIndex(of: "expression", format: format)
                if cropToFace {
                    boxColumns = try ["face_x", "face_y", "face_width", "face_height"].map { try parsed.requiredIndex(of: $0, format: format) }
                }
                header = parsed
                return
            }
            do {
                guard fields.count == columns.names.count else {
                    throw DatasetError.malformedRow(path: path, line: line, expected: "\(columns.names.count) fields", found: "\(fields.count) fields")
                }
                let codeText = fields[expressionColumn].trimmingCharacters(in: .whitespaces)
                guard let code = Int(codeText), let mapped = DatasetLabelCodes.affectNet[code] else {
                    throw DatasetError.unknownLabel(path: path, line: line, found: codeText, expected: expectedCodes)
                }
                guard let expression = mapped else {
                    excluded[DatasetLabelCodes.affectNetExcludedNames[code] ?? "\(code)", default: 0] += 1
                    return
                }
                let file = fields[fileColumn].trimmingCharacters(in: .whitespaces)
                guard !file.isEmpty else {
                    throw DatasetError.malformedRow(path: path, line: line, expected: "an image path in subDirectory_filePath", found: "an empty field")
                }
                var crop: FaceBox?
                if cropToFace {
                    let values = boxColumns.map { Double(fields[$0].trimmingCharacters(in: .whitespaces)) }
                    guard values.allSatisfy({ $0?.isFinite == true }), let x = values[0], let y = values[1],
                          let width = values[2], let height = values[3], width > 0, height > 0 else {
                        throw DatasetError.malformedRow(path: path, line: line, expected: "a face box of four numbers with positive width and height",
                                                        found: boxColumns.map { fields[$0] }.joined(separator: ","))
                    }
                    crop = FaceBox(x: x, y: y, width: width, height: height).expanded(byMargin: faceMargin)
                }
                let url = imagesRoot.appendingPathComponent(file)
                if checkFilesExist, !FolderListing.fileExists(url) {
                    throw DatasetError.missingFile(path: url.path, hint: "listed in \(path) line \(line)")
                }
                records.append(ImageRecord(url: url, label: expression.rawValue, crop: crop))
            } catch let error as DatasetError {
                try skipped.handle(error, policy: badSamples, at: SkippedLine(file: path, line: line))
            }
        }
        guard header != nil else {
            throw DatasetError.malformedFile(path: path, reason: "empty file; expected the AffectNet header and rows")
        }
        guard !records.isEmpty else {
            throw DatasetError.malformedFile(path: path, reason: "no usable rows of the seven classes after the header (\(skipped))")
        }
        return try FileImageDataset(records: records, classNames: Expression.allCases.map(\.name), side: side,
                                    skipped: skipped, excludedByProtocol: excluded, badSamplePolicy: badSamples)
    }
}
