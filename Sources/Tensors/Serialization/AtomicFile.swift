import Foundation

/// Whole-file writes that never leave a half-written file: the bytes go to a temporary
/// file beside the target (`.NAME.UUID.tmp`), are flushed to disk, and are renamed over it.
/// A process killed mid-write leaves at most such a temporary file, which
/// ``removeStaleTemporaries(in:)`` clears when the folder is next opened.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    /// - Throws: ``TensorError/malformedFile(path:message:)`` when the file cannot be written;
    ///   an existing file at `url` is then left untouched and the temporary file removed.
    public static func write(_ data: Data, to url: URL) throws {
        let path = url.path
        guard url.isFileURL else {
            throw TensorError.malformedFile(path: url.absoluteString, message: "can only write to a file URL")
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        var renamed = false
        defer {
            if !renamed { try? FileManager.default.removeItem(at: temporary) }
        }
        do {
            try data.write(to: temporary, options: .withoutOverwriting)
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.synchronize()
        } catch {
            throw TensorError.malformedFile(
                path: path, message: "cannot write the temporary file \(temporary.path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, path) == 0 else {
            let code = errno
            throw TensorError.malformedFile(
                path: path, message: "cannot move the temporary file into place: \(String(cString: strerror(code)))")
        }
        renamed = true
    }

    /// Whether `name` has the form of this type's temporary files.
    public static func isTemporaryName(_ name: String) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(".tmp") && name.count > 5
    }

    /// Deletes the temporary files that killed writes left directly in `directory`; returns
    /// what it deleted. Call it only where no other process is writing.
    @discardableResult
    public static func removeStaleTemporaries(in directory: URL) -> [URL] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var removed: [URL] = []
        for name in names where isTemporaryName(name) {
            let url = directory.appendingPathComponent(name)
            if (try? FileManager.default.removeItem(at: url)) != nil { removed.append(url) }
        }
        return removed
    }
}
