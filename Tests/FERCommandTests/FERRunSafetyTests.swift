import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition
import NeuralNetworks

/// What a user who cannot afford to lose a week of training expects of `fer`: runs never
/// overwritten or mixed up, diverged weights never saved or served, sizes bounded before
/// allocating, and a signal that stops at a step boundary with a checkpoint.
extension FERCommandTests {
    /// Options of a small, fast classifier run on the tiny four-class dataset.
    func tinyRun(_ data: URL, epochs: Int = 2) -> [String] {
        ["--data", "folder:\(data.path):\(data.path)", "--side", "32", "--width", "0.125", "--epochs", "\(epochs)", "--batch-size", "8",
         "--dropout", "0.3", "--quiet"]
    }

    @Test func aRunFolderIsNeverSilentlyReused() throws {
        let root = try temporaryDirectory("fer-reuse")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)
        let run = root.appendingPathComponent("run")
        #expect(try fer(["train", "--run", run.path] + tinyRun(data, epochs: 1)).status == 0)
        let model = try Data(contentsOf: run.appendingPathComponent("model.safetensors"))

        // A second run into the finished one is refused, and nothing of the first changes.
        let again = try fer(["train", "--run", run.path] + tinyRun(data, epochs: 2))
        #expect(again.status != 0)
        #expect(again.errors.contains("already holds a run") && again.errors.contains("--overwrite"), "\(again.errors)")
        #expect(try Data(contentsOf: run.appendingPathComponent("model.safetensors")) == model)

        // --overwrite with a bad setting fails before touching the old run.
        let bad = try fer(["train", "--run", run.path, "--overwrite"] + tinyRun(data) + ["--momentum", "5"])
        #expect(bad.status != 0 && bad.errors.contains("momentum must be in [0, 1)"), "\(bad.errors)")
        #expect(try Data(contentsOf: run.appendingPathComponent("model.safetensors")) == model)

