import CJPEG
import Foundation

/// JPEG decoding through libjpeg-turbo: gray and YCbCr/RGB baseline and progressive files.
/// A file that ends early (libjpeg only warns and pads with gray) is a corrupt image here.
enum JPEGDecoder {
    /// - Throws: ``DatasetError/corruptImage(path:reason:)`` naming `path` and libjpeg's reason.
    static func decode(_ data: Data, path: String, maximumPixelCount: Int) throws -> DecodedImage {
        var result = fer_jpeg_result()
        let succeeded = data.withUnsafeBytes { raw -> Bool in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return false }
            return fer_jpeg_decode(base, UInt(raw.count), UInt(maximumPixelCount), &result) == 1
        }
        guard succeeded, let pixels = result.pixels else {
            let reason = data.isEmpty ? "the file is empty" : FileBytes.string(fromCString: result.message)
            throw DatasetError.corruptImage(path: path, reason: "JPEG: \(reason)")
        }
        defer { free(pixels) }
        let layout: DecodedImage.Layout = result.channels == 1 ? .gray : .rgb
        let count = Int(result.width) * Int(result.height) * layout.channels
        let samples = UnsafeBufferPointer(start: pixels, count: count).map { UInt16($0) }
        return try DecodedImage(width: Int(result.width), height: Int(result.height), layout: layout, bitDepth: 8, samples: samples)
    }
}
