import Foundation

/// The crash folder's file for the input in progress: written before the reader runs,
/// removed after it returns, so that a process that dies leaves exactly the input that
/// killed it. The name says how to run it again: READER--ROLE--seedS--inputN.EXT
/// (`fuzz-readers --replay FILE`).
struct Reproducer {
    let folder: URL
    /// Whether this round made the folder (then it is removed again when left empty).
    let created: Bool

    init(folder path: String) throws {
        folder = URL(fileURLWithPath: path, isDirectory: true)
        created = !FileManager.default.fileExists(atPath: folder.path)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw HarnessError(description: "cannot create the crash folder \(folder.path): \(error.localizedDescription)")
        }
    }

    static func fileName(reader: String, role: String, seed: UInt64, input: Int) -> String {
        "\(reader)--\(role)--seed\(seed)--input\(input).\(ReaderCatalog.fileExtension(role: role))"
    }

    /// The reader and role named by a reproducer's file name (a "hang--" prefix allowed).
    static func parse(fileName: String) -> (reader: String, role: String)? {
        var parts = fileName.components(separatedBy: "--")
        if parts.first == "hang" { parts.removeFirst() }
        guard parts.count >= 4, ReaderCatalog.names.contains(parts[0]) else { return nil }
        return (parts[0], parts[1])
    }

    func write(_ bytes: [UInt8], named name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        do {
            try Data(bytes).write(to: url)
        } catch {
            throw HarnessError(description: "cannot write the reproducer \(url.path): \(error.localizedDescription)")
        }
        return url
    }

    /// After a clean return.
    func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// Keeps a slow input as hang--NAME; returns where.
    func keepAsHang(_ url: URL) -> URL {
        let kept = folder.appendingPathComponent("hang--" + url.lastPathComponent)
        try? FileManager.default.removeItem(at: kept)
        try? FileManager.default.moveItem(at: url, to: kept)
        return kept
    }

    /// Removes the folder if this round made it and left nothing in it.
    func removeFolderIfEmpty() {
        if created, let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path), entries.isEmpty {
            try? FileManager.default.removeItem(at: folder)
        }
    }
}
