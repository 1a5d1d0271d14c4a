import Foundation
import ImageDatasets

/// AffectNet's annotation CSV over three valid images: `AffectNetReader.read` cropping to
/// the face boxes, every image decoded and cropped (accepted when both return); then with
/// a margin and bad rows skipped, and without cropping.
final class AffectNetDriver: ReaderDriver {
    let name = "affectnet"
    let calls = "AffectNetReader.read(annotations:imagesRoot:side:) + validated(.fail); faceMargin 0.2 + .skip; cropToFace false"
    let seeds = SeedCorpus.affectNet()
    private let folder: WorkFolder

    init(folder: WorkFolder) { self.folder = folder }

    func prepare() throws {
        try folder.write(CompanionImages.grayPNG(), to: "images/1/a.png")
        try folder.write(CompanionImages.rgbJPEG(), to: "images/1/b.jpg")
        try folder.write(CompanionImages.grayPNG(k: 5), to: "images/2/c.png")
    }

    func run(_ bytes: [UInt8], role: String) throws {
        let csv = try folder.write(bytes, to: "training.csv")
        let images = folder.url("images")
        _ = try? AffectNetReader.read(annotations: csv, imagesRoot: images, side: 16, faceMargin: 0.2, badSamples: .skip)
            .validated(policy: .skip)
        _ = try? AffectNetReader.read(annotations: csv, imagesRoot: images, side: 8, cropToFace: false, checkFilesExist: false)
            .validated(policy: .skip)
        _ = try AffectNetReader.read(annotations: csv, imagesRoot: images, side: 16).validated(policy: .fail)
    }
}
