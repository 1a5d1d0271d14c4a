import Foundation
import ExpressionRecognition
import NeuralNetworks
import Testing
import TestSupport

/// `fer-distributed` under `mpirun` on the loopback against the single-process `fer`, on the
/// tiny corner dataset (Docs/Distributed.md, "fer-distributed"). Skipped, with the reason,
/// where `mpirun` is not installed.
@Suite(.serialized, .enabled(if: DistributedFer.mpirun != nil, DistributedFer.skipReason))
struct FERDistributedTests {
    /// 4 classes x 8 images of 32x32, global batch 8 (2 per class, balanced): 4 steps an epoch.
    /// Dropout and augmentation off, so the runs differ only in how the sums are split.
    static func options(data: URL, epochs: Int = 2, dropout: String = "0") -> [String] {
        ["--data", "folder:\(data.path):\(data.path)", "--side", "32", "--width", "0.125", "--epochs", "\(epochs)", "--batch-size", "8",
         "--dropout", dropout, "--no-augment", "--decay-every", "1", "--quiet"]
    }

    /// Two processes with synchronised batch norm against one process with the same global
    /// batch: the weights agree within `tolerance`. They differ only in the order of sums
    /// (each gradient over 8 samples summed as 4 + 4 and halved; batch statistics in Double
    /// over both processes instead of the single-process kernel's), so the difference is a
    /// few Float roundings carried through 8 momentum steps; the running statistics take the
    /// same global mean and variance, so they are compared with the same tolerance.
    static let tolerance: Float = 1e-4

    @Test func twoProcessesMatchOneWithTheSameGlobalBatch() throws {
        let root = try temporaryDirectory("fer-mpi-equivalence")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 8)
        let single = root.appendingPathComponent("single"), parallel = root.appendingPathComponent("parallel")
        let a = try runFer(["train", "--run", single.path] + Self.options(data: data))
        #expect(a.status == 0, "\(a.errors)")
        let b = try DistributedFer.run(processes: 2, ["train", "--synchronize-batch-norm", "--run", parallel.path] + Self.options(data: data))
        try #require(b.status == 0, "\(b.errors)")
        #expect(b.errors.contains("data-parallel over 2 processes: global batch 8, 4 per process"), "\(b.errors)")
        // One run folder, written by rank 0 alone: the other process's log lines are silent.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["data", "parallel", "single"])
        #expect(b.errors.components(separatedBy: "baseline epoch 2/2").count == 2, "one log line per epoch, from rank 0 only: \(b.errors)")
        for file in ["config.json", "model.safetensors", "checkpoints/last.safetensors", "evaluation.json", "pictures/loss.png"] {
            #expect(FileManager.default.fileExists(atPath: parallel.appendingPathComponent(file).path), "\(file)")
        }
        #expect(try String(contentsOf: parallel.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").count == 2)
        let difference = try DistributedFer.largestDifference(single.appendingPathComponent("model.safetensors"),
                                                              parallel.appendingPathComponent("model.safetensors"))
        #expect(difference <= Self.tolerance, "largest weight difference \(difference)")

