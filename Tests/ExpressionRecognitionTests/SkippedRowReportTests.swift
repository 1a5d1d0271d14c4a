import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition

/// Rows and files the readers skip are reported with their count and lines, and images that
/// fail to decode during evaluation are counted, never dropped silently.
@Suite("Reports of skipped rows and samples")
struct SkippedRowReportTests {
    private func pixels(_ value: Int, count: Int = 2304) -> String {
        Array(repeating: String(value), count: count).joined(separator: " ")
    }

    @Test("FER2013 rows skipped under --skip-bad-samples: the loaded parts carry the count and the lines, once")
    func fer2013Rows() throws {
        let folder = try temporaryDirectory("skip-report-fer")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = """
            emotion,pixels,Usage
            0,\(pixels(1)),Training
            9,\(pixels(1)),Training
            3,\(pixels(2)),PrivateTest
            1,\(pixels(3, count: 10)),PrivateTest
            2,\(pixels(4)),Training

            """
        let url = try writeText(csv, to: "fer.csv", in: folder)
        let parts = try DatasetSpecification(parsing: "fer2013:\(url.path)", skipBadSamples: true).loadParts(side: 48)
        #expect(parts.train.count == 2 && parts.test.count == 1)
        #expect(parts.skipped.count == 2)
        #expect(parts.skipped.lineNumbers == [3, 5])
        #expect(parts.skipped.summary() == "2 bad samples skipped (lines 3, 5 of \(url.path))")
        #expect(parts.skipped.description.contains("fer.csv:3"))
    }

    @Test("manifest rows skipped in both parts are reported with their lines; an empty report says so")
    func manifestRows() throws {
        let folder = try temporaryDirectory("skip-report-manifest")
        defer { try? FileManager.default.removeItem(at: folder) }
        for i in 0..<3 { try writeFlatPNG(level: i, to: "img/\(i).png", in: folder) }
        let train = try writeText("path,label\nimg/0.png,a\nimg/missing.png,a\nimg/1.png,b\n", to: "train.csv", in: folder)
        let test = try writeText("path,label\n,a\nimg/2.png,b\n", to: "test.csv", in: folder)
        let parts = try DatasetSpecification(parsing: "manifest:\(train.path):\(test.path)", skipBadSamples: true).loadParts(side: 4)
        #expect(parts.skipped.count == 2 && parts.skipped.lineNumbers == [3, 2])
        #expect(parts.skipped.summary() == "2 bad samples skipped (\(train.path):3, \(test.path):2)")
        #expect(parts.skipped.summary(maximumLines: 1) == "2 bad samples skipped (\(train.path):3, ...)")
        #expect(SkippedSamples().summary() == "no sample skipped")
    }

    @Test("an evaluation on data read with skip leaves a corrupt image out and counts it; all unreadable is an error")
    func evaluationSkips() throws {
        let root = try temporaryDirectory("skip-report-eval")
        defer { try? FileManager.default.removeItem(at: root) }
        for i in 0..<2 { try writeFlatPNG(level: 50 * i, width: 32, height: 32, to: "a/\(i).png", in: root) }
        try writeFlatPNG(level: 200, width: 32, height: 32, to: "b/0.png", in: root)
        try writeText("not an image", to: "a/broken.png", in: root)
        let dataset = try ImageFolderReader.read(root, side: 32, badSamples: .skip)
        #expect(dataset.badSamplePolicy == .skip && AnyImageDataset(dataset).badSamplePolicy == .skip)
        #expect(try dataset.subset([0, 1]).resized(to: 16).badSamplePolicy == .skip)
        let model = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 2, dropoutRate: 0, seed: 1)
        let report = try Evaluator.evaluate(model, on: dataset)
        #expect(report.skipped.count == 1 && report.confusion.total == 3)
        #expect(report.predictions.filter { $0 < 0 }.count == 1)
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: JSONEncoder().encode(report))
        #expect(decoded.confusion == report.confusion && decoded.skipped.count == 0)

        let broken = try #require(dataset.records.firstIndex { $0.url.lastPathComponent == "broken.png" })
        let onlyBroken = try dataset.subset([broken])
        expectDatasetError(mentioning: "skipped", { _ = try Evaluator.evaluate(model, on: onlyBroken) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
        // The loader's own option still wins over the dataset's policy.
        let strict = try BatchLoader(dataset: dataset, sampler: SequentialBatchSampler(count: 4, batchSize: 4),
                                     options: LoaderOptions(badSamples: .fail)).epoch(0)
        expectDatasetError(mentioning: "broken.png", { _ = try strict.collect() }) {
            if case .corruptImage = $0 { return true }
            return false
        }
    }
}
