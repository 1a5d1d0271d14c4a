import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition
import NeuralNetworks
import Tensors

/// The `fer` program run as a separate process, as a user runs it.
@Suite("fer command line", .serialized)
struct FERCommandTests {
    typealias Result = ProgramResult

    /// The `fer` executable next to this test bundle (both live in the build folder).
    static var executable: URL? { BuiltProgram.url(named: "fer") }

    func fer(_ arguments: [String]) throws -> Result {
        try BuiltProgram.run(try #require(Self.executable, "build the fer product first (swift build --build-tests builds it)"), arguments)
    }

    /// The four-class corner dataset (see ``writeCornerDataset(in:classes:perClass:)``).
    func writeTinyDataset(in root: URL, perClass: Int = 6) throws {
        try writeCornerDataset(in: root, perClass: perClass)
    }

    @Test func helpListsTheSubcommands() throws {
        let result = try fer(["--help"])
        #expect(result.status == 0)
        for name in ["demo", "pretrain-autoencoder", "refine-autoencoder", "train", "evaluate", "neighbors", "predict", "summarize"] {
            #expect(result.output.contains(name), "help lacks \(name)")
        }
        // Help computes nothing, so it does not report the OpenBLAS core; a command that runs does.
        #expect(!result.errors.contains("OpenBLAS core"), "\(result.errors)")
        let usage = try fer(["train", "--epochs", "many"])
        #expect(usage.status != 0 && !usage.errors.contains("OpenBLAS core"), "\(usage.errors)")
        let summarize = try fer(["summarize", FileManager.default.temporaryDirectory.appendingPathComponent("fer-no-such-folder-\(getpid())").path])
        #expect(summarize.errors.contains("OpenBLAS core"), "\(summarize.errors)")
    }

    /// A slower core pinned by OPENBLAS_CORETYPE is noted with the core line, not on --help;
    /// FER_BLAS_CORE=keep silences the note. Only where this CPU runs the AVX-512 kernels,
    /// which the guard ranks above Haswell's.
    @Test(.enabled(if: BLAS.supportedCores().contains("SkylakeX")))
    func aPinnedSlowerCoreIsNotedWithTheCoreLine() throws {
        let recommended = try #require(BLAS.recommendedCore())
        let executable = try #require(Self.executable)
        let pinned: [String: String?] = ["OPENBLAS_CORETYPE": "Haswell", "FER_BLAS_CORE": nil]
        let pinnedHelp = try BuiltProgram.run(executable, ["--help"], environment: pinned)
        #expect(pinnedHelp.status == 0 && !pinnedHelp.errors.contains("OPENBLAS_CORETYPE"), "\(pinnedHelp.errors)")
        let pinnedRun = try BuiltProgram.run(executable, ["summarize", FileManager.default.temporaryDirectory.appendingPathComponent("fer-no-such-folder-\(getpid())").path],
                                             environment: pinned)
        #expect(pinnedRun.errors.contains("note: OPENBLAS_CORETYPE=Haswell is set; this CPU can run the faster \(recommended) kernels")
                && pinnedRun.errors.contains("OpenBLAS core Haswell"), "\(pinnedRun.errors)")
        let kept = try BuiltProgram.run(executable, ["summarize", FileManager.default.temporaryDirectory.appendingPathComponent("fer-no-such-folder-\(getpid())").path],
                                        environment: ["OPENBLAS_CORETYPE": "Haswell", "FER_BLAS_CORE": "keep"])
        #expect(!kept.errors.contains("note:") && kept.errors.contains("OpenBLAS core Haswell"), "\(kept.errors)")
    }

    @Test func badArgumentsFailWithAClearMessage() throws {
        let folder = try temporaryDirectory("fer-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let unknown = try fer(["train", "--run", folder.path, "--data", "imagenet"])
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("unknown dataset \"imagenet\""))
        let missing = try fer(["train", "--run", folder.path, "--data", "folder:/nonexistent/place", "--side", "32"])
        #expect(missing.status != 0)
        #expect(missing.errors.contains("/nonexistent/place"))
        let mask = try fer(["train", "--run", folder.path, "--mask", "median"])
        #expect(mask.status != 0 && mask.errors.contains("--mask must be none, fixed, batch, quantile, running, mad, label-aware, small-loss, combined"))
        let both = try fer(["train"])
        #expect(both.status != 0 && both.errors.contains("give either --run FOLDER or --resume FOLDER"))
    }

