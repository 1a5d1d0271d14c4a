import Foundation

/// One reader under test: its seeds, the valid files it needs beside the mutant, and how
/// to run it. `run` throws when the reader rejects the input (any thrown error counts as a
/// clean rejection); a trap, abort or signal inside it ends the process, which leaves the
/// reproducer in the crash folder.
protocol ReaderDriver: AnyObject {
    /// The name used with `--readers` and in reports.
    var name: String { get }
    /// What `run` calls, for `--list` and the summary.
    var calls: String { get }
    var seeds: [Seed] { get }
    /// Writes the companion files (images a CSV names, the other IDX file) once.
    func prepare() throws
    /// Runs the reader with `bytes` as its file of `role`.
    func run(_ bytes: [UInt8], role: String) throws
}

/// A failure of the harness itself (a file it cannot write), as opposed to a reader's
/// rejection of an input: it stops the round.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
}

/// A driver's private folder, under the round's temporary folder.
struct WorkFolder {
    let root: URL

    init(parent: URL, name: String) throws {
        root = parent.appendingPathComponent(name, isDirectory: true)
        try create(root)
    }

    func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// Writes `bytes` at `relativePath`, creating folders; a failure is a harness error.
    @discardableResult
    func write(_ bytes: [UInt8], to relativePath: String) throws -> URL {
        let target = url(relativePath)
        try create(target.deletingLastPathComponent())
        do {
            try Data(bytes).write(to: target)
        } catch {
            throw HarnessError(description: "cannot write \(target.path): \(error.localizedDescription)")
        }
        return target
    }

    private func create(_ folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw HarnessError(description: "cannot create \(folder.path): \(error.localizedDescription)")
        }
    }
}

/// Every driver, in the order rounds run them.
enum ReaderCatalog {
    static let names = ["safetensors", "png", "jpeg", "idx", "fer2013", "affectnet", "manifest", "ckplus", "folder"]

    static func make(_ name: String, in parent: URL) throws -> any ReaderDriver {
        switch name {
        case "safetensors": return try SafeTensorsDriver(folder: WorkFolder(parent: parent, name: name))
        case "png": return try ImageDecoderDriver(name: name, seeds: SeedCorpus.png(), folder: WorkFolder(parent: parent, name: name))
        case "jpeg": return try ImageDecoderDriver(name: name, seeds: SeedCorpus.jpeg(), folder: WorkFolder(parent: parent, name: name))
        case "idx": return try IDXDriver(folder: WorkFolder(parent: parent, name: name))
        case "fer2013": return try FER2013Driver(folder: WorkFolder(parent: parent, name: name))
        case "affectnet": return try AffectNetDriver(folder: WorkFolder(parent: parent, name: name))
        case "manifest": return try ManifestDriver(folder: WorkFolder(parent: parent, name: name))
        case "ckplus": return try CKPlusDriver(folder: WorkFolder(parent: parent, name: name))
        case "folder": return try ImageFolderDriver(folder: WorkFolder(parent: parent, name: name))
        default: throw HarnessError(description: "unknown reader \"\(name)\"; known: \(names.joined(separator: ", "))")
        }
    }

    /// The file extension a reproducer of `role` gets, so it opens in the right viewer.
    static func fileExtension(role: String) -> String {
        switch role {
        case "png": return "png"
        case "jpeg": return "jpg"
        case "safetensors": return "safetensors"
        case "images", "labels": return "idx"
        case "csv": return "csv"
        default: return "txt"
        }
    }
}
