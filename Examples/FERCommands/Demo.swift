import ArgumentParser
import ExpressionRecognition
import Foundation
import NeuralNetworks

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job: baseline, the paper's batch-threshold mask and the small-loss rule on Fashion-MNIST with injected label noise.",
        discussion: """
            Pretrains a small autoencoder, trains the baseline, the neighbourhood-aware method
            (Ours(BT), eq. 14) and the per-class small-loss rule on the same noisy labels,
            evaluates them and prints a table side by side, with how well each mask's score
            finds the flipped labels (AUROC; 0.5 is chance). The defaults finish in about 7
            minutes on 2 cores; larger settings are options.
            """)

    @Option(help: "Folder for the three runs and the pictures.") var output = "runs/demo"
    @Option(help: "The data (any --data form of the train command).") var data = "fashion-mnist"
    @Option(parsing: .unconditional, help: "Image side for both models.") var side = 32
    @Option(parsing: .unconditional, help: "Classifier channel width multiplier.") var width = 0.25
    @Option(parsing: .unconditional, help: "Training images (a seeded random subset).") var trainLimit = 6000
    @Option(parsing: .unconditional, help: "Test images.") var testLimit = 2000
    @Option(parsing: .unconditional, help: "Share of training labels flipped on purpose.") var labelNoise = 0.4
    // Batches of 16 for 12 epochs: about 17.1 dB test PSNR and recognisable neighbours in 2.5 minutes
    // on 2 cores, where batches of 64 for 8 epochs gave 15.0 dB and grey blobs (Docs/Reproduction.md).
    @Option(parsing: .unconditional, help: "Autoencoder pre-training epochs.") var autoencoderEpochs = 12
    @Option(parsing: .unconditional, help: "Autoencoder pre-training batch size.") var autoencoderBatchSize = 16
    @Option(parsing: .unconditional, help: "Autoencoder learning rate (SGD, momentum 0.9).") var autoencoderLearningRate = 3e-3
    @Option(parsing: .unconditional, help: "Classifier epochs (each method).") var epochs = 8
    @Option(parsing: .unconditional, help: "Decay the classifier's learning rate x0.1 every this many epochs.") var decayEvery = 6
    @Option(parsing: .unconditional, help: "Mini-batch size (a multiple of the class count: balanced batches).") var batchSize = 60
    @Option(parsing: .unconditional, help: "Semantic-neighbour noise (eq. 9); 0.05 keeps neighbours close (Docs/Reproduction.md).") var sigma = 0.05
    @Option(parsing: .unconditional, help: "Seed of everything.") var seed: UInt64 = 0
    @OptionGroup var precision: PrecisionOption
    @Flag(help: "Continue an interrupted demo from its checkpoints (give the same options as the first time).") var resume = false
    @Flag(help: "Delete the demo already in --output and start again.") var overwrite = false
    @OptionGroup var output2: OutputOptions

    static let stages = ["autoencoder", "baseline", "masked", "small-loss"]
    static let defaultOutput = "runs/demo"

    func validate() throws {
        if resume && overwrite { throw ValidationError("--overwrite starts again; it cannot be combined with --resume") }
        if output.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--output must not be empty") }
        for (name, value) in [("--train-limit", trainLimit), ("--test-limit", testLimit), ("--autoencoder-epochs", autoencoderEpochs),
                              ("--autoencoder-batch-size", autoencoderBatchSize)] where value < 1 {
            throw ValidationError("\(name) must be at least 1, got \(value)")
        }
        guard labelNoise.isFinite, (0...1).contains(labelNoise) else { throw ValidationError("--label-noise must be in [0, 1], got \(labelNoise)") }
    }

    /// Where this demo writes. A folder holding an earlier demo is never reused silently:
    /// with --resume it is continued, with --overwrite replaced; under the default name a
    /// fresh sibling (runs/demo-2, ...) is taken; any other name is refused.
    func outputFolder(progress: ProgressReporter) throws -> URL {
        let requested = URL(fileURLWithPath: output)
        func holdsDemo(_ url: URL) -> Bool { Self.stages.contains { RunFolder.holdsRun(url.appendingPathComponent($0)) } }
        if resume {
            guard holdsDemo(requested) else { throw ValidationError("\(requested.path) holds no demo to resume") }
            return requested
        }
        guard holdsDemo(requested), !overwrite else { return requested }
        guard output == Self.defaultOutput else {
            throw ValidationError("\(requested.path) already holds a demo; continue it with --resume, replace it with --overwrite, or choose another --output")
        }
        var index = 2
        while holdsDemo(URL(fileURLWithPath: "\(output)-\(index)")) { index += 1 }
        let fresh = URL(fileURLWithPath: "\(output)-\(index)")
        progress.log("demo: \(requested.path) holds an earlier demo (kept); writing this one to \(fresh.path) (--overwrite replaces the earlier one, --resume continues it)")
        return fresh
    }

    /// A stage's run folder: an existing one continued on --resume (its data must match),
    /// otherwise a fresh one (an earlier stage's files deleted under --overwrite).
    func stageFolder(_ name: String, root: URL, data: RunData) throws -> RunFolder {
        let url = root.appendingPathComponent(name)
        if resume && RunFolder.holdsRun(url) {
            let folder = try RunFolder.open(existing: url, writing: true)
            if let saved = try? RunData.load(from: folder), saved != data {
                throw ValidationError("the demo in \(root.path) was started with other data options (\(saved.data), \(saved.trainLimit.map(String.init) ?? "all") training images, noise \(saved.labelNoise)); resume with the same options, or start again with --overwrite")
            }
            return folder
        }
        // A stage the interrupted demo had not started yet, or a fresh demo.
        return try RunFolder.create(at: url, overwrite: resume || overwrite)
    }

    func run() throws {
        StopRequest.installSignalHandlers()
        let started = Date()
        let progress = ProgressReporter(quiet: output2.quiet)
        var dataOptions = try DataOptions.parse([])
        dataOptions.data = data; dataOptions.trainLimit = trainLimit; dataOptions.testLimit = testLimit; dataOptions.labelNoise = labelNoise
        let runData = RunData(dataOptions)

        // Every setting is checked before any folder is touched.
        // Every stage's convolutions in the chosen precision, recorded in each stage's config.json.
        let precision = try self.precision.setting()
        var aeSettings = AutoencoderSettings()
        aeSettings.side = side; aeSettings.latentSize = 32; aeSettings.seed = seed; aeSettings.precision = precision
        aeSettings.outputReLU = false  // a linear output cannot die in a short, fast pre-training
        aeSettings.pretrainEpochs = autoencoderEpochs; aeSettings.pretrainBatchSize = autoencoderBatchSize
        aeSettings.pretrainLearningRate = autoencoderLearningRate; aeSettings.pretrainDecayEvery = max(1, autoencoderEpochs * 3 / 4)
        try aeSettings.validate()
        let (train, test, noise, _) = try dataOptions.load(side: side, seed: seed)
        let classCount = train.classNames.count
        var base = ClassifierSettings()
        base.classCount = classCount
        base.side = side; base.width = width; base.epochs = epochs; base.batchSize = batchSize
        base.learningRateDecayEvery = decayEvery; base.neighborSigma = sigma; base.seed = seed; base.precision = precision
        var masked = base
        masked.mask = .batchMean
        var smallLoss = base
        smallLoss.classAwareMask = try ClassAwareRule(score: .sampleLoss, rate: .estimated, warmupEpochs: 1)
        try base.validate()
        try masked.validate()
        try smallLoss.validate()
        let root = try outputFolder(progress: progress)
        try refuseToStartAfterStopRequest("the demo")
        if overwrite {
            // All three stages go now, so that an interrupted --overwrite cannot leave an old
            // baseline or masked run to be resumed beside the new autoencoder.
            for stage in Self.stages where RunFolder.holdsRun(root.appendingPathComponent(stage)) {
                _ = try RunFolder.create(at: root.appendingPathComponent(stage), overwrite: true)
            }
        }
        progress.log("demo: \(train.count) training images (\(noise?.flippedCount ?? 0) labels flipped on purpose), \(test.count) test images, \(classCount) classes, side \(side)\(precisionNote(precision)), writing to \(root.path)")

        // 1. The autoencoder that makes semantic neighbours (eq. 4).
        let aeFolder = try stageFolder("autoencoder", root: root, data: runData)
        try runData.save(in: aeFolder)
        let aeTrainer = try AutoencoderTrainer(settings: aeSettings)
        let held = try AutoencoderRun<AnyImageDataset>.psnrSample(of: test, seed: seed)
        _ = try AutoencoderRun(folder: aeFolder, trainer: aeTrainer, train: train, stage: .pretrain, progress: progress, test: held).run(resume: resume)
        let autoencoder = aeTrainer.autoencoder

        // 2. Baseline, 3. the batch-threshold method and 4. the small-loss rule, on the same noisy labels.
        var results: [(name: String, records: [ClassifierEpochRecord], report: EvaluationReport, folder: RunFolder)] = []
        for (name, settings) in [("baseline", base), ("masked", masked), ("small-loss", smallLoss)] {
            let folder = try stageFolder(name, root: root, data: runData)
            try runData.save(in: folder)
            try AtomicFile.write(Data(aeFolder.url.path.utf8), to: folder.url.appendingPathComponent("autoencoder-path.txt"))
            let (records, report) = try ClassifierCommand.train(settings: settings, folder: folder, train: train, test: test, noise: noise,
                                                                autoencoder: autoencoder, resume: resume, progress: progress, label: name)
            results.append((name, records, report, folder))
        }

        // 4. Pictures: curves of both methods and the Fig. 3 grid.
        let pictures = root.appendingPathComponent("pictures")
        try FileManager.default.createDirectory(at: pictures, withIntermediateDirectories: true)
        try Charts.lineChart(title: "test accuracy", xLabel: "EPOCH", series: results.map { r in
            .init(name: r.name, points: r.records.map { (Double($0.epoch), $0.testAccuracy) })
        }).writePNG(to: pictures.appendingPathComponent("accuracy.png"))
        try Charts.lineChart(title: "training loss", xLabel: "EPOCH", series: results.map { r in
            .init(name: r.name, points: r.records.map { (Double($0.epoch), $0.trainLoss) })
        }).writePNG(to: pictures.appendingPathComponent("loss.png"))
        try neighborPicture(autoencoder: autoencoder, test: test, to: pictures.appendingPathComponent("neighbors.png"))
        // How each mask's score separates flipped from clean labels in the last epoch.
        for result in results {
            guard let separation = result.records.last?.maskScores else { continue }
            try Charts.scoreDistributions(separation, title: "\(result.name): score, last epoch")
                .writePNG(to: pictures.appendingPathComponent("scores-\(result.name).png"))
        }

        // 5. The table.
        print(table(results.map { ($0.name, $0.records, $0.report) }, noise: noise))
        // 6. What the table says, computed from it.
        let reading = DemoReading.lines(results.map { r in
            DemoReading.Method(name: r.name == "masked" ? "masked (BT)" : r.name, auroc: r.records.last?.maskScores?.auroc, accuracy: r.report.accuracy)
        }, testCount: test.count)
        if !reading.isEmpty { print("\n" + reading.joined(separator: "\n")) }
        print("\nruns: \(root.path)/{autoencoder,baseline,masked,small-loss}; pictures: \(pictures.path)/{accuracy,loss,neighbors,scores-masked,scores-small-loss}.png and each run's pictures/confusion.png")
        print("total time \(ProgressReporter.duration(Date().timeIntervalSince(started)))")
    }

    func neighborPicture(autoencoder: AsymmetricAutoencoder<Float>, test: AnyImageDataset, to url: URL) throws {
        let chosen = try test.limited(to: 6, seed: seed)
        let images = try (0..<chosen.count).map { try chosen.image(at: $0).pixels }
        let generator = try SemanticNeighborGenerator(encoder: autoencoder.encoder, decoder: autoencoder.decoder, sigma: sigma, random: RandomStream(seed: seed))
        let rows = try neighborGridRows(autoencoder: autoencoder, images: images, generator: generator, count: 5)
        try Charts.neighborGrid(rows: rows, side: side, scale: max(1, 96 / side)).writePNG(to: url)
    }

    func table(_ results: [(name: String, records: [ClassifierEpochRecord], report: EvaluationReport)], noise: NoisyLabels?) -> String {
        func percent(_ x: Double?) -> String { x.map { String(format: "%.2f%%", 100 * $0) } ?? "-" }
        var rows: [(String, [String])] = [
            ("test accuracy", results.map { percent($0.report.accuracy) }),
            ("mean per-class accuracy", results.map { percent($0.report.meanPerClassAccuracy) }),
            ("best epoch accuracy", results.map { percent($0.records.map(\.testAccuracy).max()) }),
            ("share masked (last epoch)", results.map { percent($0.records.last?.maskedShare) }),
        ]
        if noise != nil {
            rows.append(("mask precision on flips", results.map { percent($0.records.last?.maskPrecision) }))
            rows.append(("mask recall on flips", results.map { percent($0.records.last?.maskRecall) }))
            rows.append(("AUROC of the score (0.5 = chance)", results.map { $0.records.last?.maskScores.map { String(format: "%.3f", $0.auroc) } ?? "-" }))
        }
        rows.append(("prediction flips (neigh.)", results.map { percent($0.report.stability?.flipRate) }))
        rows.append(("mean sym. KL (neigh.)", results.map { $0.report.stability.map { String(format: "%.4f", $0.meanDivergence) } ?? "-" }))
        rows.append(("training time", results.map { ProgressReporter.duration($0.records.map(\.seconds).reduce(0, +)) }))
        let labelWidth = 34, columnWidth = 14
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        var lines = [pad("", labelWidth) + results.map { pad($0.name == "masked" ? "masked (BT)" : $0.name, columnWidth) }.joined()]
        lines.append(String(repeating: "-", count: labelWidth + columnWidth * results.count))
        for (label, values) in rows { lines.append(pad(label, labelWidth) + values.map { pad($0, columnWidth) }.joined()) }
        return lines.joined(separator: "\n")
    }
}
