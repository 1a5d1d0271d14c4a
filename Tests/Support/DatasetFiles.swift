import Foundation
import ImageDatasets
import Testing

// Files and images for the data pipeline's tests (ImageDatasetsTests and the recipe tests of
// ExpressionRecognitionTests, which read small datasets too).

/// Runs `body`, which must throw a ``DatasetError`` for which `check` holds; records an
/// issue naming what happened otherwise. Also checks that the message mentions `mentioning`
/// (the file name, usually) when given.
public func expectDatasetError(
    mentioning fragment: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void,
    where check: (DatasetError) -> Bool
) {
    do {
        try body()
        Issue.record("expected a DatasetError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DatasetError {
        if !check(error) {
            Issue.record("unexpected DatasetError: \(error)", sourceLocation: sourceLocation)
        }
        if let fragment, !error.description.contains(fragment) {
            Issue.record("the message \"\(error)\" does not mention \"\(fragment)\"", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a DatasetError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
}

/// The line of a malformed-row or unknown-label error, if it has one.
public func errorLine(_ error: DatasetError) -> Int? {
    switch error {
    case let .malformedRow(_, line, _, _): return line
    case let .unknownLabel(_, line, _, _): return line
    default: return nil
    }
}

/// Writes `text` to `name` inside `folder`, creating subfolders.
@discardableResult
public func writeText(_ text: String, to name: String, in folder: URL) throws -> URL {
    let url = folder.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url
}

/// Writes `data` to `name` inside `folder`, creating subfolders.
@discardableResult
public func writeData(_ data: Data, to name: String, in folder: URL) throws -> URL {
    let url = folder.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: url)
    return url
}

/// A `width` x `height` 8-bit gray image whose pixel (x, y) is `value(x, y)`.
public func grayImage(width: Int, height: Int, _ value: (Int, Int) -> Int) throws -> DecodedImage {
    var samples = [UInt16]()
    for y in 0..<height {
        for x in 0..<width { samples.append(UInt16(value(x, y))) }
    }
    return try DecodedImage(width: width, height: height, layout: .gray, bitDepth: 8, samples: samples)
}

/// Writes a small gray PNG whose brightness is `level` (0...255) everywhere.
@discardableResult
public func writeFlatPNG(level: Int, width: Int = 8, height: Int = 8, to name: String, in folder: URL) throws -> URL {
    try writeData(PNGEncoder.encode(grayImage(width: width, height: height) { _, _ in level }), to: name, in: folder)
}

/// A gradient that tells rows and columns apart.
public func gradientImage(width: Int, height: Int) throws -> DecodedImage {
    try grayImage(width: width, height: height) { x, y in (x * 255 / max(width - 1, 1) + y * 7) % 256 }
}

/// Whether two pixel arrays agree within `tolerance` everywhere.
public func nearlyEqual(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}
