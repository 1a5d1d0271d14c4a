import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition
import NeuralNetworks

/// A run keeps the labels it was trained on (noisy-labels.json): a resumed run reads them back
/// instead of injecting the noise again, which for instance-dependent noise depends on the
/// worker count and the OpenBLAS core; a damaged file is refused before anything changes.
extension FERCommandTests {
    /// The saved labels of a run, as JSON.
    func noisyLabels(_ run: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: run.appendingPathComponent("noisy-labels.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func aResumedRunTrainsOnTheLabelsItSaved() throws {
        let root = try temporaryDirectory("fer-noisy-labels")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)  // 4 classes of 6 images
        let run = root.appendingPathComponent("run")
        let noisy = tinyRun(data, epochs: 2) + ["--label-noise", "0.25", "--noise-mode", "instance", "--sampling", "shuffled"]
        let first = try fer(["train", "--run", run.path, "--stop-after", "1"] + noisy)
        #expect(first.status == 0, "\(first.errors)")
        let saved = try noisyLabels(run)
        #expect(saved["noiseMode"] as? String == "instance" && saved["labelNoise"] as? Double == 0.25)
        let labels = try #require(saved["labels"] as? [Int])
        #expect(labels.count == 24 && labels.allSatisfy { (0..<4).contains($0) })
        // Two of each class's six (the share rounds up).
        #expect(first.errors.contains("8 training labels flipped on purpose"), "\(first.errors)")

        let url = run.appendingPathComponent("noisy-labels.json")
        let original = try Data(contentsOf: url)

        // Damaged or replaced files are refused, and the checkpoint and metrics stay as they were.
        let checkpoint = run.appendingPathComponent("checkpoints/last.safetensors"), metrics = run.appendingPathComponent("metrics.jsonl")
        let before = try (Data(contentsOf: checkpoint), Data(contentsOf: metrics))
        func file(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }
        let damaged: [(Data, String)] = [
            (original.prefix(original.count / 2), "cannot be read"),
            (try file(["noiseMode": "instance", "labelNoise": 0.25, "labels": Array(labels.dropLast())]), "holds 23 labels for 24 training images"),
            (try file(["noiseMode": "instance", "labelNoise": 0.25, "labels": [7] + labels.dropFirst()]), "label 7 of sample 0 is not one of the 4 classes"),
            (try file(["noiseMode": "symmetric", "labelNoise": 0.25, "labels": labels]), "holds symmetric noise at 0.25, but data.json says instance at 0.25"),
            (try file(["noiseMode": "instance", "labels": labels]), "no labelNoise"),
            (try file(["noiseMode": "instance", "labelNoise": NSNull(), "labels": labels]), "a null where a value belongs"),
            // Well-formed labels other than the run's: the checkpoint's fingerprint covers the file.
            (try file(["noiseMode": "instance", "labelNoise": 0.25, "labels": [Int](repeating: 0, count: 24)]), "other settings than the folder's config.json"),
        ]
        for (contents, message) in damaged {
            try contents.write(to: url)
            let refused = try fer(["train", "--resume", run.path, "--quiet"])
            #expect(refused.status != 0 && refused.errors.contains(message), "\(message): \(refused.errors)")
            #expect(try (Data(contentsOf: checkpoint), Data(contentsOf: metrics)) == before, "a refused resume must change nothing")
        }

        // With its own file back, the run continues on its labels without the probe, and ends
        // as an uninterrupted run does.
        try original.write(to: url)
        let resumed = try fer(["train", "--resume", run.path, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.errors.contains("8 training labels flipped on purpose"), "\(resumed.errors)")
        #expect(!resumed.errors.contains("instance noise: training a probe classifier"), "a resumed run must not run the probe again")
        let straight = root.appendingPathComponent("straight")
        #expect(try fer(["train", "--run", straight.path] + noisy).status == 0)
        #expect(try Data(contentsOf: straight.appendingPathComponent("model.safetensors")) == Data(contentsOf: run.appendingPathComponent("model.safetensors")))
        #expect(try Data(contentsOf: straight.appendingPathComponent("noisy-labels.json")) == original)

        // A run from before the file existed injects the noise again, and says what that means.
        let legacy = root.appendingPathComponent("legacy")
        #expect(try fer(["train", "--run", legacy.path, "--stop-after", "1"] + noisy).status == 0)
        try FileManager.default.removeItem(at: legacy.appendingPathComponent("noisy-labels.json"))
        // Deleting the file of a run that saved one is refused (its checkpoint covers the file)...
        let deleted = try fer(["train", "--resume", legacy.path, "--quiet"])
        #expect(deleted.status != 0 && deleted.errors.contains("other settings than the folder's config.json"), "\(deleted.errors)")
        // ...while an older version's checkpoint, whose fingerprint never covered it, continues.
        let folder = try RunFolder.open(existing: legacy)
        var older = try Checkpoint<Float>(contentsOf: folder.lastCheckpoint)
        var progress = try older.record(ClassifierProgress.self, key: "progress")
        progress.runFingerprint = folder.fingerprint()
        try older.store(progress, key: "progress")
        try older.write(to: folder.lastCheckpoint)
        let again = try fer(["train", "--resume", legacy.path, "--quiet"])
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.errors.contains("has no noisy-labels.json") && again.errors.contains("instance noise: training a probe classifier"), "\(again.errors)")

        // --overwrite with clean labels leaves no stale file behind; a clean run writes none.
        #expect(try fer(["train", "--run", run.path, "--overwrite"] + tinyRun(data, epochs: 1)).status == 0)
        #expect(!FileManager.default.fileExists(atPath: url.path))

        // A noisy run killed before its config.json, taken again by a clean run: the old labels
        // file goes, so the clean run resumes.
        let unstarted = root.appendingPathComponent("unstarted")
        try FileManager.default.createDirectory(at: unstarted, withIntermediateDirectories: true)
        try Data(contentsOf: run.appendingPathComponent("data.json")).write(to: unstarted.appendingPathComponent("data.json"))
        try original.write(to: unstarted.appendingPathComponent("noisy-labels.json"))
        #expect(try fer(["train", "--run", unstarted.path, "--stop-after", "1"] + tinyRun(data)).status == 0)
        #expect(!FileManager.default.fileExists(atPath: unstarted.appendingPathComponent("noisy-labels.json").path))
        let cleanResume = try fer(["train", "--resume", unstarted.path, "--quiet"])
        #expect(cleanResume.status == 0, "\(cleanResume.errors)")
    }
}