        // Per-process batch norm (DDP's default) takes each shard's own statistics: the test
        // can tell a real difference from rounding.
        let perProcess = root.appendingPathComponent("per-process")
        let c = try DistributedFer.run(processes: 2, ["train", "--run", perProcess.path] + Self.options(data: data))
        try #require(c.status == 0, "\(c.errors)")
        let apart = try DistributedFer.largestDifference(single.appendingPathComponent("model.safetensors"),
                                                         perProcess.appendingPathComponent("model.safetensors"))
        #expect(apart > 100 * Self.tolerance, "per-process statistics moved the weights by only \(apart)")
    }

    /// One process under MPI is the single-process program: the same model file, byte for
    /// byte, with dropout and augmentation on (rank 0 draws the single-process streams).
    @Test func oneProcessIsTheSingleProcessRun() throws {
        let root = try temporaryDirectory("fer-mpi-one")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 8)
        var options = Self.options(data: data, dropout: "0.3")
        options.removeAll { $0 == "--no-augment" }
        let single = root.appendingPathComponent("single"), mpi = root.appendingPathComponent("mpi")
        let a = try runFer(["train", "--run", single.path] + options)
        #expect(a.status == 0, "\(a.errors)")
        let b = try DistributedFer.run(processes: 1, ["train", "--run", mpi.path] + options)
        try #require(b.status == 0, "\(b.errors)")
        #expect(try Data(contentsOf: single.appendingPathComponent("model.safetensors")) == Data(contentsOf: mpi.appendingPathComponent("model.safetensors")))

        let aeOptions = ["--data", "folder:\(data.path):\(data.path)", "--side", "32", "--latent-size", "8", "--pretrain-epochs", "1",
                         "--pretrain-batch-size", "8", "--quiet"]
        let aeSingle = root.appendingPathComponent("ae-single"), aeMPI = root.appendingPathComponent("ae-mpi"), aeTwo = root.appendingPathComponent("ae-two")
        let c = try runFer(["pretrain-autoencoder", "--run", aeSingle.path] + aeOptions)
        #expect(c.status == 0, "\(c.errors)")
        let d = try DistributedFer.run(processes: 1, ["pretrain-autoencoder", "--run", aeMPI.path] + aeOptions)
        try #require(d.status == 0, "\(d.errors)")
        #expect(try Data(contentsOf: aeSingle.appendingPathComponent("autoencoder.safetensors")) == Data(contentsOf: aeMPI.appendingPathComponent("autoencoder.safetensors")))
        // The masked method at one process is the single-process run too (the mask's
        // decision over the gathered global batch is the same vector); at two it runs to
        // the end, with the paper's batch threshold and with a class-aware rule.
        let masked = ["--autoencoder", aeSingle.path, "--mask", "batch"] + Self.options(data: data, epochs: 1)
        let f = try runFer(["train", "--run", root.appendingPathComponent("masked-single").path] + masked)
        #expect(f.status == 0, "\(f.errors)")
        let g = try DistributedFer.run(processes: 1, ["train", "--run", root.appendingPathComponent("masked-mpi").path] + masked)
        try #require(g.status == 0, "\(g.errors)")
        #expect(try Data(contentsOf: root.appendingPathComponent("masked-single/model.safetensors"))
                == Data(contentsOf: root.appendingPathComponent("masked-mpi/model.safetensors")))
        for rule in ["batch", "label-aware"] {
            let run = root.appendingPathComponent("masked-two-\(rule)")
            let h = try DistributedFer.run(processes: 2, ["train", "--run", run.path, "--autoencoder", aeSingle.path, "--mask", rule]
                                                         + (rule == "batch" ? [] : ["--drop-rate", "0.25"]) + Self.options(data: data, epochs: 1))
            try #require(h.status == 0, "\(rule): \(h.errors)")
            #expect(h.errors.contains("masked"), "\(rule): \(h.errors)")
        }
        // Label correction gathers each sample's index and class probabilities: at one process
        // it is the single-process run, byte for byte, over two epochs (the second corrects),
        // and at two it runs to the end and corrects.
        let correcting = ["--mask", "small-loss", "--selection", "history", "--mask-action", "correct", "--correction-confidence", "0.3",
                          "--drop-rate", "0.25"] + Self.options(data: data, epochs: 2)
        let correctedSingle = root.appendingPathComponent("correct-single")
        let i = try runFer(["train", "--run", correctedSingle.path] + correcting)
        #expect(i.status == 0, "\(i.errors)")
        let j = try DistributedFer.run(processes: 1, ["train", "--run", root.appendingPathComponent("correct-mpi").path] + correcting)
        try #require(j.status == 0, "\(j.errors)")
        #expect(try Data(contentsOf: correctedSingle.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: root.appendingPathComponent("correct-mpi/model.safetensors")))
        let corrected = try RunFolder.open(existing: correctedSingle).readMetrics(ClassifierEpochRecord.self)
        #expect((corrected.last?.correctedShare ?? 0) > 0, "nothing corrected, so nothing tested: \(corrected.map(\.correctedShare))")
        let k = try DistributedFer.run(processes: 2, ["train", "--run", root.appendingPathComponent("correct-two").path] + correcting)
        try #require(k.status == 0, "\(k.errors)")
        let two = try RunFolder.open(existing: root.appendingPathComponent("correct-two")).readMetrics(ClassifierEpochRecord.self)
        #expect((two.last?.correctedShare ?? 0) > 0, "\(two.map(\.correctedShare))")

        // Two processes pre-train too (the autoencoder's dropout differs per rank, so only
        // that it finishes and writes its files is asserted here).
        let e = try DistributedFer.run(processes: 2, ["pretrain-autoencoder", "--synchronize-batch-norm", "--run", aeTwo.path] + aeOptions)
        try #require(e.status == 0, "\(e.errors)")
        #expect(e.errors.contains("global batch 8, 4 per process"))
        #expect(FileManager.default.fileExists(atPath: aeTwo.appendingPathComponent("autoencoder.safetensors").path))
        #expect(try String(contentsOf: aeTwo.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").count == 1)
    }

    /// A run stopped after one epoch at 2 processes continues at 1, and one started without
    /// MPI continues at 2: each says so, keeps the global batch, and ends within the
    /// equivalence tolerance of the uninterrupted single-process run (same batches, same
    /// global batch, only the split of the sums differs).
    @Test func resumeAtAnotherProcessCount() throws {
        let root = try temporaryDirectory("fer-mpi-resume")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 8)
        let straight = root.appendingPathComponent("straight"), twoThenOne = root.appendingPathComponent("two-then-one")
        let oneThenTwo = root.appendingPathComponent("one-then-two")
        #expect(try runFer(["train", "--run", straight.path] + Self.options(data: data)).status == 0)

        let a = try DistributedFer.run(processes: 2, ["train", "--synchronize-batch-norm", "--stop-after", "1", "--run", twoThenOne.path] + Self.options(data: data))
        try #require(a.status == 0, "\(a.errors)")
        #expect(try String(contentsOf: twoThenOne.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").count == 1)
        let b = try DistributedFer.run(processes: 1, ["train", "--resume", twoThenOne.path, "--quiet"])
        try #require(b.status == 0, "\(b.errors)")
        #expect(b.errors.contains("the checkpoint was written by 2 processes; continuing with 1 process and the same global batch of 8 (8 per process)"), "\(b.errors)")

        let c = try runFer(["train", "--stop-after", "1", "--run", oneThenTwo.path] + Self.options(data: data))
        #expect(c.status == 0, "\(c.errors)")
        let d = try DistributedFer.run(processes: 2, ["train", "--resume", oneThenTwo.path, "--synchronize-batch-norm", "--quiet"])
        try #require(d.status == 0, "\(d.errors)")
        #expect(d.errors.contains("the checkpoint was written by one process without MPI; continuing with 2 processes and the same global batch of 8 (4 per process)"), "\(d.errors)")

        for run in [twoThenOne, oneThenTwo] {
            #expect(try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").count == 2)
            let difference = try DistributedFer.largestDifference(straight.appendingPathComponent("model.safetensors"), run.appendingPathComponent("model.safetensors"))
            #expect(difference <= Self.tolerance, "\(run.lastPathComponent): largest weight difference \(difference)")
        }
    }

    /// A process that fails mid-run (here: an image that became unreadable after the first
    /// epoch) stops the whole job promptly through MPI_Abort, with its message, and the last
    /// checkpoint stays as it was.
    @Test func aFailingProcessStopsTheJobAndKeepsTheCheckpoint() throws {
        let root = try temporaryDirectory("fer-mpi-failure")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 8)
        let folder = root.appendingPathComponent("run")
        let first = try DistributedFer.run(processes: 2, ["train", "--stop-after", "1", "--run", folder.path] + Self.options(data: data))
        try #require(first.status == 0, "\(first.errors)")
        let checkpoint = folder.appendingPathComponent("checkpoints/last.safetensors")
        let before = try Data(contentsOf: checkpoint)
        try Data("not an image".utf8).write(to: data.appendingPathComponent("gamma/3.png"))
        let started = Date()
        let second = try DistributedFer.run(processes: 2, ["train", "--resume", folder.path, "--quiet"], timeout: 120)
        #expect(second.status != 0 && second.status != -1, "status \(second.status): \(second.errors)")
        #expect(second.errors.contains("gamma/3.png") && second.errors.contains("stopping every rank"), "\(second.errors)")
        #expect(Date().timeIntervalSince(started) < 120)
        #expect(try Data(contentsOf: checkpoint) == before, "the last checkpoint is intact")
    }

    /// A global batch that does not split over the processes: a clear error and a failed
    /// job, promptly (no process waits for another), and no run folder.
    @Test func indivisibleGlobalBatchFailsEverywhere() throws {
        let root = try temporaryDirectory("fer-mpi-bad-batch")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 8)
        let folder = root.appendingPathComponent("run")
        let started = Date()
        let result = try DistributedFer.run(processes: 3, ["train", "--run", folder.path] + Self.options(data: data), timeout: 120)
        #expect(result.status == 64, "status \(result.status): \(result.errors)")
        #expect(result.errors.components(separatedBy: "the global batch of 8 does not split evenly over 3 processes").count == 2,
                "one message, from rank 0: \(result.errors)")
        #expect(Date().timeIntervalSince(started) < 120)
        #expect(!FileManager.default.fileExists(atPath: folder.path), "nothing is written before the check")
        let usage = try DistributedFer.run(processes: 2, ["evaluate"], timeout: 60)
        #expect(usage.status == 64 && usage.errors.components(separatedBy: "Usage: mpirun").count == 2, "\(usage.errors)")
    }
}

