import Foundation
import ImageDatasets

/// IDX images and labels, plain or gzipped: `IDXDatasetReader.read(images:labels:classNames:)`
/// with one of the two files mutated (accepted when it returns), then every sample.
final class IDXDriver: ReaderDriver {
    let name = "idx"
    let calls = "IDXDatasetReader.read(images:labels:classNames:) (IDXFile, Gzip), image(at:) for every sample"
    let seeds: [Seed]
    private let folder: WorkFolder
    private let pristine: [String: [UInt8]]
    private static let classNames = (0..<10).map { "class \($0)" }

    init(folder: WorkFolder) throws {
        self.folder = folder
        seeds = try SeedCorpus.idx()
        pristine = ["images": try SeedCorpus.idxImages(), "labels": try SeedCorpus.idxLabels()]
    }

    func prepare() throws {}

    func run(_ bytes: [UInt8], role: String) throws {
        // The file that is not mutated is written afresh each time: the previous input
        // may have been that one.
        var files: [String: URL] = [:]
        for (fileRole, valid) in pristine {
            files[fileRole] = try folder.write(fileRole == role ? bytes : valid, to: "\(fileRole).idx")
        }
        let dataset = try IDXDatasetReader.read(images: files["images"]!, labels: files["labels"]!, classNames: Self.classNames)
        for index in 0..<dataset.count { _ = try dataset.image(at: index) }
    }
}
