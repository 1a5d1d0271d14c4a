import CJPEG
import Foundation

/// JPEG encoding of 8-bit gray and RGB images through libjpeg-turbo (tests and pictures).
public enum JPEGEncoder {
    /// The JPEG file of `image` at `quality` (1-100).
    /// - Throws: ``DatasetError/invalidArgument(operation:message:)`` for a 16-bit image, an
    ///   alpha channel, a side over 65500, a quality outside 1-100, or a libjpeg failure.
    public static func encode(_ image: DecodedImage, quality: Int = 90) throws -> Data {
        guard image.bitDepth == 8, image.layout == .gray || image.layout == .rgb else {
            throw DatasetError.invalidArgument(
                operation: "JPEGEncoder", message: "expected an 8-bit gray or RGB image, got \(image.bitDepth)-bit \(image.layout)")
        }
        guard image.width <= 65_500, image.height <= 65_500 else {
            throw DatasetError.invalidArgument(operation: "JPEGEncoder", message: "JPEG sides are at most 65500, got \(image.width)x\(image.height)")
        }
        guard (1...100).contains(quality) else {
            throw DatasetError.invalidArgument(operation: "JPEGEncoder", message: "quality must be in 1...100, got \(quality)")
        }
        let bytes = image.samples.map { UInt8(min($0, 255)) }
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = fer_jpeg_encode(bytes, Int32(image.width), Int32(image.height), Int32(image.layout.channels),
                                     Int32(quality), &output, &size, &message)
        guard status == 1, let output else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DatasetError.invalidArgument(operation: "JPEGEncoder", message: "libjpeg failed: \(reason)")
        }
        defer { free(output) }
        return Data(bytes: output, count: Int(size))
    }
}
