import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

@Suite("FER2013 CSV")
struct FER2013ReaderTests {
    private func pixels(_ value: Int, count: Int = 2304) -> String {
        Array(repeating: String(value), count: count).joined(separator: " ")
    }

    @Test("rows map to the paper's classes, splits by Usage, CRLF and quotes accepted")
    func readsRows() throws {
        let folder = try temporaryDirectory("fer")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = "emotion,pixels,Usage\r\n0,\(pixels(255)),Training\r\n6,\"\(pixels(0))\",PublicTest\r\n\r\n3,\(pixels(51)),PrivateTest\r\n"
        let url = try writeText(csv, to: "fer2013.csv", in: folder)
        let all = try FER2013Reader.read(url)
        #expect(all.count == 3 && all.side == 48 && all.classNames == Expression.allCases.map(\.name))
        #expect(all.labels == [Expression.anger.rawValue, Expression.neutral.rawValue, Expression.happy.rawValue])
        #expect(try all.image(at: 0).pixels.allSatisfy { $0 == 1 })
        #expect(try all.image(at: 2).pixels.allSatisfy { abs($0 - 0.2) < 1e-6 })
        let training = try FER2013Reader.read(url, usage: .training)
        #expect(training.labels == [Expression.anger.rawValue])
        let splits = try FER2013Reader.readSplits(url)
        #expect(splits.count == 3 && splits[.privateTest]?.labels == [Expression.happy.rawValue])
        #expect(splits[.publicTest]?.count == 1)
    }

    @Test("a file without Usage puts every row in Training")
    func noUsageColumn() throws {
        let folder = try temporaryDirectory("fer-nousage")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try writeText("emotion,pixels\n2,\(pixels(1))\n", to: "train.csv", in: folder)
        #expect(try FER2013Reader.read(url, usage: .training).labels == [Expression.fear.rawValue])
    }

    @Test("bad rows throw errors naming file and line; skip counts them")
    func badRows() throws {
        let folder = try temporaryDirectory("fer-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = [
            "emotion,pixels,Usage",
            "0,\(pixels(1)),Training",
            "0,\(pixels(1, count: 2303)),Training",  // line 3: one pixel short
            "9,\(pixels(1)),Training",  // line 4: unknown emotion
            "1,\(pixels(300)),Training",  // line 5: value out of range
            "1,1 2 x,Training",  // line 6: not a number
            "1,\(pixels(1)),Validation",  // line 7: unknown usage
            "1,\(pixels(1))",  // line 8: missing field
        ]
        let url = try writeText(rows.joined(separator: "\n"), to: "bad.csv", in: folder)
        let skipped = try FER2013Reader.read(url, badSamples: .skip)
        #expect(skipped.count == 1 && skipped.skipped.count == 6)
        #expect(skipped.skipped.errors.map(errorLine) == [3, 4, 5, 6, 7, 8])
        #expect(skipped.skipped.description.contains("6 bad samples skipped"))

        for line in 3...8 {
            let single = try writeText([rows[0], rows[line - 1]].joined(separator: "\n"), to: "line\(line).csv", in: folder)
            expectDatasetError(mentioning: "line\(line).csv:2", { _ = try FER2013Reader.read(single) }) { errorLine($0) == 2 }
        }
        expectDatasetError(mentioning: "2304 pixel values", {
            _ = try FER2013Reader.read(writeText([rows[0], rows[2]].joined(separator: "\n"), to: "short.csv", in: folder))
        }) { _ in true }
        expectDatasetError(mentioning: "unknown label \"9\"", {
            _ = try FER2013Reader.read(writeText([rows[0], rows[3]].joined(separator: "\n"), to: "label.csv", in: folder))
        }) {
            if case .unknownLabel = $0 { return true }
            return false
        }
    }

    @Test("a missing column, an empty file, no usable rows, an open quote and a missing file")
    func badFiles() throws {
        let folder = try temporaryDirectory("fer-files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let noPixels = try writeText("emotion,image,Usage\n0,1,Training\n", to: "nopixels.csv", in: folder)
        expectDatasetError(mentioning: "\"pixels\"", { _ = try FER2013Reader.read(noPixels) }) { errorLine($0) == 1 }
        let empty = try writeText("", to: "empty.csv", in: folder)
        expectDatasetError(mentioning: "empty.csv", { _ = try FER2013Reader.read(empty) }) {
            if case .malformedFile = $0 { return true }
            return false
        }
        let headerOnly = try writeText("emotion,pixels,Usage\n", to: "header.csv", in: folder)
        expectDatasetError(mentioning: "no usable rows", { _ = try FER2013Reader.read(headerOnly) }) { _ in true }
        let training = try writeText("emotion,pixels,Usage\n0,\(pixels(1)),Training\n", to: "training.csv", in: folder)
        expectDatasetError(mentioning: "PublicTest", { _ = try FER2013Reader.read(training, usage: .publicTest) }) { _ in true }
        let open = try writeText("emotion,pixels,Usage\n0,\"1 2 3,Training\n", to: "open.csv", in: folder)
        expectDatasetError(mentioning: "closing quote", { _ = try FER2013Reader.read(open) }) { errorLine($0) == 2 }
        expectDatasetError(mentioning: "absent.csv", { _ = try FER2013Reader.read(folder.appendingPathComponent("absent.csv")) }) {
            if case .missingFile = $0 { return true }
            return false
        }
    }
}
