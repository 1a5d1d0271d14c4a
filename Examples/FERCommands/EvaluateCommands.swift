import ArgumentParser
import ExpressionRecognition
import Foundation
import NeuralNetworks

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained classifier: accuracy, mean per-class accuracy, confusion matrix, stability and sequence consistency.")

    @Option(name: .customLong("run"), help: "The train run to evaluate.") var runFolder: String
    @Option(help: "Data to evaluate on (default: the run's own test part).") var data: String?
    @Option(help: "Autoencoder run: also measure how often predictions flip under semantic-neighbour perturbation.") var autoencoder: String?
    @Option(parsing: .unconditional, help: "Semantic-neighbour noise for the stability figure.") var sigma = 0.1
    @Option(help: ArgumentHelp("Table VII: ckplus:ROOT or oulu:ROOT read with the peak frame and the 4 before it; the run's fold is the test part.", valueName: "spec"))
    var sequenceConsistency: String?
    @Flag(help: "Print the summary as JSON.") var json = false

    func run() throws {
        let folder = try RunFolder.open(existing: URL(fileURLWithPath: runFolder))
        // evaluation.json and the confusion picture go into the (existing) run folder.
        try FileManager.default.createDirectory(at: folder.pictures, withIntermediateDirectories: true)
        let (settings, model) = try loadClassifier(runFolder)
        try ComputePrecision.inRun(settings.precision) { try evaluate(folder: folder, settings: settings, model: model) }
    }

    func evaluate(folder: RunFolder, settings: ClassifierSettings, model: MultiScaleClassifier<Float>) throws {
        var dataOptions = try RunData.load(from: folder).options
        if let data { dataOptions.data = data }
        dataOptions.labelNoise = 0
        let (_, loaded, _, _) = try dataOptions.load(side: settings.side, seed: settings.seed)
        let (test, classNames) = try Self.matchedToRun(loaded, folder: folder, settings: settings, data: dataOptions.data)
        let neighbors = try autoencoder.map {
            let ae = try loadAutoencoder($0)
            return try SemanticNeighborGenerator(encoder: ae.encoder, decoder: ae.decoder, sigma: sigma, random: RandomStream(seed: 99))
        }
        var report = try Evaluator.evaluate(model, on: test, neighbors: neighbors)
        if let sequenceConsistency {
            report.sequenceConsistency = try sequenceFigures(sequenceConsistency, model: model, settings: settings, classNames: classNames,
                                                             fold: dataOptions.fold, folds: dataOptions.folds)
        }
        if report.skipped.count > 0 { FileHandle.standardError.write(Data("evaluation: \(report.skipped)\n".utf8)) }
        // The mask's record on the training labels comes from the run's metrics; an unreadable
        // file costs only that part of the report.
        var maskEpochs: [MaskEpochSummary]?
        do { maskEpochs = MaskEpochSummary.rows(of: try folder.readMetrics(ClassifierEpochRecord.self)) } catch {
            FileHandle.standardError.write(Data("note: the mask's figures per epoch are left out: \(error)\n".utf8))
        }
        try ClassifierCommand.writeReport(report, classNames: classNames, folder: folder, title: "evaluation", maskEpochs: maskEpochs)
        if json {
            print(String(decoding: try Data(contentsOf: folder.url.appendingPathComponent("evaluation.json")), as: UTF8.self))
            return
        }
        let skipped = report.skipped.count > 0 ? ", \(report.skipped.count) skipped as unreadable" : ""
        print("\(test.count) test images (\(dataOptions.data))\(skipped)")
        print(String(format: "accuracy %.2f%%, mean per-class accuracy %.2f%%", 100 * report.accuracy, 100 * report.meanPerClassAccuracy))
        print(report.confusion.formatted(classNames: classNames))
        if let s = report.stability {
            print(String(format: "under semantic-neighbour perturbation (sigma %.3g): predictions flip for %.2f%%, mean symmetric KL %.4f", sigma, 100 * s.flipRate, s.meanDivergence))
        }
        if let c = report.sequenceConsistency {
            print(String(format: "sequence consistency over %d sequences: FC %.2f%%, CFC %.2f%%", c.sequences, 100 * c.failureRate, 100 * c.consistentFailureRate))
        }
        if let maskEpochs { print(MaskEpochSummary.table(maskEpochs)) }
        // The histograms exist once training finished (a run stopped early has none).
        let histograms = maskEpochs?.contains { $0.auroc != nil } == true
            && FileManager.default.fileExists(atPath: folder.pictures.appendingPathComponent("scores-epoch-1.png").path)
        print("pictures: \(folder.pictures.appendingPathComponent("confusion.png").path)"
              + (histograms ? ", and the mask score's histograms per epoch in scores-epoch-N.png there" : ""))
    }

    /// The evaluated data numbered by the run's classes (its classes.json), matched by name,
    /// and those class names. A run without classes.json (written before it existed) keeps
    /// the training data's order, which the data loading already gave the test part; say so.
    static func matchedToRun(_ test: AnyImageDataset, folder: RunFolder, settings: ClassifierSettings, data: String) throws -> (AnyImageDataset, [String]) {
        let file = folder.url.appendingPathComponent("classes.json")
        guard FileManager.default.fileExists(atPath: file.path) else {
            FileHandle.standardError.write(Data("note: \(file.path) is missing; the classes are taken in the training data's order (\(test.classNames.joined(separator: ", ")))\n".utf8))
            return (test, test.classNames)
        }
        let classNames: [String]
        do {
            classNames = try JSONDecoder().decode([String].self, from: Data(contentsOf: file))
        } catch {
            throw ValidationError("\(file.path) is not a JSON list of class names: \(error.localizedDescription)")
        }
        guard classNames.count == settings.classCount else {
            throw ValidationError("\(file.path) lists \(classNames.count) classes but the run's model predicts \(settings.classCount)")
        }
        let aligned = try test.aligned(toClasses: classNames, source: "the test part of \(data)", reference: "the run (\(file.path))")
        return (AnyImageDataset(aligned), classNames)
    }

    func sequenceFigures(_ spec: String, model: MultiScaleClassifier<Float>, settings: ClassifierSettings, classNames: [String],
                         fold: Int, folds: Int) throws -> SequenceConsistency {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["ckplus", "oulu"].contains(parts[0]) else {
            throw ValidationError("--sequence-consistency takes ckplus:ROOT or oulu:ROOT")
        }
        let root = URL(fileURLWithPath: parts[1])
        let frames = SequenceFrameSelection.peakAndPreceding(4)
        let all = parts[0] == "ckplus" ? try CKPlusReader.read(root, side: settings.side, frames: frames)
                                       : try OuluCASIAReader.read(root, side: settings.side, frames: frames)
        let testFold = try SubjectFolds.make(dataset: all, foldCount: folds, seed: settings.seed)[fold]
        let test = try SubsetDataset(all, indices: testFold.testIndices)
            .aligned(toClasses: classNames, source: parts[1], reference: "the run's classes")
        let report = try Evaluator.evaluate(model, on: test)
        let split = try SequenceConsistencySplit(dataset: test)
        return Evaluator.sequenceConsistency(predictions: report.predictions, labels: test.labels, split: split)
    }
}

