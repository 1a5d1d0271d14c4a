import Foundation
import NeuralNetworks

/// Which data a command trains and tests on, written as one argument:
///
/// | specification | training part | test part |
/// | --- | --- | --- |
/// | `fashion-mnist` | the Debian package's 60,000 training images | its 10,000 test images |
/// | `fer2013:FILE.csv` | rows with Usage Training | PrivateTest (PublicTest with `:public`) |
/// | `affectnet:TRAIN.csv:VALIDATION.csv:IMAGES` | the training annotations | the validation annotations |
/// | `folder:TRAIN[:TEST]` | one folder per class | the TEST folder, or a seeded 10% hold-out |
/// | `manifest:TRAIN.csv[:TEST.csv]` | the manifest's rows | the TEST manifest, or a 10% hold-out |
/// | `ckplus:ROOT` | 9 of 10 person-independent folds (`fold`) | the remaining fold |
/// | `oulu:ROOT` | 9 of 10 person-independent folds | the remaining fold |
///
/// Every part is resized to the model's side on the fly (area averaging when shrinking).
public struct DatasetSpecification: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case fashionMNIST = "fashion-mnist", fer2013, affectnet, folder, manifest, ckplus, oulu
    }
    public var kind: Kind
    public var paths: [String]
    /// Fold used as the test part for person-independent protocols (0-based).
    public var fold: Int
    public var foldCount: Int
    public var skipBadSamples: Bool

    /// Parses the command-line form (see the type's documentation).
    public init(parsing text: String, fold: Int = 0, foldCount: Int = 10, skipBadSamples: Bool = false) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let kind = Kind(rawValue: parts[0]) else {
            throw DatasetError.invalidArgument(operation: "--data", message: "unknown dataset \"\(parts[0])\"; use one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let paths = Array(parts.dropFirst())
        let needed: ClosedRange<Int>
        switch kind {
        case .fashionMNIST: needed = 0...1
        case .fer2013: needed = 1...2
        case .affectnet: needed = 3...3
        case .folder, .manifest: needed = 1...2
        case .ckplus, .oulu: needed = 1...1
        }
        guard needed.contains(paths.count), paths.allSatisfy({ !$0.isEmpty }) else {
            throw DatasetError.invalidArgument(operation: "--data", message: "\(kind.rawValue) takes \(needed.lowerBound == needed.upperBound ? "\(needed.lowerBound)" : "\(needed.lowerBound) to \(needed.upperBound)") path(s) after the name, separated by ':' (got \"\(text)\")")
        }
        guard foldCount >= 2, (0..<foldCount).contains(fold) else {
            throw DatasetError.invalidArgument(operation: "--fold", message: "fold must be in 0..<\(foldCount), got \(fold)")
        }
        self.kind = kind
        self.paths = paths
        self.fold = fold
        self.foldCount = foldCount
        self.skipBadSamples = skipBadSamples
    }

    public var description: String { ([kind.rawValue] + paths).joined(separator: ":") }

    /// The training and test parts at `side`.
    public func load(side: Int, seed: UInt64 = 0) throws -> (train: AnyImageDataset, test: AnyImageDataset) {
        let policy: BadSamplePolicy = skipBadSamples ? .skip : .fail
        let url = { (i: Int) in URL(fileURLWithPath: self.paths[i]) }
        switch kind {
        case .fashionMNIST:
            let directory = paths.first.map { URL(fileURLWithPath: $0) } ?? FashionMNIST.defaultDirectory
            return (try resized(FashionMNIST.load(.train, from: directory), side), try resized(FashionMNIST.load(.test, from: directory), side))
        case .fer2013:
            let splits = try FER2013Reader.readSplits(url(0), badSamples: policy)
            let testUsage: FER2013Reader.Usage = paths.count > 1 && paths[1] == "public" ? .publicTest : .privateTest
            guard let train = splits[.training], let test = splits[testUsage] else {
                throw DatasetError.invalidArgument(operation: "fer2013", message: "\(paths[0]) has no Training or \(testUsage.rawValue) rows")
            }
            return (try resized(train, side), try resized(test, side))
        case .affectnet:
            let root = url(2)
            let train = try AffectNetReader.read(annotations: url(0), imagesRoot: root, side: side, badSamples: policy)
            let test = try AffectNetReader.read(annotations: url(1), imagesRoot: root, side: side, badSamples: policy)
            return (AnyImageDataset(train), AnyImageDataset(test))
        case .folder, .manifest:
            let read = { (path: URL) throws -> FileImageDataset in
                self.kind == .folder ? try ImageFolderReader.read(path, side: side, badSamples: policy)
                                     : try ManifestReader.read(path, side: side, badSamples: policy)
            }
            let train = try read(url(0))
            if paths.count > 1 { return (AnyImageDataset(train), AnyImageDataset(try read(url(1)))) }
            return try holdOut(AnyImageDataset(train), share: 0.1, seed: seed)
        case .ckplus, .oulu:
            let all = kind == .ckplus ? try CKPlusReader.read(url(0), side: side, badSamples: policy)
                                      : try OuluCASIAReader.read(url(0), side: side, badSamples: policy)
            let folds = try SubjectFolds.make(dataset: all, foldCount: foldCount, seed: seed)
            let chosen = folds[fold]
            return (AnyImageDataset(try SubsetDataset(all, indices: chosen.trainIndices)),
                    AnyImageDataset(try SubsetDataset(all, indices: chosen.testIndices)))
        }
    }

    private func resized<D: ImageDataset>(_ dataset: D, _ side: Int) throws -> AnyImageDataset {
        dataset.side == side ? AnyImageDataset(dataset) : AnyImageDataset(try ResizedDataset(dataset, side: side))
    }

    /// A seeded random share of the samples as the test part.
    private func holdOut(_ dataset: AnyImageDataset, share: Double, seed: UInt64) throws -> (train: AnyImageDataset, test: AnyImageDataset) {
        var generator = SeededGenerator(seed: seed &+ 0x5EED)
        let order = Array(0..<dataset.count).shuffled(using: &generator)
        let testCount = max(1, Int(Double(dataset.count) * share))
        return (AnyImageDataset(try SubsetDataset(dataset, indices: Array(order[testCount...]).sorted())),
                AnyImageDataset(try SubsetDataset(dataset, indices: Array(order[..<testCount]).sorted())))
    }
}

extension ImageDataset {
    /// A seeded random subset of at most `count` samples (all when count is nil or larger).
    public func limited(to count: Int?, seed: UInt64) throws -> AnyImageDataset {
        guard let count, count < self.count else { return AnyImageDataset(self) }
        var generator = SeededGenerator(seed: seed &+ 0x11A1)
        let chosen = Array(Array(0..<self.count).shuffled(using: &generator).prefix(max(1, count))).sorted()
        return AnyImageDataset(try SubsetDataset(self, indices: chosen))
    }
}
