import Foundation
import NeuralNetworks

/// One epoch's line of `metrics.jsonl` for a classifier run.
public struct ClassifierEpochRecord: Codable, Sendable {
    public var epoch: Int
    public var learningRate: Double
    public var trainLoss: Double
    public var testAccuracy: Double
    public var testMeanClassAccuracy: Double
    /// Share of training samples the mask selected (masked method only): dropped, or with
    /// label correction dropped or corrected.
    public var maskedShare: Double?
    /// Mean threshold T the mask used over the epoch's steps (helps choose a fixed T).
    public var maskThreshold: Double?
    /// Precision and recall of the mask on the injected label noise (when noise was injected).
    public var maskPrecision: Double?
    public var maskRecall: Double?
    /// How well the mask's score (S for the paper's rules) told flipped from clean labels this
    /// epoch: AUROC and histograms (when noise was injected and a mask ran).
    public var maskScores: ScoreSeparation?
    /// Mean per-class drop rate of a class-aware mask this epoch.
    public var dropRate: Double?
    /// Label correction (`ClassAwareAction.correct` in NeuralNetworks): the share of the
    /// training set relabelled this epoch.
    public var correctedShare: Double?
    /// Label correction with injected noise: the share of the corrections whose new label is
    /// the clean one (nil when nothing was corrected).
    public var correctionPrecision: Double?
    /// Label correction with injected noise: the share of the flipped labels given back.
    public var correctionRecall: Double?
    public var samplesPerSecond: Double
    /// Seconds the training steps waited for data this epoch.
    public var dataWaitSeconds: Double
    public var seconds: Double
}

/// Where a classifier run stands, saved in each checkpoint so a resumed run continues
/// exactly: the last finished epoch, the position inside the next one (a run stopped by a
/// signal), every random stream's state, and the fingerprint of the run's settings.
struct ClassifierProgress: Codable {
    var completedEpochs: Int
    var dropoutState: [UInt64]
    var neighborState: [UInt64]?
    var runningThreshold: Double?
    /// A class-aware mask's rates, estimates and the epoch's scores so far.
    var classAwareMask: ClassAwareMask?
    /// Batches of epoch `completedEpochs` already trained on, and their tallies.
    var epochPosition: Int?
    var tally: EpochTally?
    /// ``RunFolder/fingerprint()`` when the checkpoint was written.
    var runFingerprint: String?
    /// The processes of the data-parallel run that wrote it (nil: one process without MPI).
    var processCount: Int?
}

/// The running sums of an epoch in progress, kept in a mid-epoch checkpoint so the
/// epoch's metrics come out as if it had never stopped.
struct EpochTally: Codable {
    var lossSum = 0.0, lossCount = 0
    var maskedShareSum = 0.0, thresholdSum = 0.0, decisions = 0
    var quality = MaskQuality()
    /// Every masked-step score of the epoch and whether its label was flipped (for the AUROC).
    var scores: [Double] = [], scoreFlipped: [Bool] = []
    var samples = 0
    var seconds = 0.0, dataWaitSeconds = 0.0
    var skippedSamples = 0

    var meanLoss: Double { lossCount == 0 ? .nan : lossSum / Double(lossCount) }
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
    /// The training labels before the noise, to measure label correction (nil: not measured).
    public let cleanLabels: [Int]?
    public let progress: ProgressReporter
    /// A short name for the progress line ("baseline", "masked").
    public let label: String
    /// The processes of a data-parallel run (nil: one process). Each trains on its shard of
    /// every global batch (`ShardedBatchSampler`); rank 0 alone evaluates and writes.
    public let dataParallel: (any DataParallel)?

    public init(folder: RunFolder, trainer: ClassifierTrainer, train: Train, test: Test, isFlipped: [Bool]?, cleanLabels: [Int]? = nil,
                progress: ProgressReporter, label: String, dataParallel: (any DataParallel)? = nil) {
        self.folder = folder; self.trainer = trainer; self.train = train; self.test = test
        self.isFlipped = isFlipped; self.cleanLabels = cleanLabels; self.progress = progress; self.label = label; self.dataParallel = dataParallel
    }

    /// Whether this process writes the folder (always, without data parallelism).
    var writes: Bool { dataParallel?.isWriter ?? true }

    /// The stop signal, agreed by every process in a data-parallel run (a collective call).
    func stopSignal() throws -> Int32? {
        guard let dataParallel else { return StopRequest.pending }
        return try dataParallel.agreedStop(StopRequest.pending)
    }

