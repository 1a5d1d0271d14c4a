import Foundation
import NeuralNetworks

/// One epoch's line of `metrics.jsonl` for a classifier run.
public struct ClassifierEpochRecord: Codable, Sendable {
    public var epoch: Int
    public var learningRate: Double
    public var trainLoss: Double
    public var testAccuracy: Double
    public var testMeanClassAccuracy: Double
    /// Share of training samples the mask dropped (masked method only).
    public var maskedShare: Double?
    /// Mean threshold T the mask used over the epoch's steps (helps choose a fixed T).
    public var maskThreshold: Double?
    /// Precision and recall of the mask on the injected label noise (when noise was injected).
    public var maskPrecision: Double?
    public var maskRecall: Double?
    public var samplesPerSecond: Double
    /// Seconds the training steps waited for data this epoch.
    public var dataWaitSeconds: Double
    public var seconds: Double
}

/// Where a classifier run stands, saved in each checkpoint so a resumed run continues
/// exactly: the last finished epoch and every random stream's state.
struct ClassifierProgress: Codable {
    var completedEpochs: Int
    var dropoutState: [UInt64]
    var neighborState: [UInt64]?
    var runningThreshold: Double?
}

/// Trains a classifier for its settings' epochs with checkpoints after every epoch, metrics
/// per epoch, and resume from the last checkpoint.
public struct ClassifierRun<Train: ImageDataset, Test: ImageDataset> {
    public let folder: RunFolder
    public let trainer: ClassifierTrainer
    public let train: Train
    public let test: Test
    /// Flip flags of the training labels when noise was injected on purpose.
    public let isFlipped: [Bool]?
    public let progress: ProgressReporter
    /// A short name for the progress line ("baseline", "masked").
    public let label: String

    public init(folder: RunFolder, trainer: ClassifierTrainer, train: Train, test: Test, isFlipped: [Bool]?,
                progress: ProgressReporter, label: String) {
        self.folder = folder; self.trainer = trainer; self.train = train; self.test = test
        self.isFlipped = isFlipped; self.progress = progress; self.label = label
    }

    /// Runs (or, with `resume`, continues) the training; returns every epoch's record.
    /// - Parameter stopAfter: stop once this many epochs are done in total (the run can be
    ///   continued later with `resume`); nil runs to the settings' last epoch.
    public func run(resume: Bool, stopAfter: Int? = nil) throws -> [ClassifierEpochRecord] {
        let settings = trainer.settings
        var startEpoch = 0
        if resume, FileManager.default.fileExists(atPath: folder.lastCheckpoint.path) {
            startEpoch = try restore()
            progress.log("\(label): resuming after epoch \(startEpoch) from \(folder.lastCheckpoint.path)")
        } else {
            try folder.writeConfiguration(settings)
            try folder.truncateMetrics(toLines: 0)
        }
        let sampler: any BatchSampler = settings.sampling == .balanced
            ? try ClassBalancedBatchSampler(labels: train.labels, classCount: settings.classCount,
                                            samplesPerClass: settings.batchSize / settings.classCount, seed: settings.seed)
            : try ShuffledBatchSampler(count: train.count, batchSize: settings.batchSize, seed: settings.seed, dropLast: true)
        let loader = try BatchLoader(dataset: train, sampler: sampler,
                                     options: LoaderOptions(prefetchDepth: 3, augmentation: settings.augment ? .standard : nil,
                                                            seed: settings.seed &+ 3))
        var records = try folder.readMetrics(ClassifierEpochRecord.self)
        let lastEpoch = min(settings.epochs, stopAfter ?? settings.epochs)
        for epoch in startEpoch..<max(startEpoch, lastEpoch) {
            let started = Date()
            let learningRate = try settings.learningRate(atEpoch: epoch)
            trainer.optimizer.setLearningRate(learningRate)
            progress.startEpoch()
            var quality = MaskQuality()
            var maskedShares: [Double] = [], thresholds: [Double] = []
            let batches = loader.epoch(epoch)
            var step = 0
            while let batch = try batches.next() {
                let outcome = try trainer.step(images: batch.images, labels: batch.labels)
                step += 1
                if let decision = outcome.decision {
                    maskedShares.append(decision.maskedShare)
                    thresholds.append(decision.threshold)
                    if let isFlipped { quality.add(keep: decision.keep, isFlipped: batch.indices.map { isFlipped[$0] }) }
                }
                progress.step(label: label, epoch: epoch, epochs: settings.epochs, step: step, steps: batches.plannedBatchCount,
                              samples: batch.count, loss: outcome.loss, maskedShare: outcome.decision?.maskedShare)
            }
            let trainLoss = progress.runningLoss, rate = progress.samplesPerSecond
            let report = try Evaluator.evaluate(trainer.model, on: test)
            let masked = maskedShares.isEmpty ? nil : maskedShares.reduce(0, +) / Double(maskedShares.count)
            let record = ClassifierEpochRecord(
                epoch: epoch + 1, learningRate: learningRate, trainLoss: trainLoss, testAccuracy: report.accuracy,
                testMeanClassAccuracy: report.meanPerClassAccuracy, maskedShare: masked,
                maskThreshold: thresholds.isEmpty ? nil : thresholds.reduce(0, +) / Double(thresholds.count),
                maskPrecision: isFlipped != nil && masked != nil ? quality.precision : nil,
                maskRecall: isFlipped != nil && masked != nil ? quality.recall : nil,
                samplesPerSecond: rate, dataWaitSeconds: batches.statistics.totalWait.seconds,
                seconds: Date().timeIntervalSince(started))
            records.append(record)
            try folder.appendMetrics(record)
            try saveCheckpoint(completedEpochs: epoch + 1)
            progress.log(Self.describe(record, label: label, epochs: settings.epochs))
            if batches.statistics.skipped.count > 0 { progress.log("\(label): \(batches.statistics.skipped)") }
        }
        return records
    }

