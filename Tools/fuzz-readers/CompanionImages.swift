import Foundation
import ImageDatasets

/// The valid images the CSV, CK+ and folder drivers' files point at.
enum CompanionImages {
    /// A 32x32 8-bit gray PNG.
    static func grayPNG(k: Int = 0) throws -> [UInt8] {
        Array(try PNGEncoder.encode(SeedCorpus.decodedImage(width: 32, height: 32, layout: .gray, bitDepth: 8, k: k)))
    }

    /// A 24x24 RGB JPEG.
    static func rgbJPEG() throws -> [UInt8] {
        Array(try JPEGEncoder.encode(SeedCorpus.decodedImage(width: 24, height: 24, layout: .rgb, bitDepth: 8, k: 2), quality: 85))
    }
}