    /// Runs (or, with `resume`, continues) the training; returns every epoch's record.
    /// - Parameters:
    ///   - resume: continue from the folder's last checkpoint when there is one (at the
    ///     epoch and step it recorded); false, or no checkpoint, starts at epoch 0.
    ///   - stopAfter: stop once this many epochs are done in total (the run can be
    ///     continued later with `resume`); nil runs to the settings' last epoch.
    /// - Throws: ``TrainingInterrupted`` after writing a checkpoint when a ``StopRequest``
    ///   arrives; errors of the data and the steps (a diverged step leaves the last good
    ///   checkpoint as it was).
    public func run(resume: Bool, stopAfter: Int? = nil) throws -> [ClassifierEpochRecord] {
        // The evaluations between epochs too run in the run's precision.
        try ComputePrecision.inRun(trainer.settings.precision) { try runInPrecision(resume: resume, stopAfter: stopAfter) }
    }

    private func runInPrecision(resume: Bool, stopAfter: Int?) throws -> [ClassifierEpochRecord] {
        let settings = trainer.settings
        let localBatchSize = try dataParallel?.localBatchSize(globalBatchSize: settings.batchSize) ?? settings.batchSize
        var startEpoch = 0
        var resumed: (position: Int, tally: EpochTally)?
        if resume, FileManager.default.fileExists(atPath: folder.lastCheckpoint.path) {
            let state = try restore()
            startEpoch = state.completedEpochs
            if let position = state.epochPosition, position > 0 { resumed = (position, state.tally ?? EpochTally()) }
            progress.log("\(label): resuming after epoch \(startEpoch)\(resumed.map { " and \($0.position) steps" } ?? "") from \(folder.lastCheckpoint.path)")
            if let dataParallel {
                progress.log(describeDataParallelResume(writtenBy: state.processCount, processCount: dataParallel.processCount,
                                                 globalBatch: settings.batchSize, localBatch: localBatchSize))
            }
        } else if writes {
            try folder.writeConfiguration(settings)
            try folder.truncateMetrics(toLines: 0)
        }
        if let dataParallel {
            try trainer.join(dataParallel)
            // Every process has read the checkpoint before rank 0 may replace it.
            try dataParallel.barrier()
        }
        var sampler: any BatchSampler = settings.sampling == .balanced
            ? try ClassBalancedBatchSampler(labels: train.labels, classCount: settings.classCount,
                                            samplesPerClass: settings.batchSize / settings.classCount, seed: settings.seed)
            : try ShuffledBatchSampler(count: train.count, batchSize: settings.batchSize, seed: settings.seed, dropLast: true)
        if let dataParallel { sampler = ShardedBatchSampler(base: sampler, rank: dataParallel.rank, processCount: dataParallel.processCount) }
        let loader = try BatchLoader(dataset: train, sampler: sampler,
                                     options: LoaderOptions(prefetchDepth: 3, augmentation: settings.augment ? .standard : nil,
                                                            seed: dataParallel?.loaderSeed(settings.seed &+ 3) ?? settings.seed &+ 3))
        var records = writes ? try folder.readMetrics(ClassifierEpochRecord.self) : []
        let lastEpoch = min(settings.epochs, stopAfter ?? settings.epochs)
        for epoch in startEpoch..<max(startEpoch, lastEpoch) {
            let learningRate = try settings.learningRate(atEpoch: epoch)
            trainer.optimizer.setLearningRate(learningRate)
            trainer.classAwareMask?.startEpoch(epoch)
            progress.startEpoch()
            var tally = resumed?.tally ?? EpochTally()
            let startPosition = resumed?.position ?? 0
            resumed = nil
            let batches = loader.epoch(epoch, from: startPosition)
            var position = startPosition
            var segmentStart = Date()
            func saveTally() -> EpochTally {
                var t = tally
                t.seconds += Date().timeIntervalSince(segmentStart)
                t.dataWaitSeconds += batches.statistics.totalWait.seconds
                t.skippedSamples += batches.statistics.skipped.count
                return t
            }
            while let batch = try batches.next() {
                if dataParallel != nil { try checkShard(batch.count, position: batch.position, expected: (localBatchSize, position), epoch: epoch) }
                let outcome: ClassifierTrainer.StepOutcome
                do { outcome = try trainer.step(images: batch.images, labels: batch.labels, samples: batch.indices) } catch {
                    throw TrainingDiverged.wrapping(error, epoch: epoch + 1, step: batch.position + 1, folder: folder)
                }
                position = batch.position + 1
                tally.lossSum += outcome.loss; tally.lossCount += 1
                let globalCount = batch.count * (dataParallel?.processCount ?? 1)
                tally.samples += globalCount
                if let decision = outcome.decision {
                    tally.maskedShareSum += decision.maskedShare
                    tally.thresholdSum += decision.threshold
                    tally.decisions += 1
                    if let isFlipped {
                        // A data-parallel decision covers the global batch: every process's indices.
                        let indices = try outcome.samples ?? dataParallel.map { try $0.gather(batch.indices.map(Double.init)).map { Int($0) } } ?? batch.indices
                        let flags = indices.map { isFlipped[$0] }
                        tally.quality.add(keep: decision.keep, isFlipped: flags)
                        tally.scores += decision.divergences
                        tally.scoreFlipped += flags
                    }
                }
                progress.step(label: label, epoch: epoch, epochs: settings.epochs, step: position, steps: batches.plannedBatchCount,
                              samples: globalCount, loss: outcome.loss, maskedShare: outcome.decision?.maskedShare)
                if let signal = try stopSignal(), position < batches.plannedBatchCount {
                    if writes { try saveCheckpoint(completedEpochs: epoch, position: position, tally: saveTally()) }
                    throw TrainingInterrupted(signal: signal, folder: folder.url, completedEpochs: epoch, stepsIntoEpoch: position)
                }
            }
            if dataParallel != nil { try checkShard(localBatchSize, position: position, expected: (localBatchSize, batches.plannedBatchCount), epoch: epoch) }
            tally = saveTally()
            segmentStart = Date()
            guard writes else {
                // Another process evaluates and writes; this one keeps the mask's state in step.
                trainer.classAwareMask?.finishEpoch()
                if let signal = try stopSignal(), epoch + 1 < lastEpoch {
                    throw TrainingInterrupted(signal: signal, folder: folder.url, completedEpochs: epoch + 1, stepsIntoEpoch: 0)
                }
                continue
            }
            let report = try Evaluator.evaluate(trainer.model, on: test)
            if report.skipped.count > 0 { progress.log("\(label): test: \(report.skipped.summary())") }
            let masked = tally.decisions == 0 ? nil : tally.maskedShareSum / Double(tally.decisions)
            let classAware = trainer.classAwareMask != nil
            let correction = correctionQuality()
            trainer.classAwareMask?.finishEpoch()
            tally.seconds += Date().timeIntervalSince(segmentStart)
            let record = ClassifierEpochRecord(
                epoch: epoch + 1, learningRate: learningRate, trainLoss: tally.meanLoss, testAccuracy: report.accuracy,
                testMeanClassAccuracy: report.meanPerClassAccuracy, maskedShare: masked,
                maskThreshold: tally.decisions == 0 || classAware ? nil : tally.thresholdSum / Double(tally.decisions),
                maskPrecision: isFlipped != nil && masked != nil ? tally.quality.precision : nil,
                maskRecall: isFlipped != nil && masked != nil ? tally.quality.recall : nil,
                maskScores: ScoreSeparation(scores: tally.scores, isFlipped: tally.scoreFlipped),
                dropRate: tally.decisions == 0 || !classAware ? nil : tally.thresholdSum / Double(tally.decisions),
                correctedShare: correction?.share, correctionPrecision: correction?.precision, correctionRecall: correction?.recall,
                samplesPerSecond: tally.seconds > 0 ? Double(tally.samples) / tally.seconds : 0,
                dataWaitSeconds: tally.dataWaitSeconds, seconds: tally.seconds)
            // Metrics first, checkpoint second: a kill between the two leaves one line too
            // many, which the resumed run drops (truncateMetrics) before redoing the epoch.
            records.append(record)
            try folder.appendMetrics(record)
            try saveCheckpoint(completedEpochs: epoch + 1)
            progress.log(Self.describe(record, label: label, epochs: settings.epochs))
            if tally.skippedSamples > 0 { progress.log("\(label): \(tally.skippedSamples) samples skipped this epoch: \(batches.statistics.skipped)") }
            if let signal = try stopSignal(), epoch + 1 < lastEpoch {
                throw TrainingInterrupted(signal: signal, folder: folder.url, completedEpochs: epoch + 1, stepsIntoEpoch: 0)
            }
        }
        return records
    }

