import Foundation
import Tensors

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
/// The test part is numbered by the training part's classes, matched by name (a test folder
/// with fewer classes keeps the training indices); neither part may be empty. Manifest paths
/// must stay inside the manifest's folder unless ``allowPathsOutsideFolder`` is set.
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
    /// Let manifest rows name images outside the manifest's folder (absolute paths, `..`
    /// leading out, symbolic links pointing out); see ``ManifestReader``. Off by default.
    public var allowPathsOutsideFolder: Bool

    /// Parses the command-line form (see the type's documentation).
    public init(parsing text: String, fold: Int = 0, foldCount: Int = 10, skipBadSamples: Bool = false,
                allowPathsOutsideFolder: Bool = false) throws {
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
        self.allowPathsOutsideFolder = allowPathsOutsideFolder
    }

    private enum CodingKeys: String, CodingKey {
        case kind, paths, fold, foldCount, skipBadSamples, allowPathsOutsideFolder
    }

    /// Decodes a specification; one saved before ``allowPathsOutsideFolder`` existed keeps it off.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        paths = try container.decode([String].self, forKey: .paths)
        fold = try container.decode(Int.self, forKey: .fold)
        foldCount = try container.decode(Int.self, forKey: .foldCount)
        skipBadSamples = try container.decode(Bool.self, forKey: .skipBadSamples)
        allowPathsOutsideFolder = try container.decodeIfPresent(Bool.self, forKey: .allowPathsOutsideFolder) ?? false
    }

    public var description: String { ([kind.rawValue] + paths).joined(separator: ":") }

    /// The training and test parts at `side`; see ``loadParts(side:seed:)``, which also
    /// returns what the readers skipped.
    public func load(side: Int, seed: UInt64 = 0) throws -> (train: AnyImageDataset, test: AnyImageDataset) {
        let parts = try loadParts(side: side, seed: seed)
        return (parts.train, parts.test)
    }

    /// The training and test parts at `side`, with the report of the samples the readers
    /// left out under ``skipBadSamples``.
    ///
    /// The test part is numbered by the training part's classes, matched by name, whatever
    /// classes it has itself and in whatever order (a test folder with fewer classes, a test
    /// manifest whose labels sort differently). Both parts take the training part's class list.
    /// - Throws: ``DatasetError`` from the readers;
    ///   ``DatasetError/unknownClass(path:found:expected:reference:)`` naming a test class the
    ///   training part lacks and the test folder or file;
    ///   ``DatasetError/invalidArgument(operation:message:)`` when either part is empty.
    public func loadParts(side: Int, seed: UInt64 = 0) throws -> DatasetParts {
        let policy: BadSamplePolicy = skipBadSamples ? .skip : .fail
        let url = { (i: Int) in URL(fileURLWithPath: self.paths[i]) }
        let parts: DatasetParts
        switch kind {
        case .fashionMNIST:
            let directory = paths.first.map { URL(fileURLWithPath: $0) } ?? FashionMNIST.defaultDirectory
            parts = DatasetParts(train: try resized(FashionMNIST.load(.train, from: directory), side),
                                 test: try resized(FashionMNIST.load(.test, from: directory), side))
        case .fer2013:
            let splits = try FER2013Reader.readSplits(url(0), badSamples: policy)
            let testUsage: FER2013Reader.Usage = paths.count > 1 && paths[1] == "public" ? .publicTest : .privateTest
            guard let train = splits[.training], let test = splits[testUsage] else {
                throw DatasetError.invalidArgument(operation: "fer2013", message: "\(paths[0]) has no Training or \(testUsage.rawValue) rows")
            }
            // Every split carries the report of the whole file: count it once.
            parts = DatasetParts(train: try resized(train, side), test: try resized(test, side), skipped: train.skipped)
        case .affectnet:
            let root = url(2)
            let train = try AffectNetReader.read(annotations: url(0), imagesRoot: root, side: side, badSamples: policy)
            let test = try AffectNetReader.read(annotations: url(1), imagesRoot: root, side: side, badSamples: policy)
            var skipped = train.skipped
            skipped.merge(test.skipped)
            parts = DatasetParts(train: AnyImageDataset(train), test: AnyImageDataset(test), skipped: skipped)
        case .folder, .manifest:
            let read = { (path: URL) throws -> FileImageDataset in
                self.kind == .folder ? try ImageFolderReader.read(path, side: side, badSamples: policy)
                                     : try ManifestReader.read(path, side: side, allowPathsOutsideFolder: self.allowPathsOutsideFolder,
                                                               badSamples: policy)
            }
            let train = try read(url(0))
            if paths.count > 1 {
                let test = try read(url(1))
                var skipped = train.skipped
                skipped.merge(test.skipped)
                parts = DatasetParts(train: AnyImageDataset(train), test: AnyImageDataset(test), skipped: skipped)
            } else {
                let (trainPart, testPart) = try holdOut(AnyImageDataset(train), share: 0.1, seed: seed)
                parts = DatasetParts(train: trainPart, test: testPart, skipped: train.skipped)
            }
        case .ckplus, .oulu:
            let all = kind == .ckplus ? try CKPlusReader.read(url(0), side: side, badSamples: policy)
                                      : try OuluCASIAReader.read(url(0), side: side, badSamples: policy)
            let folds = try SubjectFolds.make(dataset: all, foldCount: foldCount, seed: seed)
            let chosen = folds[fold]
            parts = DatasetParts(train: AnyImageDataset(try SubsetDataset(all, indices: chosen.trainIndices)),
                                 test: AnyImageDataset(try SubsetDataset(all, indices: chosen.testIndices)), skipped: all.skipped)
        }
        return try checked(aligned(parts))
    }

    /// The test part numbered by the training part's classes (see ``ClassAlignment``).
    private func aligned(_ parts: DatasetParts) throws -> DatasetParts {
        guard parts.test.classNames != parts.train.classNames else { return parts }
        let testSource = paths.count > 1 && (kind == .folder || kind == .manifest) ? paths[1] : description
        let reference = kind == .fashionMNIST || paths.isEmpty ? "the training part" : "the training part \(paths[0])"
        let test = try parts.test.aligned(toClasses: parts.train.classNames, source: testSource, reference: reference)
        return DatasetParts(train: parts.train, test: AnyImageDataset(test), skipped: parts.skipped)
    }

    /// Neither part may be empty: an empty test part would report 0% and succeed.
    private func checked(_ parts: DatasetParts) throws -> DatasetParts {
        for (name, part) in [("training", parts.train), ("test", parts.test)] where part.count == 0 {
            throw DatasetError.invalidArgument(operation: "--data", message: "the \(name) part of \(description) has no samples")
        }
        return parts
    }

    private func resized<D: ImageDataset>(_ dataset: D, _ side: Int) throws -> AnyImageDataset {
        dataset.side == side ? AnyImageDataset(dataset) : AnyImageDataset(try ResizedDataset(dataset, side: side))
    }

    /// A seeded random share of the samples as the test part.
    private func holdOut(_ dataset: AnyImageDataset, share: Double, seed: UInt64) throws -> (train: AnyImageDataset, test: AnyImageDataset) {
        guard dataset.count >= 2 else {
            throw DatasetError.invalidArgument(
                operation: "--data",
                message: "\(paths[0]) has \(dataset.count) usable sample; holding out a test part needs at least 2 (or give a test part: \(kind.rawValue):TRAIN:TEST)")
        }
        var generator = SeededGenerator(seed: seed &+ 0x5EED)
        let order = Array(0..<dataset.count).shuffled(using: &generator)
        let testCount = max(1, Int(Double(dataset.count) * share))
        return (AnyImageDataset(try SubsetDataset(dataset, indices: Array(order[testCount...]).sorted())),
                AnyImageDataset(try SubsetDataset(dataset, indices: Array(order[..<testCount]).sorted())))
    }
}
