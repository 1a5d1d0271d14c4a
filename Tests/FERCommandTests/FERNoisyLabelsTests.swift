import Foundation
import Testing
import TestSupport
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
        #expect(first.errors.contains("8 training labels flipped on purpose"), "\(first.errors)")

        // The run reads the file back: with every label set to class 0, the 18 images of the
        // other classes count as flipped (the probe flipped 8, two of each class).
        let url = run.appendingPathComponent("noisy-labels.json")
        let original = try Data(contentsOf: url)
        func write(_ object: [String: Any]) throws { try JSONSerialization.data(withJSONObject: object).write(to: url) }

        // Damaged files are refused, and the checkpoint and metrics stay as they were.
        let checkpoint = run.appendingPathComponent("checkpoints/last.safetensors"), metrics = run.appendingPathComponent("metrics.jsonl")
        let before = try (Data(contentsOf: checkpoint), Data(contentsOf: metrics))
        let damaged: [(Data, String)] = [
            (original.prefix(original.count / 2), "cannot be read"),
            (try JSONSerialization.data(withJSONObject: ["noiseMode": "instance", "labelNoise": 0.25, "labels": Array(labels.dropLast())]),
             "holds 23 labels for 24 training images"),
            (try JSONSerialization.data(withJSONObject: ["noiseMode": "instance", "labelNoise": 0.25, "labels": [7] + labels.dropFirst()]),
             "label 7 of sample 0 is not one of the 4 classes"),
            (try JSONSerialization.data(withJSONObject: ["noiseMode": "symmetric", "labelNoise": 0.25, "labels": labels]),
             "holds symmetric noise at 0.25, but data.json says instance at 0.25"),
            (try JSONSerialization.data(withJSONObject: ["noiseMode": "instance", "labels": labels]), "no labelNoise"),
        ]
        for (contents, message) in damaged {
            try contents.write(to: url)
            let refused = try fer(["train", "--resume", run.path, "--quiet"])
            #expect(refused.status != 0 && refused.errors.contains(message) && refused.errors.contains("noisy-labels.json"), "\(message): \(refused.errors)")
            #expect(try (Data(contentsOf: checkpoint), Data(contentsOf: metrics)) == before, "a refused resume must change nothing")
        }

        try write(["noiseMode": "instance", "labelNoise": 0.25, "labels": [Int](repeating: 0, count: 24)])
        let resumed = try fer(["train", "--resume", run.path, "--stop-after", "2", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(resumed.errors.contains("18 training labels flipped on purpose"), "\(resumed.errors)")
        #expect(!resumed.errors.contains("instance noise: training a probe classifier"), "a resumed run must not run the probe again")

        // A run from before the file existed injects the noise again, and says what that means.
        let legacy = root.appendingPathComponent("legacy")
        #expect(try fer(["train", "--run", legacy.path, "--stop-after", "1"] + noisy).status == 0)
        try FileManager.default.removeItem(at: legacy.appendingPathComponent("noisy-labels.json"))
        let again = try fer(["train", "--resume", legacy.path, "--quiet"])
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.errors.contains("has no noisy-labels.json") && again.errors.contains("instance noise: training a probe classifier"), "\(again.errors)")

        // --overwrite with clean labels leaves no stale file behind; a clean run writes none.
        #expect(try fer(["train", "--run", run.path, "--overwrite"] + tinyRun(data, epochs: 1)).status == 0)
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
