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
        try checkChunkLengths(data, path: path)
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

    /// Refuses a chunk whose declared length runs past the end of the file, before libpng
    /// sees it: libpng allocates and zeroes an ancillary chunk's declared length before
    /// reading it, so a 245-byte file declaring a 2 GB tEXt chunk cost 2 GB and seconds.
    /// Stops at IEND; anything else is left to libpng.
    static func checkChunkLengths(_ data: Data, path: String) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var position = signature.count
            while position + 8 <= raw.count {
                let length = raw[position ..< position + 4].reduce(0) { $0 << 8 | Int($1) }
                let typeBytes = raw[position + 4 ..< position + 8]
                let type = String(typeBytes.map { (0x20...0x7E).contains($0) ? Character(Unicode.Scalar($0)) : "?" })
                let following = raw.count - position - 8  // after the length and type fields
                guard length <= following - 4 else {
                    throw DatasetError.corruptImage(
                        path: path, reason: "PNG: chunk \"\(type)\" at byte \(position) declares \(length) data bytes, but only "
                            + "\(following) bytes (data and 4-byte CRC) follow its type (truncated or corrupt)")
                }
                if type == "IEND" { return }
                position += 12 + length
            }
        }
    }
}
