// fer: the paper's experiments from the command line.
import ArgumentParser
import ExpressionRecognition
import Foundation
import NeuralNetworks
import ProgramRuntime

/// The root command; `fer`'s main calls ``main()``.
package struct FER: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "fer",
        abstract: "Semantic neighborhood-aware facial expression recognition (Fu et al., IEEE TIP 2020) on the CPU.",
        discussion: """
            Each training command writes a run folder: config.json, metrics.jsonl (one line per
            epoch), checkpoints/last.safetensors (after every epoch, written atomically), the
            model file and pictures/. Stop a run at any moment and continue it with --resume.
            """,
        subcommands: [Demo.self, PretrainAutoencoder.self, RefineAutoencoder.self, Train.self, Evaluate.self,
                      Neighbors.self, Predict.self, Summarize.self]
    )

    /// Fixes the OpenBLAS core before anything else runs (it may restart the process). The
    /// training commands turn SIGINT and SIGTERM into a stop at the next step boundary with a
    /// checkpoint (``TrainingInterrupted``, caught here), or, before the first step, into a
    /// stop that wrote nothing (``StoppedBeforeTraining``); the others keep the default action.
    package static func main() {
        // The core line (and the note on a pinned slower core) waits for a command that computes:
        // --help and usage errors print only their own text.
        OpenBLASCoreGuard.ensureOptimizedCore(reportCore: false)
        do {
            var command = try parseAsRoot()
            // --help comes back as ArgumentParser's own help command, not one of ours.
            if configuration.subcommands.contains(where: { ObjectIdentifier($0) == ObjectIdentifier(type(of: command)) }) {
                FileHandle.standardError.write(Data((OpenBLASCoreGuard.coreReport + "\n").utf8))
            }
            try command.run()
        } catch let interrupted as TrainingInterrupted {
            let hint = resumeCommand(for: interrupted, arguments: Array(CommandLine.arguments.dropFirst()))
            FileHandle.standardError.write(Data("\(interrupted)\ncontinue with: \(hint)\n".utf8))
            Foundation.exit(interrupted.exitStatus)
        } catch let stopped as StoppedBeforeTraining {
            FileHandle.standardError.write(Data("\(stopped)\n".utf8))
            Foundation.exit(stopped.exitStatus)
        } catch {
            exit(withError: error)
        }
    }

    /// The command that continues an interrupted run: the same subcommand with `--resume`,
    /// keeping only the options that a resumed run still takes.
    package static func resumeCommand(for interrupted: TrainingInterrupted, arguments: [String]) -> String {
        guard let subcommand = arguments.first else { return "fer --help" }
        func quoted(_ s: String) -> String {
            s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,".contains($0) } ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        if subcommand == "demo" {
            // The demo keeps its own options (they must match the interrupted run's), without
            // --overwrite, and with the folder it actually wrote (runs/demo-2, ...).
            var kept: [String] = []
            var index = 0
            while index < arguments.count {
                let argument = arguments[index]
                if argument == "--overwrite" || argument == "--resume" || argument.hasPrefix("--output=") {
                } else if argument == "--output" {
                    index += 1
                } else {
                    kept.append(argument)
                }
                index += 1
            }
            let root = interrupted.folder.deletingLastPathComponent().path
            return (["fer"] + kept + ["--output", root, "--resume"]).map(quoted).joined(separator: " ")
        }
        var kept = ["fer", subcommand, "--resume", interrupted.folder.path]
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if RunLocation.optionsKeptOnResume.contains(name) {
                kept.append(argument)
                if !argument.contains("="), RunLocation.optionsWithValues.contains(name), index + 1 < arguments.count {
                    kept.append(arguments[index + 1])
                    index += 1
                }
            }
            index += 1
        }
        return kept.map(quoted).joined(separator: " ")
    }
}

extension LabelNoise.Mode: ExpressibleByArgument {}
extension ClassifierSettings.LossKind: ExpressibleByArgument {}
extension ClassifierSettings.Sampling: ExpressibleByArgument {}
extension ClassSelection: ExpressibleByArgument {}
extension ClassAwareAction: ExpressibleByArgument {}

