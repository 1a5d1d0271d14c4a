import CPNG
import Foundation

/// PNG decoding through libpng: 1-16 bit gray, gray+alpha, RGB, RGBA and palette images.
///
/// Samples come back as stored, without gamma correction (as OpenCV and PIL read them):
/// 1, 2 and 4-bit gray and palettes are expanded to 8 bits, tRNS to an alpha channel.
enum PNGDecoder {
    /// The 8-byte signature every PNG starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// - Throws: ``DatasetError/corruptImage(path:reason:)`` naming `path` and libpng's reason.
    static func decode(_ data: Data, path: String, maximumPixelCount: Int) throws -> DecodedImage {
        var result = fer_png_result()
        let succeeded = data.withUnsafeBytes { raw -> Bool in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return false }
            return fer_png_decode(base, raw.count, UInt(maximumPixelCount), &result) == 1
        }
        guard succeeded, let pixels = result.pixels else {
            let reason = data.isEmpty ? "the file is empty" : FileBytes.string(fromCString: result.message)
            throw DatasetError.corruptImage(path: path, reason: "PNG: \(reason)")
        }
        defer { free(pixels) }
        guard let layout = DecodedImage.Layout(rawValue: Int(result.channels)) else {
            throw DatasetError.corruptImage(path: path, reason: "PNG: unexpected \(result.channels) channels after expansion")
        }
        let count = Int(result.width) * Int(result.height) * layout.channels
        let samples: [UInt16]
        if result.bit_depth == 16 {
            samples = pixels.withMemoryRebound(to: UInt16.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
        } else {
            samples = UnsafeBufferPointer(start: pixels, count: count).map { UInt16($0) }
        }
        return try DecodedImage(width: Int(result.width), height: Int(result.height), layout: layout,
                                bitDepth: Int(result.bit_depth), samples: samples)
    }
}