    /// Train a few epochs, stop half way, resume: the model file equals an uninterrupted
    /// run's byte for byte. Then evaluate, predict and the pictures.
    @Test func trainStopResumeEvaluatePredict() throws {
        let root = try temporaryDirectory("fer-run")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)
        let common = ["--data", "folder:\(data.path):\(data.path)", "--side", "32", "--width", "0.125", "--epochs", "3", "--batch-size", "8",
                      "--dropout", "0.3", "--decay-every", "2", "--quiet"]
        let straight = root.appendingPathComponent("straight"), interrupted = root.appendingPathComponent("interrupted")
        let a = try fer(["train", "--run", straight.path] + common)
        #expect(a.status == 0, "\(a.errors)")
        let b = try fer(["train", "--run", interrupted.path, "--stop-after", "1"] + common)
        #expect(b.status == 0, "\(b.errors)")
        #expect(try String(contentsOf: interrupted.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").count == 1)
        let c = try fer(["train", "--resume", interrupted.path, "--quiet"])
        #expect(c.status == 0, "\(c.errors)")
        #expect(c.errors.contains("resuming after epoch 1"))
        let modelA = try Data(contentsOf: straight.appendingPathComponent("model.safetensors"))
        let modelC = try Data(contentsOf: interrupted.appendingPathComponent("model.safetensors"))
        #expect(modelA == modelC, "a resumed run must end with the same parameters")
        #expect(try String(contentsOf: interrupted.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").count == 3)
        for picture in ["loss.png", "accuracy.png", "confusion.png"] {
            #expect(FileManager.default.fileExists(atPath: straight.appendingPathComponent("pictures/\(picture)").path), "\(picture)")
        }

        let evaluation = try fer(["evaluate", "--run", straight.path])
        #expect(evaluation.status == 0, "\(evaluation.errors)")
        #expect(evaluation.output.contains("mean per-class accuracy"))
        let image = data.appendingPathComponent("gamma/0.png")
        let prediction = try fer(["predict", "--run", straight.path, "--json", image.path])
        #expect(prediction.status == 0, "\(prediction.errors)")
        let object = try JSONSerialization.jsonObject(with: Data(prediction.output.utf8)) as? [String: Any]
        #expect((object?["probabilities"] as? [String: Double])?.count == 4)
        let corrupt = root.appendingPathComponent("corrupt.png")
        try Data("not a png".utf8).write(to: corrupt)
        let bad = try fer(["predict", "--run", straight.path, corrupt.path])
        #expect(bad.status != 0 && bad.errors.contains(corrupt.path))

        let summary = try fer(["summarize", root.path])
        #expect(summary.status == 0 && summary.output.contains("| baseline |"))
    }

    @Test func autoencoderNeighborsAndMaskedTraining() throws {
        let root = try temporaryDirectory("fer-ae")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeTinyDataset(in: data)
        let spec = ["--data", "folder:\(data.path):\(data.path)"]
        let ae = root.appendingPathComponent("ae")
        let pretrain = try fer(["pretrain-autoencoder", "--run", ae.path, "--side", "32", "--latent-size", "8", "--pretrain-epochs", "2",
                                "--pretrain-batch-size", "8", "--quiet"] + spec)
        #expect(pretrain.status == 0, "\(pretrain.errors)")
        let picture = root.appendingPathComponent("fig3.png")
        let neighbors = try fer(["neighbors", "--autoencoder", ae.path, "--data", "folder:\(data.path):\(data.path)", "--count", "3",
                                 "--neighbors", "2", "--output", picture.path])
        #expect(neighbors.status == 0, "\(neighbors.errors)")
        #expect(try ImageDecoder.decodeFile(at: picture).width > 0)
        let masked = try fer(["train", "--run", root.appendingPathComponent("masked").path, "--autoencoder", ae.path, "--mask", "batch",
                              "--side", "32", "--width", "0.125", "--epochs", "1", "--batch-size", "8", "--quiet"] + spec)
        #expect(masked.status == 0, "\(masked.errors)")
        #expect(masked.errors.contains("masked"))
        let refine = try fer(["refine-autoencoder", "--autoencoder", ae.path, "--run", root.appendingPathComponent("refined").path,
                              "--refine-epochs", "1", "--refine-batch-size", "8", "--quiet"] + spec)
        #expect(refine.status == 0, "\(refine.errors)")
    }
}
