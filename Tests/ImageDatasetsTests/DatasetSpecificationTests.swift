import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

@Suite("Dataset specifications")
struct DatasetSpecificationTests {
    @Test func parsesEveryForm() throws {
        #expect(try DatasetSpecification(parsing: "fashion-mnist").kind == .fashionMNIST)
        #expect(try DatasetSpecification(parsing: "fer2013:/data/fer.csv:public").paths == ["/data/fer.csv", "public"])
        #expect(try DatasetSpecification(parsing: "affectnet:t.csv:v.csv:images").paths.count == 3)
        #expect(try DatasetSpecification(parsing: "ckplus:/data/CK+", fold: 3).fold == 3)
        #expect(try DatasetSpecification(parsing: "folder:/a:/b").description == "folder:/a:/b")
    }

    @Test func badSpecificationsSayWhatIsWrong() {
        #expect(throws: DatasetError.invalidArgument(operation: "--data", message: "unknown dataset \"imagenet\"; use one of fashion-mnist, fer2013, affectnet, folder, manifest, ckplus, oulu")) {
            try DatasetSpecification(parsing: "imagenet")
        }
        #expect(throws: DatasetError.invalidArgument(operation: "--data", message: "affectnet takes 3 path(s) after the name, separated by ':' (got \"affectnet:only.csv\")")) {
            try DatasetSpecification(parsing: "affectnet:only.csv")
        }
        #expect(throws: DatasetError.invalidArgument(operation: "--data", message: "folder takes 1 to 2 path(s) after the name, separated by ':' (got \"folder:\")")) {
            try DatasetSpecification(parsing: "folder:")
        }
        #expect(throws: DatasetError.invalidArgument(operation: "--fold", message: "fold must be in 0..<10, got 10")) {
            try DatasetSpecification(parsing: "ckplus:/x", fold: 10)
        }
    }

    @Test func folderWithoutTestPartHoldsOutATenth() throws {
        let root = try temporaryDirectory("spec")
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["a", "b"] {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<10 { try PNGEncoder.write(GrayImage(side: 8, pixels: [Float](repeating: Float(i) / 10, count: 64)), to: folder.appendingPathComponent("\(i).png")) }
        }
        let (train, test) = try DatasetSpecification(parsing: "folder:\(root.path)").load(side: 16, seed: 1)
        #expect(train.count == 18 && test.count == 2)
        #expect(Set(train.labels + test.labels) == [0, 1])
        #expect(try train.image(at: 0).pixels.count == 16 * 16)
        let limited = try train.limited(to: 5, seed: 2)
        #expect(limited.count == 5)
        #expect(try train.limited(to: nil, seed: 2).count == 18)
    }
}