    /// The epoch's label corrections against the clean labels (nil without correction).
    func correctionQuality() -> (share: Double, precision: Double?, recall: Double?)? {
        guard let mask = trainer.classAwareMask, mask.rule.action == .correct, train.count > 0 else { return nil }
        let share = Double(mask.corrections.count) / Double(train.count)
        guard let cleanLabels, let isFlipped, cleanLabels.count == train.count, isFlipped.count == train.count else { return (share, nil, nil) }
        let right = mask.corrections.filter { cleanLabels.indices.contains($0.key) && cleanLabels[$0.key] == $0.value }.count
        let flipped = isFlipped.filter { $0 }.count
        return (share, mask.corrections.isEmpty ? nil : Double(right) / Double(mask.corrections.count),
                flipped == 0 ? nil : Double(right) / Double(flipped))
    }

    static func describe(_ r: ClassifierEpochRecord, label: String, epochs: Int) -> String {
        var line = "\(label) epoch \(r.epoch)/\(epochs): loss \(String(format: "%.4f", r.trainLoss)), test accuracy \(String(format: "%.2f%%", 100 * r.testAccuracy)), mean class accuracy \(String(format: "%.2f%%", 100 * r.testMeanClassAccuracy))"
        if let m = r.maskedShare { line += ", masked \(String(format: "%.1f%%", 100 * m))" }
        if let t = r.maskThreshold { line += " at mean T \(String(format: "%.4f", t))" }
        if let d = r.dropRate { line += " at mean drop rate \(String(format: "%.3f", d))" }
        if let p = r.maskPrecision, let rc = r.maskRecall { line += " (precision \(String(format: "%.2f", p)), recall \(String(format: "%.2f", rc)) on flipped labels)" }
        if let a = r.maskScores?.auroc { line += ", AUROC \(String(format: "%.3f", a))" }
        if let c = r.correctedShare {
            line += ", corrected \(String(format: "%.1f%%", 100 * c))"
            if let p = r.correctionPrecision, let rc = r.correctionRecall {
                line += " (\(String(format: "%.0f%%", 100 * p)) to the clean label, \(String(format: "%.0f%%", 100 * rc)) of the flipped labels restored)"
            }
        }
        line += ", \(String(format: "%.0f", r.samplesPerSecond)) samples/s, data wait \(String(format: "%.2f", r.dataWaitSeconds)) s, \(ProgressReporter.duration(r.seconds))"
        return line
    }

