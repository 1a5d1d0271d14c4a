import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition

/// Limits and empty parts are errors, never a silent 0%.
@Suite("Sample limits and empty parts")
struct SampleLimitTests {
    @Test("a limit of 0 or less is an error saying it must be at least 1")
    func limitBelowOne() throws {
        let dataset = ProbeDataset(count: 5, side: 2)
        for bad in [0, -3] {
            expectDatasetError(mentioning: "at least 1", { _ = try dataset.limited(to: bad, seed: 0) }) {
                if case .invalidArgument = $0 { return true }
                return false
            }
        }
        #expect(try dataset.limited(to: 1, seed: 0).count == 1)
        #expect(try dataset.limited(to: 9, seed: 0).count == 5)
    }

    @Test("a folder of one image cannot be split into a training and a test part")
    func holdOutOfOneSample() throws {
        let root = try temporaryDirectory("limit-holdout")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFlatPNG(level: 3, to: "only/0.png", in: root)
        expectDatasetError(mentioning: root.path, { _ = try DatasetSpecification(parsing: "folder:\(root.path)").load(side: 4) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }

    @Test("evaluating on an empty dataset is an error")
    func evaluateNothing() throws {
        let model = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 2, dropoutRate: 0, seed: 1)
        let empty = try ProbeDataset(count: 4, side: 32).subset([])
        expectDatasetError(mentioning: "no samples", { _ = try Evaluator.evaluate(model, on: empty) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }
}
