import Foundation
import ImageDatasets

/// A class-folder tree (`happy/`, `sad/`) holding valid images and one mutated PNG or
/// JPEG: `ImageFolderReader.read` with every image decoded (accepted when both return);
/// then with bad samples skipped and CK+ file-name annotations.
final class ImageFolderDriver: ReaderDriver {
    let name = "folder"
    let calls = "ImageFolderReader.read(_:side:) + validated(.fail); annotate .ckPlus + .skip"
    let seeds: [Seed]
    private let folder: WorkFolder

    init(folder: WorkFolder) throws {
        self.folder = folder
        // A few of the image seeds are enough: the decoders have drivers of their own.
        let png = try SeedCorpus.png(), jpeg = try SeedCorpus.jpeg()
        seeds = [png[0], png[3], png[6], jpeg[0], jpeg[1]]
    }

    func prepare() throws {
        try folder.write(CompanionImages.grayPNG(), to: "tree/happy/S001_001_00000001.png")
        try folder.write(CompanionImages.rgbJPEG(), to: "tree/happy/S001_001_00000002.jpg")
        try folder.write(CompanionImages.grayPNG(k: 4), to: "tree/sad/S002_001_00000001.png")
    }

    func run(_ bytes: [UInt8], role: String) throws {
        // The previous input may have had the other extension: only one mutant at a time.
        for imageRole in ["png", "jpeg"] {
            try? FileManager.default.removeItem(at: folder.url("tree/sad/S002_001_00000009." + ReaderCatalog.fileExtension(role: imageRole)))
        }
        try folder.write(bytes, to: "tree/sad/S002_001_00000009." + ReaderCatalog.fileExtension(role: role))
        let root = folder.url("tree")
        _ = try? ImageFolderReader.read(root, side: 12, annotate: FileNameAnnotation.ckPlus, badSamples: .skip).validated(policy: .skip)
        _ = try ImageFolderReader.read(root, side: 16).validated(policy: .fail)
    }
}
