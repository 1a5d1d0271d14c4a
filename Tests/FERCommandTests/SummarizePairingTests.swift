import Foundation
import Testing
import TestSupport
@testable import ExpressionRecognition
@testable import FERCommands

/// `fer summarize`'s column against the baseline: each run minus the baseline run of its seed.
@Suite("fer summarize pairs runs with the baseline by seed")
struct SummarizePairingTests {
    @Test func differencesOfTheSameSeeds() {
        let baseline: [(seed: UInt64, accuracy: Double)] = [(0, 0.8640), (1, 0.8440), (2, 0.8558)]
        // Seeds 0 and 2 have a baseline; seed 7 has none and is left out.
        let runs: [(seed: UInt64, accuracy: Double)] = [(0, 0.8762), (2, 0.8782), (7, 0.99)]
        // Differences 1.22 and 2.24 points: mean 1.73, sd (2.24 - 1.22) / sqrt(2) = 0.721.
        #expect(Summarize.pairedDifference(runs, baseline: baseline) == "+1.73 ± 0.72 (2 pairs)")
        #expect(Summarize.pairedDifference([(1, 0.8390)], baseline: baseline) == "-0.50 (1 pair)")
        #expect(Summarize.pairedDifference([(7, 0.99)], baseline: baseline) == "-")
        #expect(Summarize.pairedDifference([], baseline: baseline) == "-")
        // Two baseline runs of seed 1 (the same run repeated in two folders): paired with their mean, 84.00%.
        #expect(Summarize.pairedDifference([(1, 0.8500)], baseline: baseline + [(1, 0.8360)]) == "+1.00 (1 pair)")
    }

    /// The setting column names every setting that differs between runs of the same noise,
    /// and only those, so that runs with other settings are never averaged or paired together.
    @Test func settingLabelsNameWhatDiffers() {
        var settings = ClassifierSettings()
        settings.side = 32; settings.width = 0.25; settings.epochs = 20
        var lighter = settings
        lighter.weightDecay = 0.0012
        var noDropout = settings
        noDropout.dropoutRate = 0
        var data = RunData(try! DataOptions.parse(["--train-limit", "20000"]))
        var fewer = data
        fewer.trainLimit = 5000
        let items = { (s: ClassifierSettings, d: RunData) in Summarize.settingItems(s, data: d) }
        let labels = Summarize.settingLabels([("40% symmetric noise", items(settings, data)), ("40% symmetric noise", items(lighter, data)),
                                              ("40% symmetric noise", items(settings, data)), ("clean noise", items(noDropout, fewer)),
                                              ("clean noise", items(noDropout, fewer)), ("30% pairwise noise", items(settings, data)),
                                              ("30% pairwise noise", items(noDropout, fewer))])
        #expect(labels[0] == "side 32, width 0.25, 20 epochs, weight decay 0.002")
        #expect(labels[1] == "side 32, width 0.25, 20 epochs, weight decay 0.0012")
        #expect(labels[2] == labels[0])
        // One setting for the noise: nothing beyond side, width and epochs, whatever other noises hold.
        #expect(labels[3] == "side 32, width 0.25, 20 epochs" && labels[4] == labels[3])
        #expect(labels[5] == "side 32, width 0.25, 20 epochs, training images 20000, dropout 0.5")
        #expect(labels[6] == "side 32, width 0.25, 20 epochs, training images 5000, dropout 0.0")
        data.testLimit = 100
        #expect(Summarize.settingItems(settings, data: data).contains(Summarize.SettingItem(name: "test images", value: "100")))
    }

