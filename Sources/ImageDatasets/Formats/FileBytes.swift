import Foundation

/// Reading whole files with errors that tell a missing file from an unreadable one.
enum FileBytes {
    /// The contents of `url`.
    /// - Parameter hint: said with a missing file (for example which package installs it).
    /// - Throws: ``DatasetError/missingFile(path:hint:)`` or ``DatasetError/unreadableFile(path:reason:)``.
    static func read(_ url: URL, hint: String = "") throws -> Data {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw DatasetError.missingFile(path: url.path, hint: hint)
        }
        guard !isFolder.boolValue else {
            throw DatasetError.unreadableFile(path: url.path, reason: "it is a folder, expected a file")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw DatasetError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Writes `data` to a temporary file beside `url`, then renames it over `url`, so a
    /// failed write never leaves a half-written file.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw DatasetError.unreadableFile(path: url.path, reason: "cannot be written: \(error.localizedDescription)")
        }
    }

    /// The text up to the first zero byte of a fixed-size C character array imported as a tuple.
    static func string<Tuple>(fromCString tuple: Tuple) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
