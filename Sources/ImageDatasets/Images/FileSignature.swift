import Foundation

/// Names the kind of a file from its first bytes, in words, for the error about a file that
/// is not a PNG or JPEG. The bytes themselves are never put in a message: the file might be
/// anything the user can read (a password file listed in a manifest), and its content is no
/// business of an error message.
enum FileSignature {
    /// "a GIF image", "text", "data of an unknown format", ...
    static func describe(_ data: Data) -> String {
        let head = [UInt8](data.prefix(16))
        func starts(_ text: String) -> Bool { head.starts(with: Array(text.utf8)) }
        if starts("GIF87a") || starts("GIF89a") { return "a GIF image" }
        if starts("BM") && data.count > 14 { return "a BMP image" }
        if starts("RIFF") && head.count >= 12 && Array(head[8..<12]) == Array("WEBP".utf8) { return "a WebP image" }
        if starts("II*\u{0}") || starts("MM\u{0}*") { return "a TIFF image" }
        if head.count >= 12 && Array(head[4..<8]) == Array("ftyp".utf8) { return "an HEIF/AVIF or MP4 file" }
        if head.starts(with: [0x1F, 0x8B]) { return "gzip data" }
        if starts("%PDF") { return "a PDF document" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a ZIP archive" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "a PNG file with a damaged signature" }
        if head.starts(with: [0xFF, 0xD8]) { return "a JPEG file with a damaged signature" }
        let sample = data.prefix(512)
        let isText = !sample.isEmpty && sample.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || ($0 >= 0x20 && $0 != 0x7F) }
            && String(data: sample, encoding: .utf8) != nil
        return isText ? "text" : "data of an unknown format"
    }
}