struct Neighbors: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the paper's Fig. 3 (originals, reconstructions, semantic neighbours) and measure the neighbours, at one or several sigma.",
        discussion: """
        For each sigma: a picture (OUTPUT, or OUTPUT with -sigma<value> before .png when several are given), and over \
        --measure test images: the reconstruction PSNR, the neighbours' PSNR against the originals and, with --classifier \
        (best a run trained on clean labels), the share of images whose predicted class changes on the neighbour (the \
        flip rate) and the mean divergence S.
        """)

    @Option(help: "The autoencoder run.") var autoencoder: String
    @Option(help: "A classifier run (train) whose predictions the neighbours are measured against.") var classifier: String?
    @Option(help: "The data to draw images from (its test part).") var data = "fashion-mnist"
    @Option(parsing: .unconditional, help: "How many originals (rows).") var count = 6
    @Option(parsing: .unconditional, help: "Semantic neighbours per original (columns).") var neighbors = 5
    @Option(help: ArgumentHelp("Standard deviation of the latent noise (eq. 9); several separated by commas.", valueName: "sigma[,sigma...]"))
    var sigma = "0.1"
    @Option(parsing: .unconditional, help: "Test images to measure on (0: none).") var measure = 2000
    @Option(parsing: .unconditional, help: "Pixels per image pixel in the picture.") var scale = 2
    @Option(parsing: .unconditional, help: "Seed of the images chosen and the noise.") var seed: UInt64 = 0
    @Option(help: "The PNG file to write.") var output = "neighbors.png"
    @Flag(help: "Print the measurements as one JSON object per sigma.") var json = false

    var sigmas: [Double] {
        get throws {
            let values = sigma.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.count <= 20, values.allSatisfy({ $0 != nil && $0!.isFinite && $0! >= 0 && $0! <= 100 }) else {
                throw ValidationError("--sigma takes 1 to 20 numbers in [0, 100] separated by commas, got \(sigma)")
            }
            return values.map { $0! }
        }
    }

    func validate() throws {
        guard count >= 1, neighbors >= 1, scale >= 1 else { throw ValidationError("--count, --neighbors and --scale must be at least 1") }
        // The picture holds count x (neighbors + 2) images of side x scale pixels: keep it drawable.
        guard count <= 100, neighbors <= 50, scale <= 16 else {
            throw ValidationError("--count must be at most 100, --neighbors at most 50 and --scale at most 16 (got \(count), \(neighbors), \(scale))")
        }
        guard measure >= 0 else { throw ValidationError("--measure must be at least 0, got \(measure)") }
        _ = try sigmas
    }

    func run() throws {
        let sigmas = try self.sigmas
        let model = try loadAutoencoder(autoencoder)
        let judge = try classifier.map { path -> (ClassifierSettings, MultiScaleClassifier<Float>) in
            let (settings, classifierModel) = try loadClassifier(path)
            guard settings.side == model.side else {
                throw ValidationError("the classifier works at side \(settings.side) but the autoencoder at \(model.side)")
            }
            return (settings, classifierModel)
        }
        var options = try DataOptions.parse([])
        options.data = data
        let (_, test, _, _) = try options.load(side: model.side, seed: seed)
        let chosen = try test.limited(to: count, seed: seed)
        model.isTraining = false
        let images = try (0..<chosen.count).map { try chosen.image(at: $0).pixels }
        let side = model.side
        let measured = measure > 0 ? try test.limited(to: measure, seed: seed &+ 1) : nil
        for value in sigmas {
            let generator = try SemanticNeighborGenerator(encoder: model.encoder, decoder: model.decoder, sigma: value, random: RandomStream(seed: seed))
            let rows = try neighborGridRows(autoencoder: model, images: images, generator: generator, count: neighbors)
            var file = URL(fileURLWithPath: output)
            if sigmas.count > 1 {
                let stem = file.deletingPathExtension().lastPathComponent
                file = file.deletingLastPathComponent().appendingPathComponent("\(stem)-sigma\(value).png")
            }
            let path = try Charts.neighborGrid(rows: rows, side: side, scale: scale).writePNG(to: file)
            // With a classifier, in its run's precision, as its training computed neighbours' predictions.
            let quality = try measured.map { images in
                let measure = { try NeighborQuality.measure(autoencoder: model, sigma: value, on: images, classifier: judge?.1, seed: seed) }
                return try judge.map { try ComputePrecision.inRun($0.0.precision, measure) } ?? measure()
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                // The measurements, or the sigma alone when nothing was measured (--measure 0).
                let object = try quality.map { try encoder.encode($0) } ?? Data("{\"sigma\":\(value)}".utf8)
                print(String(decoding: object, as: UTF8.self))
            } else {
                var line = "sigma \(value): wrote \(path) (\(rows.count) originals, their reconstructions and \(neighbors) neighbours each)"
                if let q = quality {
                    line += String(format: "; over %d test images: reconstruction PSNR %.2f dB, neighbour PSNR %.2f dB", q.images, q.reconstructionPSNR, q.neighborPSNR)
                    if let flip = q.flipRate, let s = q.meanDivergence {
                        line += String(format: ", the classifier's prediction changes on %.1f%% of neighbours (mean S %.4f)", 100 * flip, s)
                    }
                }
                print(line)
            }
        }
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Classify image files (PNG or JPEG) with a trained classifier.")

    @Option(name: .customLong("run"), help: "The train run whose classifier to use.") var runFolder: String
    @Flag(help: "One JSON object per image instead of text.") var json = false
    @Argument(help: "Image files.") var images: [String]

    func validate() throws { if images.isEmpty { throw ValidationError("give at least one image file") } }

    func run() throws {
        let (settings, model) = try loadClassifier(runFolder)
        try ComputePrecision.inRun(settings.precision) { try classify(settings: settings, model: model) }
    }

    func classify(settings: ClassifierSettings, model: MultiScaleClassifier<Float>) throws {
        let classesFile = URL(fileURLWithPath: runFolder).appendingPathComponent("classes.json")
        let classNames = (try? JSONDecoder().decode([String].self, from: Data(contentsOf: classesFile))) ?? (0..<settings.classCount).map { "class \($0)" }
        var failures = 0
        for path in images {
            do {
                let image = try ImageDecoder.grayImage(at: URL(fileURLWithPath: path)).resized(side: settings.side)
                let input = Variable(try Tensor<Float>(shape: [1, 1, settings.side, settings.side], scalars: image.pixels))
                let logits: Variable<Float> = try withoutGradient { try model(input).softmax() }
                let probabilities: [Double] = logits.value.scalars.map { Double($0) }
                let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
                let names: [String] = probabilities.indices.map { $0 < classNames.count ? classNames[$0] : "class \($0)" }
                if json {
                    // JSON has no NaN: a non-finite probability (impossible from finite weights) is null.
                    let entries: [String] = probabilities.indices.map { "\(JSONText.quoted(names[$0])):\(probabilities[$0].isFinite ? "\(probabilities[$0])" : "null")" }
                    print("{\"file\":\(JSONText.quoted(path)),\"label\":\(JSONText.quoted(names[best])),\"index\":\(best),\"probabilities\":{\(entries.joined(separator: ","))}}")
                } else {
                    let top = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(3)
                    let described: [String] = top.map { "\(names[$0]) " + String(format: "%.1f%%", 100 * probabilities[$0]) }
                    print("\(path): \(names[best]) (\(described.joined(separator: ", ")))")
                }
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("\(path): error: \(error)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
