import Foundation
import ImageDatasets

/// PNG or JPEG: `ImageDecoder.decodeFile(at:)` (accepted when it returns), then what the
/// loader does with a decoded image: grayscale, crop, resize.
final class ImageDecoderDriver: ReaderDriver {
    let name: String
    let calls = "ImageDecoder.decodeFile(at:), grayscale(), cropped(to:), resized(side:)"
    let seeds: [Seed]
    private let folder: WorkFolder

    init(name: String, seeds: [Seed], folder: WorkFolder) {
        self.name = name
        self.seeds = seeds
        self.folder = folder
    }

    func prepare() throws {}

    func run(_ bytes: [UInt8], role: String) throws {
        let url = try folder.write(bytes, to: "input." + ReaderCatalog.fileExtension(role: role))
        let decoded = try ImageDecoder.decodeFile(at: url)
        let gray = decoded.grayscale()
        _ = gray.cropped(to: FaceBox(x: 1, y: 1, width: Double(gray.width) / 2, height: Double(gray.height) / 2))
        _ = try gray.resized(side: 24)
        _ = try gray.resized(width: 3, height: 50)
    }
}
