import Foundation
import NeuralNetworks

/// The folder a run writes: `config.json` (every setting), `metrics.jsonl` (one JSON object
/// per epoch, appended and flushed as it goes), `checkpoints/` (atomic writes: `last` is
/// always a complete file) and `pictures/`.
public struct RunFolder: Sendable {
    public let url: URL
    public var configuration: URL { url.appendingPathComponent("config.json") }
    public var metrics: URL { url.appendingPathComponent("metrics.jsonl") }
    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    public var pictures: URL { url.appendingPathComponent("pictures") }
    /// The checkpoint a resumed run continues from.
    public var lastCheckpoint: URL { checkpoints.appendingPathComponent("last.safetensors") }
    /// Held by a folder opened to write a run (``create(at:overwrite:)``,
    /// ``open(existing:writing:)``): no other process can write it meanwhile.
    let writeLock: RunFolderLock?

    /// Creates the folder (and its subfolders) if needed, with no check of what it holds.
    /// Programs should use ``create(at:overwrite:)`` for a new run and
    /// ``open(existing:writing:)`` to read or continue one.
    public init(url: URL) throws {
        self.url = url
        self.writeLock = nil
        try makeSubfolders()
    }

    private init(checkedURL url: URL, writeLock: RunFolderLock? = nil) {
        self.url = url
        self.writeLock = writeLock
    }

    private func makeSubfolders() throws {
        do {
            for folder in [url, checkpoints, pictures] {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
        } catch {
            throw TensorError.malformedFile(path: url.path, message: "cannot create the run folder: \(error.localizedDescription)")
        }
    }

    /// The file in which a `fer train` run keeps its training labels after noise injection.
    public static let noisyLabelsName = "noisy-labels.json"

    /// Files and folders a run writes; ``create(at:overwrite:)`` removes exactly these.
    public static let runEntries = ["config.json", "data.json", "metrics.jsonl", "checkpoints", "pictures", "model.safetensors",
                                    "autoencoder.safetensors", "evaluation.json", "classes.json", "autoencoder-path.txt", noisyLabelsName]

    /// Whether `url` holds a run's files (a configuration, metrics or a checkpoint).
    public static func holdsRun(_ url: URL) -> Bool {
        ["config.json", "metrics.jsonl", "checkpoints/last.safetensors"].contains {
            FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path)
        }
    }

