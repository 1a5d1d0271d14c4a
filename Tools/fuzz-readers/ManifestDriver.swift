import Foundation
import ImageDatasets

/// A manifest CSV over three valid images: `ManifestReader.read` with every image decoded
/// (accepted when both return); then with given class names and bad rows skipped.
final class ManifestDriver: ReaderDriver {
    let name = "manifest"
    let calls = "ManifestReader.read(_:side:) + validated(.fail); classNames [happy, sad] + .skip"
    let seeds = SeedCorpus.manifest()
    private let folder: WorkFolder

    init(folder: WorkFolder) { self.folder = folder }

    func prepare() throws {
        try folder.write(CompanionImages.grayPNG(), to: "images/a.png")
        try folder.write(CompanionImages.rgbJPEG(), to: "images/b.jpg")
        try folder.write(CompanionImages.grayPNG(k: 3), to: "images/sub dir/c.png")
    }

    func run(_ bytes: [UInt8], role: String) throws {
        let manifest = try folder.write(bytes, to: "manifest.csv")
        _ = try? ManifestReader.read(manifest, side: 12, classNames: ["happy", "sad"], badSamples: .skip).validated(policy: .skip)
        _ = try ManifestReader.read(manifest, side: 16).validated(policy: .fail)
    }
}
