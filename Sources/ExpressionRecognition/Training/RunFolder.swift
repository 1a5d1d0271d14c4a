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

    /// Creates the folder (and its subfolders) if needed.
    public init(url: URL) throws {
        self.url = url
        do {
            for folder in [url, checkpoints, pictures] {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
        } catch {
            throw TensorError.malformedFile(path: url.path, message: "cannot create the run folder: \(error.localizedDescription)")
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
        guard let data = FileManager.default.contents(atPath: metrics.path) else { return }
        let lines = data.split(separator: UInt8(ascii: "\n")).prefix(count)
        var kept = Data()
        for line in lines { kept.append(contentsOf: line); kept.append(UInt8(ascii: "\n")) }
        try write(kept, to: metrics)
    }

    private func write(_ data: Data, to file: URL) throws {
        do { try data.write(to: file, options: .atomic) } catch {
            throw TensorError.malformedFile(path: file.path, message: "cannot write: \(error.localizedDescription)")
        }
    }
}