/// Runs the built `fer-distributed` under `mpirun` on the loopback (as DistributedTests'
/// MPIJob does), with a time limit.
enum DistributedFer {
    static let mpirun: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static let skipReason: Comment = "mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev, or Scripts/install-dependencies.sh)"

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// `mpirun -np processes fer-distributed arguments`: shared memory only, root allowed,
    /// any number of ranks on 2 cores, no ptrace-based copies.
    static func run(processes: Int, _ arguments: [String], timeout: TimeInterval = 300) throws -> ProgramResult {
        guard let mpirun else { throw Failure(description: "\(skipReason)") }
        guard let program = BuiltProgram.url(named: "fer-distributed") else {
            throw Failure(description: "build the fer-distributed product first (swift build --build-tests builds it)")
        }
        let launch = ["-np", "\(processes)", "--oversubscribe", "--mca", "btl", "self,vader", "--mca", "btl_vader_single_copy_mechanism", "none"]
        return try run(mpirun, launch + [program.path] + arguments, timeout: timeout)
    }

    /// Runs `url` to the end or until `timeout`, when it is terminated and the status is -1.
    static func run(_ url: URL, _ arguments: [String], timeout: TimeInterval) throws -> ProgramResult {
        try BuiltProgram.run(url, arguments, environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                                                           "OMPI_MCA_rmaps_base_oversubscribe": "1"], timeout: timeout)
    }

    /// The largest absolute difference between two model files' tensors (which must hold
    /// the same names and shapes).
    static func largestDifference(_ first: URL, _ second: URL) throws -> Float {
        let a = try Checkpoint<Float>(contentsOf: first), b = try Checkpoint<Float>(contentsOf: second)
        guard a.tensors.keys.sorted() == b.tensors.keys.sorted() else { throw Failure(description: "the files hold different tensors") }
        var largest: Float = 0
        for (name, tensor) in a.tensors {
            guard let other = b.tensors[name], other.shape == tensor.shape else { throw Failure(description: "\(name) differs in shape") }
            for (x, y) in zip(tensor.scalars, other.scalars) { largest = max(largest, abs(x - y)) }
        }
        return largest
    }
}
