import Foundation

/// Reads a pair of IDX files, images (N, H, W) and labels (N), into an in-memory dataset.
public enum IDXDatasetReader {
    /// - Parameters:
    ///   - imagesURL: the IDX file of unsigned-byte images (N, H, W), with H equal to W.
    ///   - labelsURL: the IDX file of N labels, each an index into `classNames`.
    ///   - classNames: the classes, indexed by label.
    ///   - missingHint: said with a missing file (which package installs it).
    /// - Throws: ``DatasetError`` naming the file when either is missing or malformed, the
    ///   images are not square, the counts differ, or a label is not a class index.
    public static func read(images imagesURL: URL, labels labelsURL: URL, classNames: [String],
                            missingHint: String = "") throws -> InMemoryDataset {
        let images = try IDXFile.read(imagesURL, hint: missingHint)
        let labels = try IDXFile.read(labelsURL, hint: missingHint)
        guard images.dimensions.count == 3, images.dimensions[1] == images.dimensions[2], images.dimensions[1] > 0 else {
            throw DatasetError.malformedFile(path: imagesURL.path, reason: "expected square images (N, side, side), found dimensions \(images.dimensions)")
        }
        guard labels.dimensions.count == 1 else {
            throw DatasetError.malformedFile(path: labelsURL.path, reason: "expected one label per image (N), found dimensions \(labels.dimensions)")
        }
        guard labels.dimensions[0] == images.dimensions[0] else {
            throw DatasetError.malformedFile(
                path: labelsURL.path, reason: "\(labels.dimensions[0]) labels for the \(images.dimensions[0]) images of \(imagesURL.lastPathComponent)")
        }
        let labelValues = labels.bytes.map(Int.init)
        if let bad = labelValues.firstIndex(where: { $0 >= classNames.count }) {
            throw DatasetError.unknownLabel(path: labelsURL.path, line: nil, found: "\(labelValues[bad]) (item \(bad))",
                                            expected: classNames.indices.map { "\($0) (\(classNames[$0]))" })
        }
        return try InMemoryDataset(side: images.dimensions[1], pixelBytes: images.bytes, labels: labelValues, classNames: classNames)
    }
}