    /// The folder of a new run. A folder that already holds a run, or any other files, is
    /// refused unless `overwrite` is set: then the previous run's files (``runEntries``)
    /// are deleted first, so nothing of it can be resumed or mixed into the new one; files
    /// that are not a run's are left alone. A folder that another process is writing (its
    /// advisory lock is taken) is refused before anything in it is judged or deleted; the
    /// returned folder holds that lock while it, or a copy of it, is alive.
    public static func create(at url: URL, overwrite: Bool) throws -> RunFolder {
        guard !url.path.isEmpty, url.path != "/" else {
            throw TensorError.invalidArgument(op: "run folder", message: "give a folder for the run (an empty path would write into the current folder)")
        }
        var isFolder: ObjCBool = false
        var writeLock: RunFolderLock?
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw TensorError.invalidArgument(op: "run folder", message: "\(url.path) is a file, not a folder")
            }
            // Before anything is judged or deleted: a run that another process still writes is refused.
            writeLock = try RunFolderLock.acquire(url)
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            if holdsRun(url) {
                guard overwrite else {
                    throw TensorError.invalidArgument(
                        op: "run folder",
                        message: "\(url.path) already holds a run (\(describeRun(at: url))); continue it with --resume \(url.path), or give --overwrite to delete it and start again")
                }
                for entry in runEntries {
                    let item = url.appendingPathComponent(entry)
                    if FileManager.default.fileExists(atPath: item.path) {
                        do { try FileManager.default.removeItem(at: item) } catch {
                            throw TensorError.malformedFile(path: item.path, message: "cannot delete the previous run's file: \(error.localizedDescription)")
                        }
                    }
                }
            } else {
                // What a run killed before it wrote config.json leaves (its data options, labels,
                // autoencoder pointer and empty subfolders) holds nothing to lose: such a folder
                // is taken again, and those files are deleted, so that none of them outlives
                // into a run that would not write it. Anything else is someone's data: never deleted.
                let foreign = contents.filter { !AtomicFile.isTemporaryName($0) && !isUnstartedRunEntry($0, in: url) }.sorted()
                if !foreign.isEmpty && !overwrite {
                    throw TensorError.invalidArgument(
                        op: "run folder",
                        message: "\(url.path) is not empty and holds no run (\(foreign.count) entries, e.g. \(foreign[0])); choose a new folder, or give --overwrite to write the run beside those files")
                }
                for entry in contents where isUnstartedRunEntry(entry, in: url) && !["checkpoints", "pictures"].contains(entry) {
                    let item = url.appendingPathComponent(entry)
                    do { try FileManager.default.removeItem(at: item) } catch {
                        throw TensorError.malformedFile(path: item.path, message: "cannot delete the unstarted run's file: \(error.localizedDescription)")
                    }
                }
            }
        }
        try RunFolder(checkedURL: url).makeSubfolders()
        let folder = RunFolder(checkedURL: url, writeLock: try writeLock ?? RunFolderLock.acquire(url))
        folder.removeStaleTemporaries()
        return folder
    }

    /// Files a run writes before its config.json: data options, the autoencoder pointer, the
    /// noisy training labels, and the subfolders while still empty.
    static func isUnstartedRunEntry(_ name: String, in url: URL) -> Bool {
        switch name {
        case "data.json", "autoencoder-path.txt", noisyLabelsName: return true
        case "checkpoints", "pictures":
            return (try? FileManager.default.contentsOfDirectory(atPath: url.appendingPathComponent(name).path))?.isEmpty ?? false
        default: return false
        }
    }

    /// An existing run's folder, for reading or continuing: nothing is created when the
    /// folder or its configuration is missing.
    /// - Parameters:
    ///   - url: the run's folder, as made by ``create(at:overwrite:)``.
    ///   - writing: the caller continues the run (the only writer): it takes the folder's
    ///     write lock (refused while another process writes the run), and temporary files
    ///     of killed writes are removed. A reader takes no lock and leaves them, since a run
    ///     in progress in another process may be writing one at this moment.
    public static func open(existing url: URL, writing: Bool = false) throws -> RunFolder {
        var isFolder: ObjCBool = false
        guard !url.path.isEmpty, FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw TensorError.malformedFile(path: url.path, message: "no such run folder")
        }
        guard FileManager.default.fileExists(atPath: RunFolder(checkedURL: url).configuration.path) else {
            throw TensorError.malformedFile(path: url.path, message: "not a run folder (it has no config.json)")
        }
        guard writing else { return RunFolder(checkedURL: url) }
        // The only writer: refused while another process writes the run.
        let folder = RunFolder(checkedURL: url, writeLock: try RunFolderLock.acquire(url))
        try folder.makeSubfolders()
        folder.removeStaleTemporaries()
        return folder
    }

    /// Deletes temporary files of writes that a killed process left behind.
    @discardableResult
    public func removeStaleTemporaries() -> [URL] {
        AtomicFile.removeStaleTemporaries(in: url) + AtomicFile.removeStaleTemporaries(in: checkpoints)
    }

    /// Lines of the metrics.jsonl in `url`: the epochs recorded (0 when there is none).
    static func recordedEpochs(at url: URL) -> Int {
        (FileManager.default.contents(atPath: url.appendingPathComponent("metrics.jsonl").path) ?? Data())
            .split(separator: UInt8(ascii: "\n")).count
    }

    /// "2 epochs recorded in metrics.jsonl" or "no epoch done yet".
    static func describeRun(at url: URL) -> String {
        let lines = recordedEpochs(at: url)
        return lines == 0 ? "no epoch done yet" : "\(lines) epoch\(lines == 1 ? "" : "s") recorded in metrics.jsonl"
    }

    /// A fingerprint of the run's config.json, data.json and, where the run saved one,
    /// noisy-labels.json (FNV-1a, 64 bits): stored in every checkpoint, so a resumed run
    /// refuses a checkpoint written under other settings or labels. A run without the labels
    /// file (no noise, or written before the file existed) keeps the fingerprint it had.
    public func fingerprint() -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var files = [configuration, url.appendingPathComponent("data.json")]
        let labels = url.appendingPathComponent(Self.noisyLabelsName)
        if FileManager.default.fileExists(atPath: labels.path) { files.append(labels) }
        for file in files {
            for byte in FileManager.default.contents(atPath: file.path) ?? Data() {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Checks a checkpoint's progress record against the run before anything is restored:
    /// epoch counts in range, and the fingerprint of the settings it was written under.
    public static func checkProgress(completedEpochs: Int, position: Int?, epochs: Int, fingerprint: String?, folder: RunFolder) throws {
        let path = folder.lastCheckpoint.path
        guard completedEpochs >= 0, completedEpochs <= epochs else {
            throw TensorError.malformedFile(path: path, message: "its progress record says \(completedEpochs) epochs are done, outside 0...\(epochs): the checkpoint is corrupt")
        }
        if let position, position < 0 {
            throw TensorError.malformedFile(path: path, message: "its progress record says \(position) steps are done: the checkpoint is corrupt")
        }
        if let fingerprint, fingerprint != folder.fingerprint() {
            throw TensorError.malformedFile(path: path, message: "this checkpoint was written under other settings than the folder's config.json and data.json (and noisy-labels.json, where the run saved its labels): they changed since, or the checkpoint belongs to another run; start a new run with --run, or --overwrite this one")
        }
    }

    /// Writes the configuration (pretty, sorted keys) atomically.
    public func writeConfiguration<T: Encodable>(_ configuration: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(encoder.encode(configuration), to: self.configuration)
    }

    /// Reads the configuration back (for `--resume`).
    public func readConfiguration<T: Decodable>(_ type: T.Type) throws -> T {
        guard let data = FileManager.default.contents(atPath: configuration.path) else {
            throw TensorError.malformedFile(path: configuration.path, message: "missing: is this a run folder?")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw TensorError.malformedFile(path: configuration.path, message: "not a valid configuration: \(error)")
        }
    }

    /// Appends one JSON line to `metrics.jsonl`.
    public func appendMetrics<T: Encodable>(_ record: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        if !FileManager.default.fileExists(atPath: metrics.path) {
            guard FileManager.default.createFile(atPath: metrics.path, contents: nil) else {
                throw TensorError.malformedFile(path: metrics.path, message: "cannot create")
            }
        }
        guard let handle = try? FileHandle(forWritingTo: metrics) else {
            throw TensorError.malformedFile(path: metrics.path, message: "cannot open for appending")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    /// Every line of `metrics.jsonl` decoded, in order (an empty list when there is none).
    public func readMetrics<T: Decodable>(_ type: T.Type) throws -> [T] {
        guard let data = FileManager.default.contents(atPath: metrics.path) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).enumerated().map { index, line in
            do { return try JSONDecoder().decode(T.self, from: Data(line)) } catch {
                throw TensorError.malformedFile(path: "\(metrics.path):\(index + 1)", message: "not a metrics record: \(error)")
            }
        }
    }

    /// Keeps only the first `count` lines of `metrics.jsonl`: a resumed run drops the records
    /// of epochs that finished after its checkpoint was written.
    public func truncateMetrics(toLines count: Int) throws {
        guard count >= 0 else {
            throw TensorError.malformedFile(path: metrics.path, message: "cannot keep \(count) lines (the checkpoint's epoch count is corrupt)")
        }
        guard let data = FileManager.default.contents(atPath: metrics.path) else { return }
        let lines = data.split(separator: UInt8(ascii: "\n")).prefix(count)
        var kept = Data()
        for line in lines { kept.append(contentsOf: line); kept.append(UInt8(ascii: "\n")) }
        try write(kept, to: metrics)
    }

    private func write(_ data: Data, to file: URL) throws {
        try AtomicFile.write(data, to: file)
    }
}