/// Which data to use (see DatasetSpecification for every form).
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The data: fashion-mnist, fer2013:FILE, affectnet:TRAIN.csv:VAL.csv:IMAGES, folder:TRAIN[:TEST], manifest:TRAIN.csv[:TEST.csv], ckplus:ROOT, oulu:ROOT.", valueName: "spec"))
    var data = "fashion-mnist"
    @Option(parsing: .unconditional, help: "Test fold of the person-independent protocols (ckplus, oulu), 0-based.")
    var fold = 0
    @Option(parsing: .unconditional, help: "Number of person-independent folds (the paper: 10).")
    var folds = 10
    @Flag(help: "Skip samples that fail to decode (they are counted and reported) instead of stopping.")
    var skipBadSamples = false
    @Option(parsing: .unconditional, help: "Use at most this many training samples (a seeded random subset).")
    var trainLimit: Int?
    @Option(parsing: .unconditional, help: "Use at most this many test samples.")
    var testLimit: Int?
    @Option(parsing: .unconditional, help: "Share of training labels flipped on purpose, in [0, 1] (the flags are kept to score the mask).")
    var labelNoise = 0.0
    @Flag(help: "fer train with --label-noise: train only on the images whose labels the noise left alone, the data a perfect dropping mask keeps (an oracle reference for the masks, not a method; fewer steps per epoch than a masked run).")
    var dropFlippedLabels = false
    @Option(help: "How injected labels flip: symmetric (to any other class), pairwise (class c to c+1) or instance (the images a briefly trained probe classifier finds most ambiguous, to the class it confuses them with).")
    var noiseMode = LabelNoise.Mode.symmetric
    @Option(parsing: .unconditional, help: "Training epochs of the probe classifier of --noise-mode instance.")
    var probeEpochs = InstanceDependentNoise.Probe().epochs
    @Option(parsing: .unconditional, help: "Channel width of the probe classifier of --noise-mode instance.")
    var probeWidth = InstanceDependentNoise.Probe().width
    @Flag(help: "Let manifest rows name images outside the manifest's folder (absolute paths, .. leading out, symbolic links).")
    var allowPathsOutsideFolder = false

    func validate() throws {
        if let trainLimit, trainLimit < 1 { throw ValidationError("--train-limit must be at least 1, got \(trainLimit)") }
        if let testLimit, testLimit < 1 { throw ValidationError("--test-limit must be at least 1, got \(testLimit)") }
        guard labelNoise.isFinite, (0...1).contains(labelNoise) else { throw ValidationError("--label-noise must be in [0, 1], got \(labelNoise)") }
        // Folds are arrays of subjects: a count beyond any dataset's subjects is a typo.
        guard (2...1000).contains(folds) else { throw ValidationError("--folds must be in 2...1000, got \(folds)") }
        guard (1...100).contains(probeEpochs) else { throw ValidationError("--probe-epochs must be in 1...100, got \(probeEpochs)") }
        guard probeWidth.isFinite, probeWidth > 0, probeWidth <= 4 else { throw ValidationError("--probe-width must be in (0, 4], got \(probeWidth)") }
        if dropFlippedLabels, labelNoise == 0 { throw ValidationError("--drop-flipped-labels needs --label-noise above 0: without noise no label is flipped") }
        if dropFlippedLabels, labelNoise == 1 { throw ValidationError("--drop-flipped-labels with --label-noise 1 leaves no image to train on") }
    }

    /// The probe of --noise-mode instance.
    var probe: InstanceDependentNoise.Probe {
        var probe = InstanceDependentNoise.Probe()
        probe.epochs = probeEpochs
        probe.width = probeWidth
        return probe
    }

    var specification: DatasetSpecification {
        get throws {
            try DatasetSpecification(parsing: data, fold: fold, foldCount: folds, skipBadSamples: skipBadSamples,
                                     allowPathsOutsideFolder: allowPathsOutsideFolder)
        }
    }

    /// Training and test parts at `side`, limited, with noise injected into the training labels,
    /// or with the labels a run saved (`saved`, from its noisy-labels.json) instead.
    ///
    /// `noise` is what training sees (nil under --drop-flipped-labels, which leaves the
    /// flipped images out); `injected` is every training label after injection, for the file.
    func load(side: Int, seed: UInt64, saved: NoisyLabelsFile? = nil)
        throws -> (train: AnyImageDataset, test: AnyImageDataset, noise: NoisyLabels?, injected: NoisyLabels?) {
        let parts = try specification.loadParts(side: side, seed: seed)
        if parts.skipped.count > 0 { FileHandle.standardError.write(Data("data: \(parts.skipped.summary())\n\(parts.skipped)\n".utf8)) }
        let (fullTrain, fullTest) = (parts.train, parts.test)
        var train = try fullTrain.limited(to: trainLimit, seed: seed)
        let test = try fullTest.limited(to: testLimit, seed: seed &+ 1)
        var noise: NoisyLabels?
        if labelNoise > 0 {
            let noisy: NoisyLabels
            if let saved {
                let clean = train.labels
                let labels = try saved.labels(for: clean.count, classCount: train.classNames.count)
                noisy = NoisyLabels(labels: labels, cleanLabels: clean, isFlipped: zip(labels, clean).map { $0 != $1 })
            } else if noiseMode == .instance {
                FileHandle.standardError.write(Data("instance noise: training a probe classifier (\(probeEpochs) epoch(s), width \(probeWidth)) on the clean labels of \(train.count) images\n".utf8))
                let (margins, rivals) = try InstanceDependentNoise.margins(of: train, side: side, probe: probe, seed: seed &+ 2)
                noisy = try InstanceDependentNoise.inject(into: train.labels, margins: margins, rivals: rivals, classCount: train.classNames.count, rate: labelNoise)
            } else {
                noisy = try LabelNoise.inject(into: train.labels, classCount: train.classNames.count, rate: labelNoise, mode: noiseMode, seed: seed &+ 2)
            }
            train = AnyImageDataset(try RelabeledDataset(train, labels: noisy.labels))
            noise = noisy
            if dropFlippedLabels {
                // The perfect mask's data: the same run's images minus the flipped ones, so
                // nothing is left to flag (no mask precision or recall to report).
                let clean = noisy.isFlipped.indices.filter { !noisy.isFlipped[$0] }
                guard !clean.isEmpty else { throw ValidationError("--drop-flipped-labels: every training label was flipped, nothing is left to train on") }
                train = AnyImageDataset(try SubsetDataset(train, indices: clean))
                noise = nil
                FileHandle.standardError.write(Data("--drop-flipped-labels: training on the \(clean.count) images whose labels the noise left alone (\(noisy.flippedCount) flipped ones left out)\n".utf8))
            }
            return (train, test, noise, noisy)
        }
        return (train, test, noise, nil)
    }
}