    /// Through the program: two baselines that differ in weight decay only get a row each, and
    /// a masked run pairs with the baseline of its own weight decay.
    @Test func runsWithOtherSettingsAreNotAveragedTogether() throws {
        let root = try temporaryDirectory("fer-summarize-settings")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 6)
        let common = ["--data", "folder:\(data.path):\(data.path)", "--side", "32", "--width", "0.125", "--epochs", "1", "--batch-size", "8",
                      "--sampling", "shuffled", "--label-noise", "0.25", "--quiet"]
        for (name, extra) in [("base-a", ["--weight-decay", "0.002"]), ("base-b", ["--weight-decay", "0.001"]),
                              ("masked-b", ["--weight-decay", "0.001", "--mask", "small-loss", "--drop-rate", "0.25"])] {
            let run = try runFer(["train", "--run", root.appendingPathComponent(name).path] + common + extra)
            #expect(run.status == 0, "\(run.errors)")
        }
        let summary = try runFer(["summarize", root.path])
        #expect(summary.status == 0, "\(summary.errors)")
        let rows = summary.output.split(separator: "\n").filter { $0.hasPrefix("| 25% symmetric noise") }
        #expect(rows.count == 3, "\(summary.output)")
        #expect(rows.filter { $0.contains("| baseline |") && $0.contains("weight decay 0.002 |") }.count == 1, "\(summary.output)")
        #expect(rows.filter { $0.contains("| baseline |") && $0.contains("weight decay 0.001 |") }.count == 1, "\(summary.output)")
        #expect(rows.filter { $0.contains("small-loss") && $0.contains("weight decay 0.001 |") && $0.contains("(1 pair)") }.count == 1,
                "\(summary.output)")
        // A noise rate is printed as given, not rounded to a whole percent that another rate shares.
        let other = try runFer(["train", "--run", root.appendingPathComponent("base-c").path] + common.map { $0 == "0.25" ? "0.125" : $0 })
        #expect(other.status == 0, "\(other.errors)")
        let again = try runFer(["summarize", root.path])
        #expect(again.output.split(separator: "\n").filter { $0.hasPrefix("| 12.5% symmetric noise | baseline |") }.count == 1, "\(again.output)")
    }

    /// Neighbour rules run with other autoencoders are told apart by what differs between the
    /// autoencoders, and nothing is added where they agree.
    @Test func autoencoderLabelsNameWhatDiffers() {
        let item = { (name: String, value: String) in Summarize.SettingItem(name: name, value: value) }
        let small = [item("pretrained", "2 epochs"), item("latentSize", "8"), item("side", "32")]
        let large = [item("pretrained", "2 epochs"), item("latentSize", "16"), item("side", "32")]
        let refined = [item("refined", "1 epochs"), item("latentSize", "8"), item("side", "32")]
        #expect(Summarize.autoencoderLabels([nil, small, small]) == [nil, nil, nil])
        #expect(Summarize.autoencoderLabels([nil, small, large]) == [nil, "latentSize 8", "latentSize 16"])
        #expect(Summarize.autoencoderLabels([small, refined]) == ["pretrained 2 epochs", "refined 1 epochs"])
        // One autoencoder that cannot be read is said, even with nothing to compare it with.
        #expect(Summarize.autoencoderLabels([nil, [item("unreadable", "/gone")]]) == [nil, "unreadable /gone"])
    }

    /// Through the program: runs of a neighbour rule with a non-default sigma, made with two
    /// autoencoders that differ in latent size, get a row each and both pair with the baseline;
    /// clean runs of two noise modes are one group.
    @Test func neighbourRulesWithOtherAutoencodersAreNotAveragedTogether() throws {
        let root = try temporaryDirectory("fer-summarize-autoencoders")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        try writeCornerDataset(in: data, perClass: 6)
        let spec = ["--data", "folder:\(data.path):\(data.path)"]
        for latent in ["8", "16"] {
            let pretrain = try runFer(["pretrain-autoencoder", "--run", root.appendingPathComponent("ae\(latent)").path, "--side", "32",
                                       "--latent-size", latent, "--pretrain-epochs", "1", "--pretrain-batch-size", "8", "--quiet"] + spec)
            #expect(pretrain.status == 0, "\(pretrain.errors)")
        }
        let common = spec + ["--side", "32", "--width", "0.125", "--epochs", "1", "--batch-size", "8", "--sampling", "shuffled", "--quiet"]
        for (name, extra) in [("base", ["--label-noise", "0.25"]),
                              ("batch8", ["--label-noise", "0.25", "--mask", "batch", "--sigma", "0.05", "--autoencoder", root.appendingPathComponent("ae8").path]),
                              ("batch16", ["--label-noise", "0.25", "--mask", "batch", "--sigma", "0.05", "--autoencoder", root.appendingPathComponent("ae16").path]),
                              ("clean-symmetric", []), ("clean-pairwise", ["--noise-mode", "pairwise"])] {
            let run = try runFer(["train", "--run", root.appendingPathComponent("runs/\(name)").path] + common + extra)
            #expect(run.status == 0, "\(run.errors)")
        }
        let summary = try runFer(["summarize", root.appendingPathComponent("runs").path])
        #expect(summary.status == 0, "\(summary.errors)")
        let rows = summary.output.split(separator: "\n").filter { $0.hasPrefix("| 25% symmetric noise") }
        #expect(rows.count == 3, "\(summary.output)")
        for latent in ["8", "16"] {
            #expect(rows.filter { $0.contains("Ours(BT) (sigma 0.05) (autoencoder: latentSize \(latent)) |") && $0.contains("(1 pair)") }.count == 1,
                    "\(summary.output)")
        }
        let clean = summary.output.split(separator: "\n").filter { $0.hasPrefix("| no noise | baseline |") }
        #expect(clean.count == 1 && clean.first?.contains("| 0,0 |") == true, "\(summary.output)")
    }
}
