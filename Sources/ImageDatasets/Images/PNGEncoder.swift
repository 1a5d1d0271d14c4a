import CZlib
import Foundation

/// PNG encoding of any ``DecodedImage`` layout at 8 or 16 bits, and of ``GrayImage``s for pictures.
///
/// Written directly (signature, IHDR, one zlib-compressed IDAT, IEND) rather than through
/// libpng's simplified writer, because that writer treats 16-bit data as linear light and
/// premultiplies it by alpha: here the samples are stored exactly as given.
public enum PNGEncoder {
    /// zlib level 6, zlib's own default: a fair balance of size and speed.
    public static let compressionLevel: Int32 = 6

    /// The PNG file of `image`, samples stored exactly.
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a side over 2^31 - 1, or if zlib fails.
    public static func encode(_ image: DecodedImage) throws -> Data {
        guard image.width <= Int(Int32.max), image.height <= Int(Int32.max) else {
            throw DatasetError.invalidArgument(operation: "PNGEncoder", message: "PNG sides are at most 2^31 - 1, got \(image.width)x\(image.height)")
        }
        let bytesPerSample = image.bitDepth / 8
        let rowBytes = image.width * image.layout.channels * bytesPerSample
        // Each row starts with its filter type; 0 (None) keeps encoding simple and exact.
        var scanlines = [UInt8](repeating: 0, count: image.height * (rowBytes + 1))
        var sampleIndex = 0
        for y in 0..<image.height {
            var offset = y * (rowBytes + 1) + 1
            for _ in 0..<(image.width * image.layout.channels) {
                let value = image.samples[sampleIndex]
                sampleIndex += 1
                if bytesPerSample == 2 {
                    scanlines[offset] = UInt8(value >> 8)  // PNG is big-endian
                    scanlines[offset + 1] = UInt8(value & 0xFF)
                } else {
                    scanlines[offset] = UInt8(min(value, 255))
                }
                offset += bytesPerSample
            }
        }
        var header = Data()
        header.appendBigEndian(UInt32(image.width))
        header.appendBigEndian(UInt32(image.height))
        header.append(UInt8(image.bitDepth))
        header.append(colorType(image.layout))
        header.append(contentsOf: [0, 0, 0])  // deflate, adaptive filtering, no interlace
        var file = Data(PNGDecoder.signature)
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", try deflate(scanlines), to: &file)
        appendChunk("IEND", Data(), to: &file)
        return file
    }

    /// An 8-bit gray PNG of `image`; values are clamped to [0, 1] and rounded to 0...255.
    public static func encode(_ image: GrayImage) throws -> Data {
        let samples = image.pixels.map { value -> UInt16 in
            guard value.isFinite else { return 0 }
            return UInt16((min(max(value, 0), 1) * 255).rounded())
        }
        return try encode(DecodedImage(width: image.width, height: image.height, layout: .gray, bitDepth: 8, samples: samples))
    }

    /// Writes `image` as an 8-bit gray PNG; the write is atomic.
    public static func write(_ image: GrayImage, to url: URL) throws {
        try FileBytes.writeAtomically(encode(image), to: url)
    }

    private static func colorType(_ layout: DecodedImage.Layout) -> UInt8 {
        switch layout {
        case .gray: return 0
        case .grayAlpha: return 4
        case .rgb: return 2
        case .rgba: return 6
        }
    }

    static func appendChunk(_ type: String, _ body: Data, to file: inout Data) {
        var typed = Data(type.utf8)
        typed.append(body)
        file.appendBigEndian(UInt32(body.count))
        file.append(typed)
        let checksum = typed.withUnsafeBytes { raw in
            crc32(0, raw.bindMemory(to: UInt8.self).baseAddress, UInt32(raw.count))
        }
        file.appendBigEndian(UInt32(checksum))
    }

    static func deflate(_ bytes: [UInt8]) throws -> Data {
        var capacity = compressBound(UInt(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = compress2(&output, &capacity, bytes, UInt(bytes.count), compressionLevel)
        guard status == Z_OK else {
            throw DatasetError.invalidArgument(operation: "PNGEncoder", message: "zlib compress2 failed with status \(status)")
        }
        return Data(output.prefix(Int(capacity)))
    }
}

extension Data {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}