/// The data options of a run, saved beside its configuration so --resume uses the same data.
struct RunData: Codable, Equatable {
    var data: String, fold: Int, folds: Int, skipBadSamples: Bool
    var trainLimit: Int?, testLimit: Int?, labelNoise: Double, noiseMode: String
    /// Optional so that data.json files written before the option existed still load.
    var allowPathsOutsideFolder: Bool?
    /// The probe classifier of instance-dependent noise (nil for the other modes).
    var probe: InstanceDependentNoise.Probe?
    /// True when the run trains only on the unflipped images (nil: all of them; older files).
    var dropFlippedLabels: Bool?

    init(_ options: DataOptions) {
        data = options.data; fold = options.fold; folds = options.folds; skipBadSamples = options.skipBadSamples
        trainLimit = options.trainLimit; testLimit = options.testLimit; labelNoise = options.labelNoise; noiseMode = options.noiseMode.rawValue
        allowPathsOutsideFolder = options.allowPathsOutsideFolder ? true : nil
        probe = options.noiseMode == .instance && options.labelNoise > 0 ? options.probe : nil
        dropFlippedLabels = options.dropFlippedLabels ? true : nil
    }

    var options: DataOptions {
        get throws {
        var o = try DataOptions.parse([])
        o.data = data; o.fold = fold; o.folds = folds; o.skipBadSamples = skipBadSamples
        o.trainLimit = trainLimit; o.testLimit = testLimit; o.labelNoise = labelNoise
        guard let mode = LabelNoise.Mode(rawValue: noiseMode) else {
            throw ValidationError("data.json names an unknown noise mode \(noiseMode); known: \(LabelNoise.Mode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        o.noiseMode = mode
        if let probe { o.probeEpochs = probe.epochs; o.probeWidth = probe.width }
        o.allowPathsOutsideFolder = allowPathsOutsideFolder ?? false
        o.dropFlippedLabels = dropFlippedLabels ?? false
        return o
        }
    }

    static func file(in folder: RunFolder) -> URL { folder.url.appendingPathComponent("data.json") }

    func save(in folder: RunFolder) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(self), to: Self.file(in: folder))
    }

    static func load(from folder: RunFolder) throws -> RunData {
        guard let data = FileManager.default.contents(atPath: file(in: folder).path) else {
            throw ValidationError("\(file(in: folder).path) is missing: is \(folder.url.path) a run folder?")
        }
        return try JSONDecoder().decode(RunData.self, from: data)
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(help: "Log one line per epoch instead of a live progress bar.")
    var quiet = false
}

/// Loads the autoencoder saved by a pretrain or refine run (its folder or the model file).
func loadAutoencoder(_ path: String) throws -> AsymmetricAutoencoder<Float> {
    var url = URL(fileURLWithPath: path)
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
        let folder = try RunFolder.open(existing: url)
        let settings = try folder.readConfiguration(AutoencoderSettings.self)
        try settings.validate()
        url = url.appendingPathComponent("autoencoder.safetensors")
        let model = try AsymmetricAutoencoder<Float>(side: settings.side, latentSize: settings.latentSize, outputReLU: settings.outputReLU)
        try Checkpoint<Float>(contentsOf: url).restore(model)
        return model
    }
    throw ValidationError("\(path) is not an autoencoder run folder (pretrain-autoencoder or refine-autoencoder writes one)")
}

/// Loads a classifier saved by a train run (its folder).
func loadClassifier(_ path: String) throws -> (ClassifierSettings, MultiScaleClassifier<Float>) {
    let url = URL(fileURLWithPath: path)
    let folder = try RunFolder.open(existing: url)
    let settings = try folder.readConfiguration(ClassifierSettings.self)
    try settings.validate()
    let model = try MultiScaleClassifier<Float>(side: settings.side, width: settings.width, classCount: settings.classCount,
                                                dropoutRate: settings.dropoutRate, seed: settings.seed)
    try Checkpoint<Float>(contentsOf: url.appendingPathComponent("model.safetensors")).restore(model)
    model.isTraining = false
    return (settings, model)
}
