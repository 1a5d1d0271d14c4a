import ArgumentParser
import ExpressionRecognition
import Foundation
import NeuralNetworks

package struct Train: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        abstract: "Train the two-branch classifier: the baseline, or with the neighbourhood-aware mask (Algorithm 1).")

    @OptionGroup var location: RunLocation
    @Option(help: "Autoencoder run folder (pretrain-autoencoder or refine-autoencoder); required with --mask.") var autoencoder: String?
    @Option(parsing: .unconditional, help: "Stop once this many epochs are done in total; continue later with --resume.") var stopAfter: Int?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var classifier: ClassifierOptions
    @OptionGroup var output: OutputOptions

    package func validate() throws {
        if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1, got \(stopAfter)") }
    }

    package func run() throws { try run(parallel: nil) }

    /// The global batch the run will use (a new run's --batch-size, or the resumed run's),
    /// for fer-distributed to check against the process count before anything starts.
    package func globalBatchSize() throws -> Int {
        guard let path = location.resume else { return classifier.batchSize }
        return try RunFolder.open(existing: URL(fileURLWithPath: path)).readConfiguration(ClassifierSettings.self).batchSize
    }

    /// Trains in this process, or as one process of a data-parallel job (fer-distributed):
    /// then every process loads the data and trains on its shard, and rank 0 alone writes.
    package func run(parallel: ParallelContext?) throws {
        StopRequest.installSignalHandlers()
        let writes = parallel?.writes ?? true
        let progress = ProgressReporter(quiet: output.quiet, silent: !writes)
        if let path = location.resume {
            let folder = try RunFolder.open(existing: URL(fileURLWithPath: path), writing: writes)
            let settings = try folder.readConfiguration(ClassifierSettings.self)
            try settings.validate()
            _ = try parallel?.dataParallel.localBatchSize(globalBatchSize: settings.batchSize)
            let (train, test, noise) = try Self.loadData(of: folder, side: settings.side, seed: settings.seed)
            // The run continues with the autoencoder it was trained with, never another one.
            let recorded = try? String(contentsOf: folder.url.appendingPathComponent("autoencoder-path.txt"), encoding: .utf8)
            if let autoencoder, let recorded, URL(fileURLWithPath: autoencoder).path != recorded.trimmingCharacters(in: .whitespacesAndNewlines) {
                throw ValidationError("this run was trained with the autoencoder in \(recorded); resume without --autoencoder")
            }
            let autoencoderModel = try autoencoder.map(loadAutoencoder) ?? (settings.needsNeighbors ? try autoencoderFromRun(folder) : nil)
            try ClassifierCommand.train(settings: settings, folder: folder, train: train, test: test, noise: noise,
                                        autoencoder: autoencoderModel, resume: true, progress: progress,
                                        label: settings.methodLabel, stopAfter: stopAfter, parallel: parallel)
            return
        }
        // A new run: every check before the folder is touched (--overwrite deletes the old run).
        let data = RunData(dataOptions)
        try classifier.validateBeforeLoading()
        let loaded = try dataOptions.load(side: classifier.side, seed: classifier.seed)
        var (train, test, noise) = (loaded.train, loaded.test, loaded.noise)
        let injected = loaded.injected
        let settings = try classifier.settings(classCount: train.classNames.count)
        if settings.needsNeighbors && autoencoder == nil {
            throw ValidationError("--mask \(classifier.mask) needs --autoencoder FOLDER (a pretrain-autoencoder run)")
        }
        _ = try parallel?.dataParallel.localBatchSize(globalBatchSize: settings.batchSize)
        let autoencoderModel = try autoencoder.map(loadAutoencoder)
        // Ctrl-C during the data loading: stop before --overwrite deletes anything.
        try refuseToStartAfterStopRequest("the run")
        let folder = try openNewRunFolder(location, parallel: parallel) {
            let (folder, _) = try location.open()
            try data.save(in: folder)
            if let injected {
                try NoisyLabelsFile(noiseMode: data.noiseMode, labelNoise: data.labelNoise, labels: injected.labels).save(in: folder)
            }
            if let autoencoder {
                try AtomicFile.write(Data(URL(fileURLWithPath: autoencoder).path.utf8), to: folder.url.appendingPathComponent("autoencoder-path.txt"))
            }
            // The configuration last: from here on the folder is a run that --resume continues;
            // killed before, it is an unstarted run that --run may take again.
            try folder.writeConfiguration(settings)
            return folder
        }
        // Every process injected the noise itself; rank 0's labels, now in the folder, are the
        // run's. A process whose instance-noise probe summed in another order (another
        // OpenBLAS core) takes them instead of training on other labels.
        if let parallel, !parallel.writes, let injected {
            guard let saved = try NoisyLabelsFile.load(from: folder, data: data) else {
                throw ValidationError("process \(parallel.dataParallel.rank) finds no noisy-labels.json in \(folder.url.path) after rank 0 created the run: the processes must share the run folder")
            }
            if saved.labels != injected.labels {
                FileHandle.standardError.write(Data("process \(parallel.dataParallel.rank): its noisy labels differ from rank 0's; it trains on rank 0's (\(saved.path))\n".utf8))
                (train, test, noise, _) = try dataOptions.load(side: classifier.side, seed: classifier.seed, saved: saved)
            }
        }
        try ClassifierCommand.train(settings: settings, folder: folder, train: train, test: test, noise: noise,
                                    autoencoder: autoencoderModel, resume: false, progress: progress,
                                    label: settings.methodLabel, stopAfter: stopAfter, parallel: parallel)
    }

    /// A resumed run's data, with the training labels it saved (noisy-labels.json). A run
    /// written before that file existed injects its noise again, which for instance-dependent
    /// noise gives the same labels only with the same worker count and OpenBLAS core.
    static func loadData(of folder: RunFolder, side: Int, seed: UInt64) throws -> (AnyImageDataset, AnyImageDataset, NoisyLabels?) {
        let data = try RunData.load(from: folder)
        let saved = try NoisyLabelsFile.load(from: folder, data: data)
        if saved == nil, data.labelNoise > 0, data.noiseMode == LabelNoise.Mode.instance.rawValue {
            FileHandle.standardError.write(Data("note: \(folder.url.path) has no noisy-labels.json (a run from before it was saved): the instance noise is computed again, which matches the run's only with the same FER_THREADS and OpenBLAS core\n".utf8))
        }
        let (train, test, noise, _) = try data.options.load(side: side, seed: seed, saved: saved)
        return (train, test, noise)
    }

    /// A resumed masked run finds its autoencoder where the first run recorded it.
    func autoencoderFromRun(_ folder: RunFolder) throws -> AsymmetricAutoencoder<Float>? {
        let pointer = folder.url.appendingPathComponent("autoencoder-path.txt")
        guard let path = try? String(contentsOf: pointer, encoding: .utf8) else {
            throw ValidationError("--mask needs --autoencoder FOLDER (a pretrain-autoencoder run)")
        }
        return try loadAutoencoder(path.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

enum ClassifierCommand {
    /// Builds the trainer, runs it, writes the pictures, and returns the final evaluation
    /// (nil on the processes of a data-parallel run other than rank 0, which write nothing).
    @discardableResult
    static func train(settings: ClassifierSettings, folder: RunFolder, train: AnyImageDataset, test: AnyImageDataset, noise: NoisyLabels?,
                      autoencoder: AsymmetricAutoencoder<Float>?, resume: Bool, progress: ProgressReporter, label: String,
                      stopAfter: Int? = nil, parallel: ParallelContext?) throws -> (records: [ClassifierEpochRecord], report: EvaluationReport)? {
        let weights = settings.weightedLoss ? try ClassWeights.inverseFrequency(labels: train.labels, classCount: settings.classCount) : nil
        let trainer = try ClassifierTrainer(settings: settings, autoencoder: autoencoder, classWeights: weights)
        try parallel?.prepareClassifier(trainer.model)
        progress.log("\(label): \(train.count) training and \(test.count) test images at \(settings.side)x\(settings.side), \(settings.classCount) classes, \(trainer.model.parameterCount) parameters" + precisionNote(settings.precision) +
                     (noise.map { ", \($0.flippedCount) training labels flipped on purpose" } ?? "") +
                     (parallel.map { "; " + $0.describe(globalBatch: settings.batchSize) } ?? ""))
        let writes = parallel?.writes ?? true
        if writes { try AtomicFile.write(JSONEncoder().encode(train.classNames), to: folder.url.appendingPathComponent("classes.json")) }
        let run = ClassifierRun(folder: folder, trainer: trainer, train: train, test: test, isFlipped: noise?.isFlipped, cleanLabels: noise?.cleanLabels, progress: progress, label: label,
                                dataParallel: parallel?.dataParallel)
        let records = try run.run(resume: resume, stopAfter: stopAfter)
        guard writes else { return nil }
        return try finish(settings: settings, trainer: trainer, records: records, folder: folder, test: test, autoencoder: autoencoder,
                          progress: progress, label: label)
    }

    /// The single-process form, for the demo: always evaluates.
    static func train(settings: ClassifierSettings, folder: RunFolder, train: AnyImageDataset, test: AnyImageDataset, noise: NoisyLabels?,
                      autoencoder: AsymmetricAutoencoder<Float>?, resume: Bool, progress: ProgressReporter, label: String) throws
        -> (records: [ClassifierEpochRecord], report: EvaluationReport) {
        guard let result = try self.train(settings: settings, folder: folder, train: train, test: test, noise: noise, autoencoder: autoencoder,
                                          resume: resume, progress: progress, label: label, stopAfter: nil, parallel: nil) else {
            throw ValidationError("one process always evaluates its run")
        }
        return result
    }

    /// The final evaluation, evaluation.json, the confusion matrix and the curves.
    static func finish(settings: ClassifierSettings, trainer: ClassifierTrainer, records: [ClassifierEpochRecord], folder: RunFolder,
                       test: AnyImageDataset, autoencoder: AsymmetricAutoencoder<Float>?, progress: ProgressReporter, label: String) throws
        -> (records: [ClassifierEpochRecord], report: EvaluationReport) {
        let neighbors = try autoencoder.map {
            try SemanticNeighborGenerator(encoder: $0.encoder, decoder: $0.decoder, sigma: settings.neighborSigma, random: RandomStream(seed: settings.seed &+ 99))
        }
        // In the run's precision, as the evaluations after each epoch.
        let report = try ComputePrecision.inRun(settings.precision) { try Evaluator.evaluate(trainer.model, on: test, neighbors: neighbors) }
        if report.skipped.count > 0 { progress.log("\(label): test: \(report.skipped)") }
        try writeReport(report, classNames: test.classNames, folder: folder, title: label, maskEpochs: MaskEpochSummary.rows(of: records))
        try Charts.lineChart(title: "\(label): training loss", xLabel: "EPOCH",
                             series: [.init(name: "loss", points: records.map { (Double($0.epoch), $0.trainLoss) })])
            .writePNG(to: folder.pictures.appendingPathComponent("loss.png"))
        try Charts.lineChart(title: "\(label): test accuracy", xLabel: "EPOCH",
                             series: [.init(name: "accuracy", points: records.map { (Double($0.epoch), $0.testAccuracy) }),
                                      .init(name: "mean class acc.", points: records.map { (Double($0.epoch), $0.testMeanClassAccuracy) })])
            .writePNG(to: folder.pictures.appendingPathComponent("accuracy.png"))
        for record in records {
            guard let separation = record.maskScores else { continue }
            try Charts.scoreDistributions(separation, title: "\(label): mask score, epoch \(record.epoch)")
                .writePNG(to: folder.pictures.appendingPathComponent("scores-epoch-\(record.epoch).png"))
        }
        return (records, report)
    }

    /// evaluation.json, the printed confusion matrix and its picture; `maskEpochs`, the mask on
    /// the training labels per epoch (nil for a run without a mask).
    static func writeReport(_ report: EvaluationReport, classNames: [String], folder: RunFolder, title: String,
                            maskEpochs: [MaskEpochSummary]?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        struct Summary: Encodable {
            let accuracy: Double, meanPerClassAccuracy: Double, confusion: [[Int]], classNames: [String]
            let predictionFlipRate: Double?, meanNeighborDivergence: Double?
            let failureRate: Double?, consistentFailureRate: Double?
            let maskByEpoch: [MaskEpochSummary]?
        }
        let summary = Summary(accuracy: report.accuracy, meanPerClassAccuracy: report.meanPerClassAccuracy,
                              confusion: report.confusion.counts, classNames: classNames,
                              predictionFlipRate: report.stability?.flipRate, meanNeighborDivergence: report.stability?.meanDivergence,
                              failureRate: report.sequenceConsistency?.failureRate,
                              consistentFailureRate: report.sequenceConsistency?.consistentFailureRate,
                              maskByEpoch: maskEpochs)
        try AtomicFile.write(encoder.encode(summary), to: folder.url.appendingPathComponent("evaluation.json"))
        try Charts.confusionMatrix(report.confusion, classNames: classNames, title: "\(title): confusion")
            .writePNG(to: folder.pictures.appendingPathComponent("confusion.png"))
    }
}

/// The autoencoder stages learn from images, not labels: an option that only selects by label
/// would shrink their training set unnoticed.
func refuseLabelOnlyOptions(_ data: DataOptions) throws {
    if data.dropFlippedLabels { throw ValidationError("--drop-flipped-labels applies to fer train: the autoencoder learns from images, not labels") }
}

/// The data options an autoencoder stage loads with: the autoencoder learns from images, not
/// labels, so injected label noise is left out (an instance-noise probe would train a
/// classifier for nothing). The run's data.json still records the options as given.
func imagesOnly(_ options: DataOptions) -> DataOptions {
    guard options.labelNoise > 0 else { return options }
    FileHandle.standardError.write(Data("note: the autoencoder learns from images, not labels: --label-noise \(options.labelNoise) is not applied\n".utf8))
    var images = options
    images.labelNoise = 0
    return images
}

/// Ctrl-C or SIGTERM while the data loaded: stop before a folder is created or (with
/// --overwrite) an old run deleted.
func refuseToStartAfterStopRequest(_ what: String) throws {
    if let signal = StopRequest.pending { throw StoppedBeforeTraining(signal: signal, stage: "the loading of the data for \(what)") }
}

/// Where a training command writes: a new run folder, or one to continue.
struct RunLocation: ParsableArguments {
    @Option(name: .customLong("run"), help: "Run folder to write (created if needed; refused if it already holds a run, unless --overwrite).") var runFolder: String?
    @Option(help: "Continue the run in this folder from its last checkpoint, with its saved settings and data.") var resume: String?
    @Flag(help: "Delete the run already in the --run folder and start again.") var overwrite = false

    /// Options a resumed run still takes; any other option would be ignored, so it is refused.
    /// (`--synchronize-batch-norm` is fer-distributed's: a choice of each invocation, not a setting of the run.)
    static let optionsKeptOnResume: Set<String> = ["--resume", "--quiet", "--stop-after", "--autoencoder", "--classifier", "--synchronize-batch-norm"]
    /// Options among those that take a value.
    static let optionsWithValues: Set<String> = ["--resume", "--stop-after", "--autoencoder", "--classifier"]

    func validate() throws {
        guard (runFolder == nil) != (resume == nil) else { throw ValidationError("give either --run FOLDER or --resume FOLDER") }
        if let path = runFolder ?? resume, path.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("the run folder must not be empty (it would write into the current folder)")
        }
        if overwrite && resume != nil { throw ValidationError("--overwrite starts a new run; it cannot be combined with --resume") }
        if resume != nil {
            // Which options were typed, not parsed: ArgumentParser fills in every default, so
            // only the raw command line tells a typed --epochs 50 from the default.
            let ignored = Self.givenOptions(in: Array(CommandLine.arguments.dropFirst(2))).filter { !Self.optionsKeptOnResume.contains($0) }
            if !ignored.isEmpty {
                throw ValidationError("--resume continues with the run's saved settings and data, so \(ignored.joined(separator: ", ")) would be ignored; drop \(ignored.count == 1 ? "it" : "them"), or start a new run with --run to change settings")
            }
        }
    }

    /// The long options named in `arguments`, in order, without values.
    static func givenOptions(in arguments: [String]) -> [String] {
        var names: [String] = []
        for argument in arguments where argument.hasPrefix("--") && argument.count > 2 {
            let name = String(argument.split(separator: "=", maxSplits: 1)[0])
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The folder, and whether the run continues. A new run's folder must not hold another
    /// run (unless --overwrite); a resumed one must exist.
    func open() throws -> (RunFolder, Bool) {
        if let resume { return (try RunFolder.open(existing: URL(fileURLWithPath: resume), writing: true), true) }
        return (try RunFolder.create(at: URL(fileURLWithPath: runFolder ?? ""), overwrite: overwrite), false)
    }
}

package struct PretrainAutoencoder: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "pretrain-autoencoder",
        abstract: "Stage 1: train the asymmetric autoencoder with the multi-scale reconstruction loss (eq. 4).")

    @OptionGroup var location: RunLocation
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var autoencoderOptions: AutoencoderOptions
    @OptionGroup var output: OutputOptions

    package func validate() throws { try refuseLabelOnlyOptions(dataOptions) }

    package func run() throws { try run(parallel: nil) }

    /// The global batch the run asks for (it is capped at the dataset's size, which the run checks again).
    package func globalBatchSize() throws -> Int {
        guard let path = location.resume else { return try autoencoderOptions.settings().pretrainBatchSize }
        return try RunFolder.open(existing: URL(fileURLWithPath: path)).readConfiguration(AutoencoderSettings.self).pretrainBatchSize
    }

    /// Pre-trains in this process, or as one process of a data-parallel job (fer-distributed),
    /// where rank 0 alone writes.
    package func run(parallel: ParallelContext?) throws {
        StopRequest.installSignalHandlers()
        let writes = parallel?.writes ?? true
        let resumeFolder = try location.resume.map { try RunFolder.open(existing: URL(fileURLWithPath: $0), writing: writes) }
        let data = try resumeFolder.map { try RunData.load(from: $0) } ?? RunData(dataOptions)
        let settings = try resumeFolder.map { try $0.readConfiguration(AutoencoderSettings.self) } ?? autoencoderOptions.settings()
        try settings.validate()
        let (train, test, _, _) = try imagesOnly(data.options).load(side: settings.side, seed: settings.seed)
        let globalBatch = min(settings.pretrainBatchSize, train.count)
        _ = try parallel?.dataParallel.localBatchSize(globalBatchSize: globalBatch)
        // A new run's folder is opened only after every check (--overwrite deletes the old run).
        try refuseToStartAfterStopRequest("the run")
        let resume = resumeFolder != nil
        let folder = try resumeFolder ?? openNewRunFolder(location, parallel: parallel) {
            let (folder, _) = try location.open()
            try data.save(in: folder)
            try folder.writeConfiguration(settings)
            return folder
        }
        let trainer = try AutoencoderTrainer(settings: settings)
        try parallel?.prepareAutoencoder(trainer.autoencoder)
        let progress = ProgressReporter(quiet: output.quiet, silent: !writes)
        progress.log("autoencoder: \(train.count) images at \(settings.side)x\(settings.side), \(trainer.autoencoder.parameterCount) parameters" + precisionNote(settings.precision) +
                     (parallel.map { "; " + $0.describe(globalBatch: globalBatch) } ?? ""))
        // Rank 0 alone measures the reconstruction PSNR after each epoch.
        let held = writes ? try AutoencoderRun<AnyImageDataset>.psnrSample(of: test, seed: settings.seed) : nil
        _ = try AutoencoderRun(folder: folder, trainer: trainer, train: train, stage: .pretrain, progress: progress, test: held,
                               dataParallel: parallel?.dataParallel).run(resume: resume)
        progress.log("autoencoder written to \(folder.url.appendingPathComponent("autoencoder.safetensors").path)")
    }
}

struct RefineAutoencoder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refine-autoencoder",
        abstract: "Stage 2: refine the decoder against a WGAN critic with the perceptual loss (eq. 5-8).")

    @Option(help: "The pretrain-autoencoder run to start from.") var autoencoder: String
    @Option(help: "A baseline train run whose classifier is C of eq. 5 (without it: pixel loss only).") var classifier: String?
    @OptionGroup var location: RunLocation
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var autoencoderOptions: AutoencoderOptions
    @OptionGroup var output: OutputOptions

    func validate() throws { try refuseLabelOnlyOptions(dataOptions) }

    func run() throws {
        StopRequest.installSignalHandlers()
        let resumeFolder = try location.resume.map { try RunFolder.open(existing: URL(fileURLWithPath: $0), writing: true) }
        let data = try resumeFolder.map { try RunData.load(from: $0) } ?? RunData(dataOptions)
        let start = try loadAutoencoder(autoencoder)
        var settings = try resumeFolder.map { try $0.readConfiguration(AutoencoderSettings.self) } ?? autoencoderOptions.settings()
        settings.side = start.side
        settings.latentSize = start.latentSize
        try settings.validate()
        let (train, _, _, _) = try imagesOnly(data.options).load(side: settings.side, seed: settings.seed)
        let perceptual = try classifier.map { try loadClassifier($0).1 }
        if let perceptual, perceptual.side != settings.side {
            throw ValidationError("the classifier's side \(perceptual.side) differs from the autoencoder's \(settings.side)")
        }
        // A new run's folder is opened only after every check (--overwrite deletes the old run).
        try refuseToStartAfterStopRequest("the run")
        let (folder, resume) = try resumeFolder.map { ($0, true) } ?? location.open()
        if !resume {
            try data.save(in: folder)
            try folder.writeConfiguration(settings)
        }
        let progress = ProgressReporter(quiet: output.quiet)
        if perceptual == nil { progress.log("note: no --classifier given; Loss_Rec uses the pixel term only") }
        let trainer = try AutoencoderTrainer(settings: settings, autoencoder: start)
        _ = try AutoencoderRun(folder: folder, trainer: trainer, train: train, stage: .refine, perceptualClassifier: perceptual,
                               progress: progress).run(resume: resume)
        progress.log("refined autoencoder written to \(folder.url.appendingPathComponent("autoencoder.safetensors").path)")
    }
}
