import Foundation

/// Reads FER2013's CSV (`emotion,pixels,Usage`: a label code, 48x48 = 2304 space-separated
/// gray values, and the split) into in-memory datasets.
///
/// Labels are mapped to the paper's classes (``DatasetLabelCodes/fer2013``); the class
/// names are the seven ``Expression`` names. A file without a `Usage` column (Kaggle's
/// train.csv) puts every row in ``Usage/training``.
public enum FER2013Reader {
    /// The value of the `Usage` column.
    public enum Usage: String, Sendable, CaseIterable {
        /// The 28,709 training rows.
        case training = "Training"
        /// The 3,589 public test rows (often used for validation).
        case publicTest = "PublicTest"
        /// The 3,589 private test rows.
        case privateTest = "PrivateTest"
    }

    /// FER2013 images are 48x48.
    public static let side = 48

    /// The rows of one split, or of the whole file in file order when `usage` is nil.
    /// - Throws: ``DatasetError`` naming the file and line of a row with the wrong pixel
    ///   count, a value outside 0-255, or an unknown emotion code or usage (unless
    ///   `badSamples` is ``BadSamplePolicy/skip``); and when no row is left.
    public static func read(_ url: URL, usage: Usage? = nil, badSamples: BadSamplePolicy = .fail) throws -> InMemoryDataset {
        let rows = try parse(url, keeping: usage.map { [$0] } ?? Set(Usage.allCases), badSamples: badSamples)
        return try InMemoryDataset(side: side, pixelBytes: rows.pixels, labels: rows.labels, classNames: classNames, skipped: rows.skipped)
    }

    /// Every split present in the file, read in one pass. Each split carries the report of
    /// all rows skipped in the file (a bad row's split may itself be unreadable).
    public static func readSplits(_ url: URL, badSamples: BadSamplePolicy = .fail) throws -> [Usage: InMemoryDataset] {
        let rows = try parse(url, keeping: Set(Usage.allCases), badSamples: badSamples)
        let size = side * side
        var result = [Usage: InMemoryDataset]()
        for usage in Usage.allCases {
            let members = rows.usages.indices.filter { rows.usages[$0] == usage }
            guard !members.isEmpty else { continue }
            var pixels = [UInt8]()
            pixels.reserveCapacity(members.count * size)
            for row in members { pixels += rows.pixels[(row * size)..<((row + 1) * size)] }
            result[usage] = try InMemoryDataset(side: side, pixelBytes: pixels, labels: members.map { rows.labels[$0] },
                                                classNames: classNames, skipped: rows.skipped)
        }
        return result
    }

    private struct Rows {
        var pixels = [UInt8]()
        var labels = [Int]()
        var usages = [Usage]()
        var skipped = SkippedSamples()
    }

    private static func parse(_ url: URL, keeping kept: Set<Usage>, badSamples: BadSamplePolicy) throws -> Rows {
        let data = try FileBytes.read(url)
        let path = url.path
        let format = "FER2013 (emotion,pixels,Usage)"
        var header: CSVHeader?
        var emotionColumn = 0, pixelsColumn = 0
        var usageColumn: Int?
        var rows = Rows()
        try CSVParser.forEachRecord(in: data, path: path) { line, fields in
            guard let columns = header else {
                let parsed = CSVHeader(fields, path: path)
                emotionColumn = try parsed.requiredIndex(of: "emotion", format: format)
                pixelsColumn = try parsed.requiredIndex(of: "pixels", format: format)
                usageColumn = parsed.index(of: "Usage")
                header = parsed
                return
            }
            do {
                guard fields.count == columns.names.count else {
                    throw DatasetError.malformedRow(
                        path: path, line: line, expected: "\(columns.names.count) fields (\(columns.names.joined(separator: ",")))",
                        found: "\(fields.count) fields")
                }
                let code = fields[emotionColumn].trimmingCharacters(in: .whitespaces)
                guard let number = Int(code), let expression = DatasetLabelCodes.fer2013[number] else {
                    let expected = DatasetLabelCodes.fer2013.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.name))" }
                    throw DatasetError.unknownLabel(path: path, line: line, found: code, expected: expected)
                }
                var usage = Usage.training
                if let usageColumn {
                    let text = fields[usageColumn].trimmingCharacters(in: .whitespaces)
                    guard let parsed = Usage(rawValue: text) else {
                        throw DatasetError.malformedRow(
                            path: path, line: line, expected: "Usage Training, PublicTest or PrivateTest", found: "\"\(text)\"")
                    }
                    usage = parsed
                }
                guard kept.contains(usage) else { return }
                rows.pixels += try parsePixels(fields[pixelsColumn], path: path, line: line)
                rows.labels.append(expression.rawValue)
                rows.usages.append(usage)
            } catch let error as DatasetError {
                try rows.skipped.handle(error, policy: badSamples, at: SkippedLine(file: path, line: line))
            }
        }
        guard header != nil else {
            throw DatasetError.malformedFile(path: path, reason: "empty file; expected a header emotion,pixels,Usage and rows")
        }
        guard !rows.labels.isEmpty else {
            let which = kept.count == Usage.allCases.count ? "" : " with Usage \(kept.map(\.rawValue).sorted().joined(separator: " or "))"
            throw DatasetError.malformedFile(path: path, reason: "no usable rows\(which) after the header (\(rows.skipped))")
        }
        return rows
    }

    /// The seven class names, indexed by label.
    public static var classNames: [String] { Expression.allCases.map(\.name) }

    /// Parses 2304 space-separated integers 0-255.
    private static func parsePixels(_ text: String, path: String, line: Int) throws -> [UInt8] {
        var values = [UInt8]()
        values.reserveCapacity(side * side)
        var current = -1  // -1: between numbers
        func finishNumber() throws {
            guard current >= 0 else { return }
            guard current <= 255 else {
                throw DatasetError.malformedRow(path: path, line: line, expected: "pixel values 0-255", found: "\(current)")
            }
            values.append(UInt8(current))
            current = -1
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                current = (current < 0 ? 0 : min(current, 100_000) * 10) + Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                try finishNumber()
            default:
                throw DatasetError.malformedRow(path: path, line: line, expected: "space-separated pixel values 0-255",
                                                found: "the character \"\(Character(Unicode.Scalar(byte)))\"")
            }
        }
        try finishNumber()
        guard values.count == side * side else {
            throw DatasetError.malformedRow(path: path, line: line, expected: "\(side * side) pixel values (48x48)", found: "\(values.count)")
        }
        return values
    }
}
