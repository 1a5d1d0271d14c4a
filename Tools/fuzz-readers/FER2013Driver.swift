import Foundation
import ImageDatasets

/// FER2013 CSV: `FER2013Reader.read(_:)` (accepted when it returns) and every sample, then
/// `readSplits` and one split with bad rows skipped.
final class FER2013Driver: ReaderDriver {
    let name = "fer2013"
    let calls = "FER2013Reader.read(_:), image(at:), readSplits(_:badSamples: .skip), read(_:usage: .privateTest, badSamples: .skip)"
    let seeds = SeedCorpus.fer2013()
    private let folder: WorkFolder

    init(folder: WorkFolder) { self.folder = folder }

    func prepare() throws {}

    func run(_ bytes: [UInt8], role: String) throws {
        let url = try folder.write(bytes, to: "fer2013.csv")
        _ = try? FER2013Reader.readSplits(url, badSamples: .skip)
        _ = try? FER2013Reader.read(url, usage: .privateTest, badSamples: .skip)
        let dataset = try FER2013Reader.read(url)
        for index in 0..<dataset.count { _ = try dataset.image(at: index) }
    }
}