    static func describe(_ r: ClassifierEpochRecord, label: String, epochs: Int) -> String {
        var line = "\(label) epoch \(r.epoch)/\(epochs): loss \(String(format: "%.4f", r.trainLoss)), test accuracy \(String(format: "%.2f%%", 100 * r.testAccuracy)), mean class accuracy \(String(format: "%.2f%%", 100 * r.testMeanClassAccuracy))"
        if let m = r.maskedShare { line += ", masked \(String(format: "%.1f%%", 100 * m))" }
        if let t = r.maskThreshold { line += " at mean T \(String(format: "%.4f", t))" }
        if let p = r.maskPrecision, let rc = r.maskRecall { line += " (precision \(String(format: "%.2f", p)), recall \(String(format: "%.2f", rc)) on flipped labels)" }
        line += ", \(String(format: "%.0f", r.samplesPerSecond)) samples/s, data wait \(String(format: "%.2f", r.dataWaitSeconds)) s, \(ProgressReporter.duration(r.seconds))"
        return line
    }

    /// Writes `checkpoints/last.safetensors` atomically, and `model.safetensors` (the
    /// classifier alone under PyTorch's names).
    func saveCheckpoint(completedEpochs: Int) throws {
        var checkpoint = Checkpoint<Float>()
        checkpoint.store(trainer.model, prefix: "model/")
        checkpoint.store(trainer.optimizer, prefix: "optimizer/")
        try checkpoint.store(ClassifierProgress(completedEpochs: completedEpochs, dropoutState: trainer.model.random.generator.state,
                                                neighborState: trainer.neighbors?.random.generator.state,
                                                runningThreshold: trainer.mask?.runningThreshold), key: "progress")
        try checkpoint.write(to: folder.lastCheckpoint)
        var model = Checkpoint<Float>()
        model.store(trainer.model)
        try model.write(to: folder.url.appendingPathComponent("model.safetensors"))
    }

    /// Restores everything from the last checkpoint; returns the number of finished epochs.
    func restore() throws -> Int {
        let saved = try folder.readConfiguration(ClassifierSettings.self)
        guard saved == trainer.settings else {
            throw TensorError.invalidArgument(op: "resume", message: "the settings differ from the run's config.json; resume with the same options")
        }
        let checkpoint = try Checkpoint<Float>(contentsOf: folder.lastCheckpoint)
        try checkpoint.restore(trainer.model, prefix: "model/")
        try checkpoint.restore(trainer.optimizer, prefix: "optimizer/")
        let state = try checkpoint.record(ClassifierProgress.self, key: "progress")
        trainer.model.random.generator = try SeededGenerator(state: state.dropoutState)
        if let neighborState = state.neighborState, let neighbors = trainer.neighbors {
            neighbors.random.generator = try SeededGenerator(state: neighborState)
        }
        trainer.mask?.restore(runningThreshold: state.runningThreshold)
        try folder.truncateMetrics(toLines: state.completedEpochs)
        return state.completedEpochs
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
