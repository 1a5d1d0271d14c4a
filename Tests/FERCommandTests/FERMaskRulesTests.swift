import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition
@testable import FERCommands
import NeuralNetworks

/// The rules beyond the paper and instance-dependent noise, run through `fer` as a user would.
@Suite("fer: class-aware masks, instance noise, measured neighbours")
struct FERMaskRulesTests {
    func metrics(_ run: URL) throws -> [ClassifierEpochRecord] {
        try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(ClassifierEpochRecord.self, from: Data($0.utf8)) }
    }

    /// Ranking, threshold selection, history selection, ranking with relabelling instead of
    /// dropping, and history selection with correction from averaged predictions.
    @Test(arguments: [["--selection", "rank"], ["--selection", "threshold"], ["--selection", "history"], ["--mask-action", "relabel"],
                      ["--selection", "history", "--mask-action", "correct", "--correction-confidence", "0.3"]])
    func smallLossOnInstanceNoiseResumesExactly(variant: [String]) throws {
        let selection = variant.first == "--selection" ? variant[1] : "rank"
        let root = try temporaryDirectory("fer-rules")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 10)
        let common = ["--data", "folder:\(data.path):\(data.path)", "--side", "32", "--width", "0.125", "--epochs", "3", "--batch-size", "8",
                      "--sampling", "shuffled", "--label-noise", "0.25", "--noise-mode", "instance", "--mask", "small-loss",
                      "--drop-rate", "0.25", "--quiet"] + variant
        let straight = root.appendingPathComponent("straight"), interrupted = root.appendingPathComponent("interrupted")
        let a = try runFer(["train", "--run", straight.path] + common)
        #expect(a.status == 0, "\(a.errors)")
        #expect(a.errors.contains("instance noise: training a probe classifier"))
        let dataFile = try String(contentsOf: straight.appendingPathComponent("data.json"), encoding: .utf8)
        #expect(dataFile.contains("\"noiseMode\" : \"instance\"") && dataFile.contains("\"probe\""))
        let records = try metrics(straight)
        #expect(records.count == 3)
        // Warm-up epoch: nothing dropped; then a quarter of each class, with the AUROC of the loss recorded.
        #expect(records[0].maskedShare == 0)
        #expect(records[0].dropRate == 0)
        // Ranking (in the batch or by history) drops exactly the rate; a threshold, the share of
        // the last epoch's scores above its quantile.
        #expect(selection != "threshold" ? records[2].dropRate == 0.25 : (0.15...0.35).contains(records[2].dropRate ?? -1), "\(records[2].dropRate ?? -1)")
        #expect(records[2].maskedShare! > 0.15)
        #expect(records.allSatisfy { $0.maskScores.map { (0...1).contains($0.auroc) } ?? false })
        #expect(records.allSatisfy { $0.maskThreshold == nil })
        // Correction reports its share per epoch and, the noise being known, how many it got
        // right; the first epoch has no history and corrects nothing.
        if variant.contains("correct") {
            #expect(records[0].correctedShare == 0 && records[0].correctionPrecision == nil && records[0].correctionRecall == 0)
            #expect(records.allSatisfy { r in r.correctedShare.map { (0...r.maskedShare!).contains($0) } ?? false })
            #expect(records.allSatisfy { r in (r.correctedShare == 0) == (r.correctionPrecision == nil) && r.correctionRecall != nil })
            #expect(records.dropFirst().allSatisfy { ($0.correctedShare ?? 0) > 0 }, "at confidence 0.3 of 4 classes something is corrected: \(records.map(\.correctedShare))")
        } else {
            #expect(records.allSatisfy { $0.correctedShare == nil && $0.correctionPrecision == nil })
        }
        for epoch in 1...3 {
            #expect(FileManager.default.fileExists(atPath: straight.appendingPathComponent("pictures/scores-epoch-\(epoch).png").path))
        }

        let b = try runFer(["train", "--run", interrupted.path, "--stop-after", "1"] + common)
        #expect(b.status == 0, "\(b.errors)")
        let c = try runFer(["train", "--resume", interrupted.path, "--quiet"])
        #expect(c.status == 0, "\(c.errors)")
        #expect(try Data(contentsOf: straight.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: interrupted.appendingPathComponent("model.safetensors")), "a resumed class-aware run must end with the same parameters")
        let summary = try runFer(["summarize", root.path])
        let described = "small-loss, per class, rate 0.25" + ["threshold": ", threshold from the last epoch", "history": ", ranked by history"][selection, default: ""]
            + (variant.contains("relabel") ? ", relabel" : "") + (variant.contains("correct") ? ", correct at 0.3" : "")
        #expect(summary.status == 0 && summary.output.contains(described) && summary.output.contains("AUROC"), "\(summary.output)")

        // fer evaluate reports the mask's record per epoch, from metrics.jsonl, and keeps it in evaluation.json.
        let evaluated = try runFer(["evaluate", "--run", straight.path])
        #expect(evaluated.status == 0, "\(evaluated.errors)")
        let lines = evaluated.output.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("the mask on the training labels, per epoch") }, "\(evaluated.output)")
        for (offset, record) in records.enumerated() {
            let index = header + 2 + offset
            try #require(lines.indices.contains(index), "the table has fewer lines than epochs: \(evaluated.output)")
            let row = lines[index].split(separator: " ").map(String.init)
            let auroc = try #require(record.maskScores?.auroc, "epoch \(record.epoch) has no AUROC")
            #expect(row.first == String(record.epoch) && row[5] == String(format: "%.3f", auroc), "\(row)")
            // The class-aware rule's drop rate in force, after the masked share; with correction,
            // the share corrected and the share of those that are right.
            #expect(row.count == (variant.contains("correct") ? 8 : 6) && row[2] == String(format: "%.1f%%", 100 * (record.dropRate ?? -1)), "\(row)")
            if variant.contains("correct") {
                #expect(row[6] == String(format: "%.1f%%", 100 * (record.correctedShare ?? -1))
                        && row[7] == (record.correctionPrecision.map { String(format: "%.3f", $0) } ?? "-"), "\(row)")
            }
        }
        let json = try String(contentsOf: straight.appendingPathComponent("evaluation.json"), encoding: .utf8)
        #expect(json.contains("\"maskByEpoch\"") && json.contains("\"auroc\""), "\(json)")
    }

    /// The random control runs without an autoencoder, drops the rate's share of each class
    /// from the second epoch (history selection) and is scored like any rule.
    @Test func randomControlDropsTheRateWithoutAnAutoencoder() throws {
        let root = try temporaryDirectory("fer-random")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 10)
        let run = root.appendingPathComponent("random")
        let trained = try runFer(["train", "--run", run.path, "--data", "folder:\(data.path):\(data.path)", "--side", "32", "--width", "0.125",
                                  "--epochs", "2", "--batch-size", "8", "--sampling", "shuffled", "--label-noise", "0.25", "--mask", "random",
                                  "--drop-rate", "0.25", "--selection", "history", "--quiet"])
        #expect(trained.status == 0, "\(trained.errors)")
        let records = try metrics(run)
        #expect(records.count == 2 && records[0].maskedShare == 0 && records[1].maskedShare == 0.25, "\(records.map(\.maskedShare))")
        #expect(records[1].maskScores.map { (0...1).contains($0.auroc) } ?? false)
        let summary = try runFer(["summarize", root.path])
        #expect(summary.status == 0 && summary.output.contains("| random, per class, rate 0.25, ranked by history |"), "\(summary.output)")
    }

    /// The ceiling for every mask: the same run's images without the flipped ones.
    @Test func perfectMaskTrainsOnTheUnflippedImagesAndResumes() throws {
        let root = try temporaryDirectory("fer-perfect-mask")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 10)
        let common = ["--data", "folder:\(data.path):\(data.path)", "--side", "32", "--width", "0.125", "--epochs", "2", "--batch-size", "8", "--quiet"]
        let noClean = try runFer(["train", "--run", root.appendingPathComponent("no-noise").path, "--drop-flipped-labels"] + common)
        #expect(noClean.status != 0 && noClean.errors.contains("--drop-flipped-labels needs --label-noise above 0"), "\(noClean.errors)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("no-noise").path))

        // 40 images, exactly round(0.25 x 40) = 10 flipped and left out.
        let perfect = root.appendingPathComponent("perfect"), interrupted = root.appendingPathComponent("interrupted")
        let noisy = ["--label-noise", "0.25", "--drop-flipped-labels"] + common
        let a = try runFer(["train", "--run", perfect.path] + noisy)
        #expect(a.status == 0, "\(a.errors)")
        #expect(a.errors.contains("training on the 30 images whose labels the noise left alone (10 flipped ones left out)"), "\(a.errors)")
        #expect(a.output.contains("30 training and") || a.errors.contains("30 training and"))
        let records = try metrics(perfect)
        #expect(records.count == 2 && records.allSatisfy { $0.maskPrecision == nil && $0.maskedShare == nil })
        #expect(try String(contentsOf: perfect.appendingPathComponent("data.json"), encoding: .utf8).contains("\"dropFlippedLabels\" : true"))

        // Exactly the unflipped images, in order, with their (clean) labels.
        let dataArguments = ["--data", "folder:\(data.path):\(data.path)", "--label-noise", "0.25"]
        let all = try DataOptions.parse(dataArguments).load(side: 32, seed: 0)
        let kept = try DataOptions.parse(dataArguments + ["--drop-flipped-labels"]).load(side: 32, seed: 0)
        let flags = try #require(all.noise).isFlipped
        let unflipped = flags.indices.filter { !flags[$0] }
        #expect(kept.noise == nil && kept.train.count == unflipped.count && unflipped.count == 30)
        #expect(kept.train.labels == unflipped.map { all.train.labels[$0] })
        #expect(kept.train.labels == unflipped.map { all.noise!.cleanLabels[$0] })
        for (position, index) in unflipped.enumerated() {
            #expect(try kept.train.image(at: position).pixels == all.train.image(at: index).pixels, "image \(position)")
        }
        #expect(throws: (any Error).self) { try DataOptions.parse(["--label-noise", "1", "--drop-flipped-labels"]) }
        let autoencoder = try runFer(["pretrain-autoencoder", "--run", root.appendingPathComponent("ae").path, "--drop-flipped-labels"] + dataArguments)
        #expect(autoencoder.status != 0 && autoencoder.errors.contains("--drop-flipped-labels applies to fer train"), "\(autoencoder.errors)")

        // Resuming reloads the same 30 images: the same parameters as the straight run.
        #expect(try runFer(["train", "--run", interrupted.path, "--stop-after", "1"] + noisy).status == 0)
        // Until then, the summary leaves the unfinished run out and says so.
        let partial = try runFer(["summarize", root.path])
        #expect(partial.status == 0 && partial.errors.contains("not counted, 1 train run(s) unfinished:\n  \(interrupted.path) (1 of 2 epochs)"), "\(partial.errors)")
        #expect(partial.output.contains("| perfect mask (the flipped labels left out) | side 32, width 0.125, 2 epochs | 0 |"), "\(partial.output)")
        // A run folder whose configuration cannot be read is named too (and then removed).
        let broken = root.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("{\"side\": ".utf8).write(to: broken.appendingPathComponent("config.json"))
        try Data().write(to: broken.appendingPathComponent("metrics.jsonl"))
        let withBroken = try runFer(["summarize", root.path])
        #expect(withBroken.status == 0 && withBroken.errors.contains("not counted, 1 train run(s) with an unreadable configuration:\n  \(broken.path): "), "\(withBroken.errors)")
        try FileManager.default.removeItem(at: broken)
        let c = try runFer(["train", "--resume", interrupted.path, "--quiet"])
        #expect(c.status == 0 && c.errors.contains("training on the 30 images"), "\(c.errors)")
        #expect(try Data(contentsOf: perfect.appendingPathComponent("model.safetensors"))
                == Data(contentsOf: interrupted.appendingPathComponent("model.safetensors")), "a resumed perfect-mask run must end with the same parameters")

        // No mask: fer evaluate has no mask figures to report.
        let evaluated = try runFer(["evaluate", "--run", perfect.path])
        #expect(evaluated.status == 0 && !evaluated.output.contains("the mask on the training labels"), "\(evaluated.output)")

        // The summary keeps it apart from the baseline on the same noisy labels.
        #expect(try runFer(["train", "--run", root.appendingPathComponent("baseline").path, "--label-noise", "0.25"] + common).status == 0)
        let summary = try runFer(["summarize", root.path])
        #expect(summary.status == 0, "\(summary.errors)")
        let rows = summary.output.split(separator: "\n").filter { $0.hasPrefix("| 25% symmetric noise") }
        #expect(rows.count == 2 && rows.contains { $0.contains("| perfect mask (the flipped labels left out) |") } && rows.contains { $0.contains("| baseline |") }, "\(summary.output)")
        #expect(rows.contains { $0.contains("| baseline |") && $0.contains(" | - | ") }, "the baseline row has no pair: \(summary.output)")
        // Both perfect-mask runs (seed 0, straight and resumed) are paired with the seed-0 baseline; they end alike.
        let baselineAccuracy = try #require(try metrics(root.appendingPathComponent("baseline")).last?.testAccuracy)
        let perfectAccuracy = try #require(records.last?.testAccuracy)
        let expected = String(format: "%+.2f ± 0.00 (2 pairs)", 100 * (perfectAccuracy - baselineAccuracy))
        #expect(rows.contains { $0.contains("| perfect mask (the flipped labels left out) |") && $0.contains("| \(expected) |") }, "\(expected) in \(summary.output)")
    }

    /// The autoencoder learns from images only: label-noise options given to its stages are
    /// recorded but not applied, so instance noise trains no probe classifier, on a new run or a resume.
    @Test func autoencoderStagesTrainNoInstanceNoiseProbe() throws {
        let root = try temporaryDirectory("fer-ae-noise")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 6)
        let spec = ["--data", "folder:\(data.path):\(data.path)", "--label-noise", "0.25", "--noise-mode", "instance"]
        let ae = root.appendingPathComponent("ae")
        let pretrain = try runFer(["pretrain-autoencoder", "--run", ae.path, "--side", "32", "--latent-size", "8", "--pretrain-epochs", "2",
                                   "--pretrain-batch-size", "8", "--quiet"] + spec)
        #expect(pretrain.status == 0, "\(pretrain.errors)")
        #expect(!pretrain.errors.contains("instance noise"), "\(pretrain.errors)")
        #expect(pretrain.errors.contains("--label-noise 0.25 is not applied"), "\(pretrain.errors)")
        let dataFile = try String(contentsOf: ae.appendingPathComponent("data.json"), encoding: .utf8)
        #expect(dataFile.contains("\"noiseMode\" : \"instance\""), "data.json keeps the options as given: \(dataFile)")
        let resumed = try runFer(["pretrain-autoencoder", "--resume", ae.path, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(!resumed.errors.contains("instance noise"), "\(resumed.errors)")
        let refine = try runFer(["refine-autoencoder", "--autoencoder", ae.path, "--run", root.appendingPathComponent("refined").path,
                                 "--refine-epochs", "1", "--refine-batch-size", "8", "--quiet"] + spec)
        #expect(refine.status == 0, "\(refine.errors)")
        #expect(!refine.errors.contains("instance noise"), "\(refine.errors)")
    }

    @Test func labelAwareNeedsAnAutoencoderAndMeasuredNeighbours() throws {
        let root = try temporaryDirectory("fer-label-aware")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 6)
        let spec = ["--data", "folder:\(data.path):\(data.path)"]
        let classifier = ["--side", "32", "--width", "0.125", "--epochs", "1", "--batch-size", "8", "--quiet"]
        let missing = try runFer(["train", "--run", root.appendingPathComponent("no-ae").path, "--mask", "label-aware"] + classifier + spec)
        #expect(missing.status != 0 && missing.errors.contains("needs --autoencoder"))
        let badRate = try runFer(["train", "--run", root.appendingPathComponent("bad").path, "--mask", "small-loss", "--drop-rate", "1.5"] + classifier + spec)
        #expect(badRate.status != 0 && badRate.errors.contains("--drop-rate must be a number in [0, 1) or estimated"))
        let ignored = try runFer(["train", "--run", root.appendingPathComponent("ignored").path, "--mask", "batch", "--drop-rate", "0.2"] + classifier + spec)
        #expect(ignored.status != 0 && ignored.errors.contains("--drop-rate, --warmup-epochs, --ranking-window, --selection, --mask-action and --correction-confidence apply to the class-aware masks"))
        let unaveraged = try runFer(["train", "--run", root.appendingPathComponent("unaveraged").path, "--mask", "small-loss", "--mask-action", "correct"] + classifier + spec)
        #expect(unaveraged.status != 0 && unaveraged.errors.contains("--mask-action correct averages predictions over the epochs: add --selection history"), "\(unaveraged.errors)")
        let confidenceAlone = try runFer(["train", "--run", root.appendingPathComponent("confidence").path, "--mask", "small-loss", "--correction-confidence", "0.7"] + classifier + spec)
        #expect(confidenceAlone.status != 0 && confidenceAlone.errors.contains("--correction-confidence applies to --mask-action correct, not to drop"))
        let badConfidence = try runFer(["train", "--run", root.appendingPathComponent("bad-confidence").path, "--mask", "small-loss", "--selection", "history",
                                        "--mask-action", "correct", "--correction-confidence", "0"] + classifier + spec)
        #expect(badConfidence.status != 0 && badConfidence.errors.contains("--correction-confidence must be in (0, 1], got 0.0"), "\(badConfidence.errors)")
        for name in ["unaveraged", "confidence", "bad-confidence"] {
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path), "a refused run leaves no folder")
        }
        let windowed = try runFer(["train", "--run", root.appendingPathComponent("windowed").path, "--mask", "small-loss", "--selection", "threshold", "--ranking-window", "64"] + classifier + spec)
        #expect(windowed.status != 0 && windowed.errors.contains("--selection threshold does not use it"))
        let badSelection = try runFer(["train", "--run", root.appendingPathComponent("bad-selection").path, "--mask", "small-loss", "--selection", "median"] + classifier + spec)
        #expect(badSelection.status != 0 && badSelection.errors.contains("--selection"))
        let threshold = try runFer(["train", "--run", root.appendingPathComponent("threshold").path, "--mask", "small-loss", "--threshold", "0.3"] + classifier + spec)
        #expect(threshold.status != 0 && threshold.errors.contains("--threshold applies to the paper's masks"))

        let ae = root.appendingPathComponent("ae")
        #expect(try runFer(["pretrain-autoencoder", "--run", ae.path, "--side", "32", "--latent-size", "8", "--pretrain-epochs", "1",
                         "--pretrain-batch-size", "8", "--quiet"] + spec).status == 0)
        let aeRecord = try JSONDecoder().decode(AutoencoderEpochRecord.self, from: Data(contentsOf: ae.appendingPathComponent("metrics.jsonl")))
        #expect(aeRecord.testPSNR.map { $0.isFinite && $0 > 0 } ?? false, "the autoencoder stage reports its test PSNR")
        let run = root.appendingPathComponent("label-aware")
        let trained = try runFer(["train", "--run", run.path, "--autoencoder", ae.path, "--mask", "label-aware", "--label-noise", "0.25"] + classifier + spec)
        #expect(trained.status == 0, "\(trained.errors)")
        #expect(try metrics(run).count == 1)

        let picture = root.appendingPathComponent("grid.png")
        let measured = try runFer(["neighbors", "--autoencoder", ae.path, "--classifier", run.path, "--sigma", "0,0.5", "--measure", "12",
                                "--count", "2", "--neighbors", "2", "--output", picture.path, "--json"] + spec)
        #expect(measured.status == 0, "\(measured.errors)")
        let lines = measured.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count == 2)
        let qualities = try lines.map { try JSONDecoder().decode(NeighborQuality.self, from: Data($0.utf8)) }
        // sigma 0: the neighbour is the reconstruction itself.
        #expect(abs(qualities[0].neighborPSNR - qualities[0].reconstructionPSNR) < 1e-6)
        #expect(qualities[0].flipRate != nil && qualities[0].images == 12)
        #expect(qualities.map(\.sigma) == [0, 0.5])
        #expect(qualities.allSatisfy { $0.reconstructionPSNR == qualities[0].reconstructionPSNR }, "the reconstruction does not depend on sigma")
        for name in ["grid-sigma0.0.png", "grid-sigma0.5.png"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path), "\(name)")
        }
        let badSigma = try runFer(["neighbors", "--autoencoder", ae.path, "--sigma", "0.1,x"] + spec)
        #expect(badSigma.status != 0 && badSigma.errors.contains("--sigma takes"))
    }

    @Test func demoComparesThreeMethodsWithTheirAUROC() throws {
        let root = try temporaryDirectory("fer-demo")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 8)
        let output = root.appendingPathComponent("demo")
        let demo = try runFer(["demo", "--data", "folder:\(data.path):\(data.path)", "--output", output.path, "--width", "0.125",
                               "--train-limit", "32", "--test-limit", "16", "--label-noise", "0.25", "--autoencoder-epochs", "1",
                               "--epochs", "2", "--batch-size", "8", "--quiet"])
        #expect(demo.status == 0, "\(demo.errors)")
        for column in ["baseline", "masked (BT)", "small-loss"] { #expect(demo.output.contains(column), "\(column)") }
        let auroc = try #require(demo.output.split(separator: "\n").first { $0.hasPrefix("AUROC of the score") })
        #expect(auroc.split(separator: " ").filter { Double($0) != nil }.count == 2, "the two masks report an AUROC: \(auroc)")
        // Under the table, what it says: one AUROC sentence and one accuracy sentence per mask.
        for method in ["masked (BT)", "small-loss"] {
            #expect(demo.output.contains("\(method): its score"), "\(method)'s AUROC sentence")
            #expect(demo.output.contains("\(method): ") && demo.output.contains("points against the baseline"), "\(method)'s accuracy sentence")
        }
        let aeMetrics = try String(contentsOf: output.appendingPathComponent("autoencoder/metrics.jsonl"), encoding: .utf8)
        #expect(aeMetrics.contains("\"testPSNR\""), "the demo's autoencoder stage reports its test PSNR")
        for picture in ["accuracy", "loss", "neighbors", "scores-masked", "scores-small-loss"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("pictures/\(picture).png").path), "\(picture)")
        }
    }
}
