import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

@Suite("IDX files and Fashion-MNIST")
struct IDXReaderTests {
    /// Writes a Fashion-MNIST-named pair of gzipped IDX files for `split` into `folder`.
    private func writePair(_ split: FashionMNIST.Split, count: Int, side: Int = 4, labels: [UInt8]? = nil, in folder: URL) throws {
        let pixels = (0..<(count * side * side)).map { UInt8($0 % 256) }
        let images = try IDXFile.encode(dimensions: [count, side, side], bytes: pixels)
        let labelBytes = labels ?? (0..<count).map { UInt8($0 % 10) }
        let labelFile = try IDXFile.encode(dimensions: [labelBytes.count], bytes: labelBytes)
        try writeData(Gzip.compress(images), to: "\(split.rawValue)-images-idx3-ubyte.gz", in: folder)
        try writeData(Gzip.compress(labelFile), to: "\(split.rawValue)-labels-idx1-ubyte.gz", in: folder)
    }

    @Test("a gzipped IDX pair reads into a dataset with scaled pixels and labels")
    func readsPair() throws {
        let folder = try temporaryDirectory("idx")
        defer { try? FileManager.default.removeItem(at: folder) }
        try writePair(.train, count: 12, in: folder)
        try writePair(.test, count: 3, in: folder)
        #expect(FashionMNIST.isInstalled(in: folder))
        let train = try FashionMNIST.load(.train, from: folder)
        #expect(train.count == 12 && train.side == 4 && train.classNames.count == 10)
        #expect(train.labels == (0..<12).map { $0 % 10 })
        let second = try train.image(at: 1)
        #expect(second.pixels.first == 16 / 255 && second.label == 1)
        #expect(try FashionMNIST.load(.test, from: folder).count == 3)
    }

    @Test("plain (not gzipped) IDX files read too")
    func plainFiles() throws {
        let folder = try temporaryDirectory("idx-plain")
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = try writeData(IDXFile.encode(dimensions: [2, 3, 3], bytes: Array(repeating: 255, count: 18)), to: "img", in: folder)
        let labels = try writeData(IDXFile.encode(dimensions: [2], bytes: [1, 0]), to: "lab", in: folder)
        let dataset = try IDXDatasetReader.read(images: images, labels: labels, classNames: ["a", "b"])
        #expect(dataset.labels == [1, 0])
        #expect(try dataset.image(at: 0).pixels.allSatisfy { $0 == 1 })
    }

    @Test("missing files say how to install the package")
    func missingPackage() throws {
        let folder = try temporaryDirectory("idx-missing")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(!FashionMNIST.isInstalled(in: folder))
        expectDatasetError(mentioning: "dataset-fashion-mnist", { _ = try FashionMNIST.load(.train, from: folder) }) {
            if case .missingFile = $0 { return true }
            return false
        }
    }

    @Test("malformed IDX files throw errors naming the file")
    func malformed() throws {
        let folder = try temporaryDirectory("idx-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let labels = try writeData(IDXFile.encode(dimensions: [2], bytes: [0, 1]), to: "labels", in: folder)
        func isMalformed(_ error: DatasetError) -> Bool {
            if case .malformedFile = error { return true }
            return false
        }
        let magic = try writeData(Data([1, 2, 3, 4, 5]), to: "magic", in: folder)
        expectDatasetError(mentioning: "magic", { _ = try IDXFile.read(magic) }, where: isMalformed)
        let floats = try writeData(Data([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]), to: "floats", in: folder)
        expectDatasetError(mentioning: "0xd", { _ = try IDXFile.read(floats) }, where: isMalformed)
        var short = try IDXFile.encode(dimensions: [2, 2, 2], bytes: Array(repeating: 0, count: 8))
        short.removeLast()
        let shortURL = try writeData(short, to: "short", in: folder)
        expectDatasetError(mentioning: "found 7", { _ = try IDXFile.read(shortURL) }, where: isMalformed)
        let truncated = try writeData(Gzip.compress(IDXFile.encode(dimensions: [2, 2, 2], bytes: Array(repeating: 0, count: 8))).prefix(15),
                                      to: "cut.gz", in: folder)
        expectDatasetError(mentioning: "cut.gz", { _ = try IDXFile.read(truncated) }, where: isMalformed)
        let huge = try writeData(Data([0, 0, 0x08, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), to: "huge", in: folder)
        expectDatasetError(mentioning: "too large", { _ = try IDXFile.read(huge) }, where: isMalformed)
        let oblong = try writeData(IDXFile.encode(dimensions: [2, 2, 3], bytes: Array(repeating: 0, count: 12)), to: "oblong", in: folder)
        expectDatasetError(mentioning: "oblong", { _ = try IDXDatasetReader.read(images: oblong, labels: labels, classNames: ["a", "b"]) },
                           where: isMalformed)
        let three = try writeData(IDXFile.encode(dimensions: [3, 2, 2], bytes: Array(repeating: 0, count: 12)), to: "three", in: folder)
        expectDatasetError(mentioning: "2 labels for the 3 images", {
            _ = try IDXDatasetReader.read(images: three, labels: labels, classNames: ["a", "b"])
        }, where: isMalformed)
        let two = try writeData(IDXFile.encode(dimensions: [2, 2, 2], bytes: Array(repeating: 0, count: 8)), to: "two", in: folder)
        let badLabels = try writeData(IDXFile.encode(dimensions: [2], bytes: [0, 7]), to: "badlabels", in: folder)
        expectDatasetError(mentioning: "badlabels", { _ = try IDXDatasetReader.read(images: two, labels: badLabels, classNames: ["a", "b"]) }) {
            if case .unknownLabel = $0 { return true }
            return false
        }
    }

    @Test("the real Fashion-MNIST files of the Debian package", .enabled(if: FashionMNIST.isInstalled(),
          "Fashion-MNIST is not installed: run Scripts/install-dependencies.sh (Debian package dataset-fashion-mnist)"))
    func realFashionMNIST() throws {
        let test = try FashionMNIST.load(.test)
        #expect(test.count == 10_000 && test.side == 28)
        var perClass = [Int](repeating: 0, count: 10)
        for label in test.labels { perClass[label] += 1 }
        #expect(perClass == Array(repeating: 1_000, count: 10))
        let first = try test.image(at: 0)
        #expect(first.pixels.allSatisfy { $0 >= 0 && $0 <= 1 } && first.pixels.contains { $0 > 0.5 })
        #expect(first.label == 9)  // the first test image is an ankle boot
        let train = try FashionMNIST.load(.train)
        #expect(train.count == 60_000)
        let resized = try train.resized(to: 112).image(at: 0)
        #expect(resized.side == 112 && resized.pixels.count == 112 * 112)
    }
}