        // A folder holding other files is refused too; an empty run path is refused.
        let foreign = root.appendingPathComponent("foreign")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: foreign.appendingPathComponent("notes.txt"))
        let intoForeign = try fer(["train", "--run", foreign.path] + tinyRun(data))
        #expect(intoForeign.status != 0 && intoForeign.errors.contains("is not empty and holds no run"), "\(intoForeign.errors)")
        let empty = try fer(["train", "--run", ""] + tinyRun(data))
        #expect(empty.status != 0 && empty.errors.contains("must not be empty"), "\(empty.errors)")

        // --resume refuses options it would ignore, naming them.
        let ignored = try fer(["train", "--resume", run.path, "--epochs", "9", "--learning-rate", "0.5"])
        #expect(ignored.status != 0 && ignored.errors.contains("--epochs, --learning-rate would be ignored"), "\(ignored.errors)")
    }

    /// The old run's checkpoint is deleted by --overwrite, so a new run killed before its
    /// first checkpoint cannot resume the old one under the new settings.
    @Test func overwriteLeavesNothingOfTheOldRunToResume() throws {
        let root = try temporaryDirectory("fer-overwrite")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)
        let run = root.appendingPathComponent("run"), fresh = root.appendingPathComponent("fresh")
        #expect(try fer(["train", "--run", run.path] + tinyRun(data, epochs: 1)).status == 0)
        let new = tinyRun(data, epochs: 2) + ["--seed", "5"]
        let killed = try ferUntil(["train", "--run", run.path, "--overwrite"] + new, seen: "training and", then: SIGKILL)
        #expect(killed.status == SIGKILL, "\(killed.errors)")
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoints/last.safetensors").path),
                "the old run's checkpoint must be gone once --overwrite starts")
        let resumed = try fer(["train", "--resume", run.path, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(try fer(["train", "--run", fresh.path] + new).status == 0)
        #expect(try Data(contentsOf: run.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: fresh.appendingPathComponent("model.safetensors")))
    }

    /// SIGINT and SIGTERM stop at the next step with a checkpoint, print the resume command
    /// and exit 128 + signal; the resumed run ends with the uninterrupted run's model, byte
    /// for byte, and the same losses. Also for a mask whose state grows within the epoch (the
    /// small-loss rule with history selection: each sample's scores so far; with correction,
    /// its predictions too).
    @Test(arguments: [(SIGINT, [String]()), (SIGTERM, []),
                      (SIGINT, ["--label-noise", "0.25", "--mask", "small-loss", "--selection", "history", "--drop-rate", "0.25"]),
                      (SIGINT, ["--label-noise", "0.25", "--mask", "small-loss", "--selection", "history", "--drop-rate", "0.25",
                                "--mask-action", "correct", "--correction-confidence", "0.3"])])
    func aSignalStopsAtAStepAndResumesExactly(_ signal: Int32, _ mask: [String]) throws {
        let root = try temporaryDirectory("fer-signal")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data, perClass: 8)
        let straight = root.appendingPathComponent("straight"), stopped = root.appendingPathComponent("stopped")
        let options = tinyRun(data, epochs: 3) + ["--decay-every", "2"] + mask
        #expect(try fer(["train", "--run", straight.path] + options).status == 0)
        // Signalled right after epoch 1's line: the next step boundary is inside epoch 2.
        let interrupted = try ferUntil(["train", "--run", stopped.path] + options, seen: "epoch 1/3", then: signal)
        #expect(interrupted.status == 128 + signal, "\(interrupted.errors)")
        #expect(interrupted.errors.contains("stopped by \(signal == SIGINT ? "SIGINT" : "SIGTERM")"), "\(interrupted.errors)")
        #expect(interrupted.errors.contains("continue with: fer train --resume \(stopped.path) --quiet"), "\(interrupted.errors)")
        let resumed = try fer(["train", "--resume", stopped.path, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(try Data(contentsOf: straight.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: stopped.appendingPathComponent("model.safetensors")))
        let a = try RunFolder.open(existing: straight).readMetrics(ClassifierEpochRecord.self)
        let b = try RunFolder.open(existing: stopped).readMetrics(ClassifierEpochRecord.self)
        #expect(a.map(\.trainLoss) == b.map(\.trainLoss) && a.map(\.testAccuracy) == b.map(\.testAccuracy))
        if !mask.isEmpty {
            // The mask dropped samples in the stopped epoch, and the same ones after the resume.
            #expect(a.map(\.maskedShare) == b.map(\.maskedShare) && (a.last?.maskedShare ?? 0) > 0, "\(a.map(\.maskedShare))")
        }
        if mask.contains("correct") {
            // Corrections were made in the stopped epoch and after it, and the same ones.
            #expect(a.map(\.correctedShare) == b.map(\.correctedShare) && a.dropFirst().allSatisfy { ($0.correctedShare ?? 0) > 0 },
                    "\(a.map(\.correctedShare))")
        }
    }

    @Test func aRunFolderHasOneWriterAtATime() throws {
        let root = try temporaryDirectory("fer-lock")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)
        let run = root.appendingPathComponent("run")
        #expect(try fer(["train", "--run", run.path] + tinyRun(data, epochs: 1)).status == 0)
        let metrics = try Data(contentsOf: run.appendingPathComponent("metrics.jsonl"))
        func lockedElsewhere() -> Bool {  // whether another open file (as another process's) can take the lock
            let probe = open(run.path, O_RDONLY | O_DIRECTORY)
            defer { close(probe) }
            let taken = flock(probe, LOCK_EX | LOCK_NB) == 0
            if taken { flock(probe, LOCK_UN) }
            return !taken
        }

        // Another writer holds the folder (here a descriptor of this process: flock treats it as another owner).
        let holder = open(run.path, O_RDONLY | O_DIRECTORY)
        #expect(flock(holder, LOCK_EX | LOCK_NB) == 0)
        let overwrite = try fer(["train", "--run", run.path, "--overwrite"] + tinyRun(data, epochs: 1))
        #expect(overwrite.status != 0 && overwrite.errors.contains("\(run.path) is being written by another process"), "\(overwrite.errors)")
        #expect(try Data(contentsOf: run.appendingPathComponent("metrics.jsonl")) == metrics, "a refused --overwrite must delete nothing")
        #expect(throws: TensorError.self) { try RunFolder.open(existing: run, writing: true) }
        #expect(try fer(["evaluate", "--run", run.path]).status == 0, "readers take no lock")
        close(holder)

        // In one process, writers of the same folder share the lock; it is free once the last is gone.
        do {
            let first = try RunFolder.open(existing: run, writing: true)
            let second = try RunFolder.create(at: run, overwrite: true)
            withExtendedLifetime((first, second)) {
                #expect(first.writeLock != nil && first.writeLock === second.writeLock)
                #expect(lockedElsewhere())
            }
        }
        #expect(!lockedElsewhere())
        #expect(try fer(["train", "--run", run.path, "--overwrite"] + tinyRun(data, epochs: 1)).status == 0)
    }

    @Test func aSignalDuringTheInstanceNoiseProbeStopsBeforeAnythingIsWritten() throws {
        let root = try temporaryDirectory("fer-probe-signal")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data, perClass: 8)
        let run = root.appendingPathComponent("run")
        // 100 probe epochs: the probe is still training when the signal lands, right after its line.
        let options = tinyRun(data) + ["--label-noise", "0.25", "--noise-mode", "instance", "--probe-epochs", "100"]
        let stopped = try ferUntil(["train", "--run", run.path] + options, seen: "instance noise: training a probe", then: SIGINT)
        #expect(stopped.status == 128 + SIGINT, "\(stopped.errors)")
        #expect(stopped.errors.contains("stopped by SIGINT during the instance-noise probe"), "\(stopped.errors)")
        #expect(!FileManager.default.fileExists(atPath: run.path), "a stop before training must leave no run folder")
    }

    @Test func divergedWeightsAreNeverSavedOrServed() throws {
        let root = try temporaryDirectory("fer-nan")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)
        let diverging = root.appendingPathComponent("diverging")
        let result = try fer(["train", "--run", diverging.path] + tinyRun(data) + ["--learning-rate", "1e6", "--dropout", "0"])
        #expect(result.status != 0)
        #expect(result.errors.contains("training stopped at epoch 1") && result.errors.contains("lower learning rate"), "\(result.errors)")
        #expect(!FileManager.default.fileExists(atPath: diverging.appendingPathComponent("model.safetensors").path))

        // A model file with a NaN weight (written around the library's check) is refused.
        let good = root.appendingPathComponent("good")
        #expect(try fer(["train", "--run", good.path] + tinyRun(data, epochs: 1)).status == 0)
        let modelFile = good.appendingPathComponent("model.safetensors")
        let file = try SafeTensorsFile(contentsOf: modelFile)
        var tensors: [String: Tensor<Float>] = [:]
        for name in file.names { tensors[name] = try file.tensor(name, as: Float.self) }
        tensors["fuse.bias"]!.scalars[0] = .nan
        try SafeTensorsWriter.write(tensors, to: modelFile)
        let image = data.appendingPathComponent("alpha/0.png")
        let predict = try fer(["predict", "--run", good.path, "--json", image.path])
        #expect(predict.status != 0 && predict.errors.contains("fuse.bias holds 1 non-finite value"), "\(predict.errors)")
        #expect(!predict.output.contains("nan"))
        let evaluate = try fer(["evaluate", "--run", good.path])
        #expect(evaluate.status != 0 && evaluate.errors.contains("non-finite"), "\(evaluate.errors)")
    }

    @Test func sizesAndSettingsAreBoundedBeforeAllocating() throws {
        let root = try temporaryDirectory("fer-bounds")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)
        let run = root.appendingPathComponent("run")
        let cases: [([String], String)] = [
            (["--side", "100000"], "side must be at most 2048, got 100000"),
            (["--width", "1e6"], "width must be at most 64"),
            (["--side", "2048", "--width", "64"], "of memory; the bound is"),
            (["--batch-size", "1000000000000"], "batch size must be at most 65536"),
            (["--epochs", "-1"], "epochs must be at least 1, got -1"),
            (["--learning-rate", "nan"], "learning rate must be a finite number"),
            (["--learning-rate-decay=-1"], "learning-rate decay must be in (0, 1]"),
            (["--momentum", "5"], "momentum must be in [0, 1)"),
            (["--stop-after=-1"], "--stop-after must be at least 1"),
        ]
        for (extra, message) in cases {
            let result = try fer(["train", "--run", run.path] + tinyRun(data) + extra)
            #expect(result.status == 1 || result.status == 64, "\(extra): status \(result.status)")
            #expect(result.errors.contains(message), "\(extra): \(result.errors)")
        }
        let latent = try fer(["pretrain-autoencoder", "--run", run.path, "--side", "32", "--latent-size", "1000000000", "--data", "folder:\(data.path)"])
        #expect(latent.status != 0 && latent.errors.contains("latent size must be at most"), "\(latent.errors)")
        #expect(!FileManager.default.fileExists(atPath: run.path), "a refused run must not create its folder")

        // A config.json edited to an absurd side, and a checkpoint whose epoch count is corrupt.
        #expect(try fer(["train", "--run", run.path] + tinyRun(data, epochs: 1)).status == 0)
        let folder = try RunFolder.open(existing: run)
        var settings = try folder.readConfiguration(ClassifierSettings.self)
        let original = settings
        settings.side = 100_000
        try folder.writeConfiguration(settings)
        let huge = try fer(["evaluate", "--run", run.path])
        #expect(huge.status != 0 && huge.errors.contains("side must be at most 2048"), "\(huge.errors)")
        try folder.writeConfiguration(original)
        var checkpoint = try Checkpoint<Float>(contentsOf: folder.lastCheckpoint)
        var progress = try checkpoint.record(ClassifierProgress.self, key: "progress")
        progress.completedEpochs = -3
        try checkpoint.store(progress, key: "progress")
        try checkpoint.write(to: folder.lastCheckpoint)
        let corrupt = try fer(["train", "--resume", run.path, "--quiet"])
        #expect(corrupt.status == 1 && corrupt.errors.contains("-3 epochs are done"), "\(corrupt.errors)")
    }

    @Test func resumeRefusesAForeignCheckpointAndClearsStaleTemporaries() throws {
        let root = try temporaryDirectory("fer-foreign")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)
        let run = root.appendingPathComponent("run")
        #expect(try fer(["train", "--run", run.path, "--stop-after", "1"] + tinyRun(data)).status == 0)
        let stale = run.appendingPathComponent("checkpoints/.last.safetensors.0A1B.tmp")
        try Data(count: 100).write(to: stale)
        // data.json changed after the checkpoint: the checkpoint no longer belongs to this run.
        let dataFile = run.appendingPathComponent("data.json")
        let saved = try Data(contentsOf: dataFile)
        try Data(String(decoding: saved, as: UTF8.self).replacingOccurrences(of: "\"fold\" : 0", with: "\"fold\" : 1").utf8).write(to: dataFile)
        let foreign = try fer(["train", "--resume", run.path, "--quiet"])
        #expect(foreign.status != 0 && foreign.errors.contains("written under other settings"), "\(foreign.errors)")
        #expect(!FileManager.default.fileExists(atPath: stale.path), "a killed write's temporary file is cleaned up")
        try saved.write(to: dataFile)
        #expect(try fer(["train", "--resume", run.path, "--quiet"]).status == 0)

        // A reader (evaluate) leaves temporary files alone: a run in progress may be writing one.
        try Data(count: 10).write(to: stale)
        #expect(try fer(["evaluate", "--run", run.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: stale.path))

        // A folder holding someone's files (a model, pictures) but no run is refused, and kept.
        let exported = root.appendingPathComponent("exported")
        try FileManager.default.createDirectory(at: exported.appendingPathComponent("pictures"), withIntermediateDirectories: true)
        try Data("weights".utf8).write(to: exported.appendingPathComponent("model.safetensors"))
        try Data("png".utf8).write(to: exported.appendingPathComponent("pictures/figure.png"))
        let intoExported = try fer(["train", "--run", exported.path] + tinyRun(data))
        #expect(intoExported.status != 0 && intoExported.errors.contains("holds no run"), "\(intoExported.errors)")
        #expect(try Data(contentsOf: exported.appendingPathComponent("model.safetensors")) == Data("weights".utf8))
        #expect(FileManager.default.fileExists(atPath: exported.appendingPathComponent("pictures/figure.png").path))

        // Reading a missing run creates nothing.
        let missing = root.appendingPathComponent("missing")
        let evaluate = try fer(["evaluate", "--run", missing.path])
        #expect(evaluate.status != 0 && evaluate.errors.contains("no such run folder"), "\(evaluate.errors)")
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }

    /// Runs fer, waits until standard error contains `marker`, sends `signal`, and returns
    /// how the process ended (the signal number when it was killed by it).
    func ferUntil(_ arguments: [String], seen marker: String, then signal: Int32) throws -> Result {
        let url = try #require(Self.executable, "build the fer product first")
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = BuiltProgram.environment()
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var errors = Data()
        while !String(decoding: errors, as: UTF8.self).contains(marker) {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // ended before the marker
            errors.append(chunk)
        }
        kill(process.processIdentifier, signal)
        errors.append(err.fileHandleForReading.readDataToEndOfFile())
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // terminationStatus is the signal's number when the process was killed by it.
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors, as: UTF8.self))
    }
}