    /// Writes `checkpoints/last.safetensors` atomically, and `model.safetensors` (the
    /// classifier alone under PyTorch's names). Nothing is written when a weight is not
    /// finite (``Checkpoint/write(to:)`` refuses), so the last good files stay.
    /// - Parameters:
    ///   - position: batches done of epoch `completedEpochs` (0 at an epoch's end).
    func saveCheckpoint(completedEpochs: Int, position: Int = 0, tally: EpochTally? = nil) throws {
        var checkpoint = Checkpoint<Float>()
        checkpoint.store(trainer.model, prefix: "model/")
        checkpoint.store(trainer.optimizer, prefix: "optimizer/")
        try checkpoint.store(ClassifierProgress(completedEpochs: completedEpochs, dropoutState: trainer.model.random.generator.state,
                                                neighborState: trainer.neighbors?.random.generator.state,
                                                runningThreshold: trainer.mask?.runningThreshold,
                                                classAwareMask: trainer.classAwareMask,
                                                epochPosition: position > 0 ? position : nil, tally: position > 0 ? tally : nil,
                                                runFingerprint: folder.fingerprint(), processCount: dataParallel?.processCount), key: "progress")
        try checkpoint.write(to: folder.lastCheckpoint)
        var model = Checkpoint<Float>()
        model.store(trainer.model)
        try model.write(to: folder.url.appendingPathComponent("model.safetensors"))
    }

    /// Restores everything from the last checkpoint; returns where the run stands.
    func restore() throws -> ClassifierProgress {
        let saved = try folder.readConfiguration(ClassifierSettings.self)
        guard saved == trainer.settings else {
            throw TensorError.invalidArgument(op: "resume", message: "the settings differ from the run's config.json; resume with the same options")
        }
        let checkpoint = try Checkpoint<Float>(contentsOf: folder.lastCheckpoint)
        let state = try checkpoint.record(ClassifierProgress.self, key: "progress")
        try RunFolder.checkProgress(completedEpochs: state.completedEpochs, position: state.epochPosition, epochs: saved.epochs,
                                    fingerprint: state.runFingerprint, folder: folder)
        try checkpoint.restore(trainer.model, prefix: "model/")
        try checkpoint.restore(trainer.optimizer, prefix: "optimizer/")
        trainer.model.random.generator = try SeededGenerator(state: state.dropoutState)
        if let neighborState = state.neighborState, let neighbors = trainer.neighbors {
            neighbors.random.generator = try SeededGenerator(state: neighborState)
        }
        trainer.mask?.restore(runningThreshold: state.runningThreshold)
        if trainer.classAwareMask != nil {
            guard let saved = state.classAwareMask, saved.rule == trainer.classAwareMask?.rule, saved.classCount == trainer.settings.classCount else {
                throw TensorError.invalidArgument(op: "resume", message: "the checkpoint \(folder.lastCheckpoint.path) holds no state for the run's class-aware mask")
            }
            trainer.classAwareMask = saved
        }
        if writes { try folder.truncateMetrics(toLines: state.completedEpochs) }
        return state
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
