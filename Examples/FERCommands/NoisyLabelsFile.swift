import ArgumentParser
import ExpressionRecognition
import Foundation
import NeuralNetworks

/// A run's training labels after noise injection, kept in its folder (noisy-labels.json) so
/// that `--resume`, and every process of a data-parallel run, trains on the labels the run
/// started with.
///
/// Symmetric and pairwise noise are drawn from the seed alone, but instance-dependent noise
/// ranks the margins of a probe classifier, and those depend on the order of floating-point
/// sums: on the worker count (`FER_THREADS`) and the OpenBLAS core. Recomputed on another
/// machine, or with another worker count, the probe can flip other images than the run
/// started with. Every noise mode is saved alike, so that a run folder says which labels it
/// trained on.
struct NoisyLabelsFile: Codable, Equatable {
    /// The noise settings the labels came from (as in data.json).
    var noiseMode: String
    var labelNoise: Double
    /// The training label of each sample, in the order of the (limited) training set.
    var labels: [Int]
    /// Where the labels were read from (for messages); not saved.
    var path = RunFolder.noisyLabelsName

    private enum CodingKeys: String, CodingKey { case noiseMode, labelNoise, labels }

    init(noiseMode: String, labelNoise: Double, labels: [Int]) {
        self.noiseMode = noiseMode
        self.labelNoise = labelNoise
        self.labels = labels
    }

    static func url(in folder: RunFolder) -> URL { folder.url.appendingPathComponent(RunFolder.noisyLabelsName) }

    func save(in folder: RunFolder) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(encoder.encode(self), to: Self.url(in: folder))
    }

    /// The saved labels, or nil for a run without the file (no noise, or written before the
    /// file existed). Checked against the run's data options.
    /// - Throws: `ValidationError` for a file that cannot be read or does not match data.json.
    static func load(from folder: RunFolder, data: RunData) throws -> NoisyLabelsFile? {
        let url = url(in: folder)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let damaged = "it holds the run's training labels: restore it from a copy, or start the run again"
        var file: NoisyLabelsFile
        do { file = try JSONDecoder().decode(NoisyLabelsFile.self, from: Data(contentsOf: url)) } catch {
            throw ValidationError("\(url.path) cannot be read (\(Self.describe(error))); \(damaged)")
        }
        guard file.noiseMode == data.noiseMode, file.labelNoise == data.labelNoise, data.labelNoise > 0 else {
            throw ValidationError("\(url.path) holds \(file.noiseMode) noise at \(file.labelNoise), but data.json says \(data.noiseMode) at \(data.labelNoise); \(damaged)")
        }
        file.path = url.path
        return file
    }

    /// The labels checked against the training set they are for.
    /// - Throws: `ValidationError` when the count or a class does not fit.
    func labels(for count: Int, classCount: Int) throws -> [Int] {
        guard labels.count == count else {
            throw ValidationError("\(path) holds \(labels.count) labels for \(count) training images: the data is not what the run started with")
        }
        if let bad = labels.firstIndex(where: { !(0..<classCount).contains($0) }) {
            throw ValidationError("\(path): label \(labels[bad]) of sample \(bad) is not one of the \(classCount) classes")
        }
        return labels
    }

    private static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        if case DecodingError.keyNotFound(let key, _) = error { return "no \(key.stringValue)" }
        if case DecodingError.valueNotFound(_, let context) = error { return "a null where a value belongs: \(context.debugDescription)" }
        if case DecodingError.typeMismatch(_, let context) = error { return context.debugDescription }
        return error.localizedDescription
    }
}
