import Foundation

/// Decodes PNG and JPEG files, recognised by their first bytes whatever their extension.
public enum ImageDecoder {
    /// Larger images are refused before any pixel memory is allocated (a corrupt header
    /// can claim billions of pixels). 100 megapixels is far above any face dataset.
    public static let maximumPixelCount = 100_000_000

    /// The file extensions image-folder readers pick up (lower case).
    public static let fileExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Decodes PNG or JPEG bytes; `path` names the source in errors.
    /// - Throws: ``DatasetError/corruptImage(path:reason:)`` when the bytes are neither
    ///   format, or are corrupt or truncated. The message says what was expected, the
    ///   file's size and what it looks like, in words; it never quotes the file's bytes.
    public static func decode(_ data: Data, path: String) throws -> DecodedImage {
        if data.starts(with: PNGDecoder.signature) {
            return try PNGDecoder.decode(data, path: path, maximumPixelCount: maximumPixelCount)
        }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) {
            return try JPEGDecoder.decode(data, path: path, maximumPixelCount: maximumPixelCount)
        }
        // Never the bytes themselves: the file may be anything (see FileSignature).
        throw DatasetError.corruptImage(
            path: path,
            reason: data.isEmpty ? "the file is empty (0 bytes), expected a PNG or JPEG file"
                : "not a PNG or JPEG file (\(data.count) bytes): it starts with neither signature and looks like \(FileSignature.describe(data))")
    }

    /// Reads and decodes the image file at `url`.
    /// - Throws: ``DatasetError/missingFile(path:hint:)``, ``DatasetError/unreadableFile(path:reason:)``
    ///   or ``DatasetError/corruptImage(path:reason:)``.
    public static func decodeFile(at url: URL) throws -> DecodedImage {
        try decode(FileBytes.read(url), path: url.path)
    }

    /// Reads the image file at `url` as grayscale in [0, 1] (see ``DecodedImage/grayscale()``).
    public static func grayImage(at url: URL) throws -> GrayImage {
        try decodeFile(at: url).grayscale()
    }
}
