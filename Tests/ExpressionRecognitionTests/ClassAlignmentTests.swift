import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition

/// A test part is scored against the training part's classes, matched by name.
@Suite("Class alignment between training and test parts")
struct ClassAlignmentTests {
    /// `classes` folders under `root`, `perClass` flat PNGs each.
    private func writeFolders(_ classes: [String], perClass: Int = 2, in root: URL) throws {
        for name in classes {
            for i in 0..<perClass { try writeFlatPNG(level: 10 * i, to: "\(name)/\(i).png", in: root) }
        }
    }

    @Test("a test folder with fewer classes takes the training folder's class list and numbering")
    func folderWithFewerClasses() throws {
        let root = try temporaryDirectory("align-folder")
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train"), test = root.appendingPathComponent("test")
        try writeFolders(["tshirt", "trouser", "pullover"], in: train)
        try writeFolders(["tshirt"], perClass: 3, in: test)
        let parts = try DatasetSpecification(parsing: "folder:\(train.path):\(test.path)").load(side: 4)
        #expect(parts.train.classNames == ["pullover", "trouser", "tshirt"])
        #expect(parts.test.classNames == parts.train.classNames)
        #expect(parts.test.labels == [2, 2, 2])
        #expect(try parts.test.image(at: 0).label == 2)
    }

    @Test("a test manifest whose labels come in another order is renumbered by name")
    func manifestInAnotherOrder() throws {
        let root = try temporaryDirectory("align-manifest")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeFolders(["img"], perClass: 3, in: root)
        let train = try writeText("path,label\nimg/0.png,b\nimg/1.png,c\nimg/2.png,a\n", to: "train.csv", in: root)
        let test = try writeText("path,label\nimg/0.png,c\nimg/1.png,b\n", to: "test.csv", in: root)
        let parts = try DatasetSpecification(parsing: "manifest:\(train.path):\(test.path)").load(side: 4)
        #expect(parts.train.classNames == ["a", "b", "c"])
        #expect(parts.test.classNames == ["a", "b", "c"])
        #expect(parts.test.labels == [2, 1])
    }

    @Test("a test class the training part does not have is an error naming the class and the folder")
    func unknownTestClass() throws {
        let root = try temporaryDirectory("align-unknown")
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train"), test = root.appendingPathComponent("holdout")
        try writeFolders(["tshirt", "trouser"], in: train)
        try writeFolders(["tshirt", "sandal"], in: test)
        expectDatasetError(mentioning: "sandal", { _ = try DatasetSpecification(parsing: "folder:\(train.path):\(test.path)").load(side: 4) }) {
            $0.description.contains("holdout")
        }
    }
}

/// The reusable re-labelling onto a class list by name.
@Suite("Aligning a dataset to a class list")
struct AlignedToClassesTests {
    @Test("labels follow the names into the reference order; case is ignored when no exact name matches")
    func renumbersByName() throws {
        let dataset = ProbeDataset(count: 4, side: 2)  // classes even, odd; labels 0 1 0 1
        let aligned = try dataset.aligned(toClasses: ["Odd", "other", "even"], source: "probe", reference: "the run")
        #expect(aligned.classNames == ["Odd", "other", "even"])
        #expect(aligned.labels == [2, 0, 2, 0])
        #expect(try aligned.image(at: 1).label == 0)
        #expect(AnyImageDataset(aligned).labels == [2, 0, 2, 0])
    }

    @Test("a class with samples that the reference lacks is an error naming it, the source and the reference")
    func unknownClassIsAnError() throws {
        let dataset = ProbeDataset(count: 3, side: 2)
        #expect(throws: DatasetError.unknownClass(path: "/data/test", found: "odd", expected: ["even", "three"], reference: "the run")) {
            try dataset.aligned(toClasses: ["even", "three"], source: "/data/test", reference: "the run")
        }
        // A class the reference lacks but no sample uses is no error.
        let evensOnly = try dataset.subset([0, 2])
        #expect(try evensOnly.aligned(toClasses: ["x", "even"], source: "s", reference: "r").labels == [1, 1])
        let message = DatasetError.unknownClass(path: "/data/test", found: "odd", expected: ["even"], reference: "the run").description
        #expect(message.contains("/data/test") && message.contains("\"odd\"") && message.contains("the run"))
    }

    @Test("an evaluation refuses a dataset with more classes than the model predicts")
    func evaluatorRefusesMoreClasses() throws {
        let model = try MultiScaleClassifier<Float>(side: 32, width: 0.125, classCount: 2, dropoutRate: 0, seed: 1)
        let three = try ProbeDataset(count: 4, side: 32).aligned(toClasses: ["even", "odd", "third"], source: "s", reference: "r")
        expectDatasetError(mentioning: "predicts 2", { _ = try Evaluator.evaluate(model, on: three) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }
}
