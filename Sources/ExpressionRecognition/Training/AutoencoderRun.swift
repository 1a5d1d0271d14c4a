import Foundation
import NeuralNetworks

/// One epoch's line of `metrics.jsonl` for an autoencoder stage.
public struct AutoencoderEpochRecord: Codable, Sendable {
    public var stage: String
    public var epoch: Int
    public var learningRate: Double
    /// Loss_AE (pre-training) or Loss_G (refinement), mean over the epoch.
    public var loss: Double
    /// Mean critic loss of the epoch's critic steps (refinement only).
    public var criticLoss: Double?
    /// Reconstruction PSNR (dB, pixels in [0, 1]) on the held-out images, in evaluation mode
    /// (nil when the run was given none).
    public var testPSNR: Double?
    public var samplesPerSecond: Double
    public var seconds: Double
}

struct AutoencoderProgress: Codable {
    var stage: String
    var completedEpochs: Int
    var dropoutState: [UInt64]
    var generatorSteps: Int
    /// Batches of epoch `completedEpochs` already trained on (a run stopped by a signal).
    var epochPosition: Int?
    var tally: EpochTally?
    var criticLossSum: Double?
    var criticLossCount: Int?
    /// ``RunFolder/fingerprint()`` when the checkpoint was written.
    var runFingerprint: String?
    /// The processes of the data-parallel run that wrote it (nil: one process without MPI).
    var processCount: Int?
}

/// Runs one autoencoder stage over a dataset with checkpoints after every epoch, metrics
/// per epoch and resume. Writes `autoencoder.safetensors` (the model under the peer's
/// names) at every epoch end.
public struct AutoencoderRun<Train: ImageDataset> {
    public enum Stage: String, Codable, Sendable { case pretrain, refine }

    public let folder: RunFolder
    public let trainer: AutoencoderTrainer
    public let train: Train
    public let stage: Stage
    /// C of eq. 5 for the refinement (nil: pixel loss only).
    public let perceptualClassifier: MultiScaleClassifier<Float>?
    public let progress: ProgressReporter
    /// Held-out images whose reconstruction PSNR is measured after every epoch.
    public let test: AnyImageDataset?
    /// The processes of a data-parallel pre-training (nil: one process); rank 0 alone measures and writes.
    public let dataParallel: (any DataParallel)?

    public init(folder: RunFolder, trainer: AutoencoderTrainer, train: Train, stage: Stage,
                perceptualClassifier: MultiScaleClassifier<Float>? = nil, progress: ProgressReporter, test: AnyImageDataset? = nil,
                dataParallel: (any DataParallel)? = nil) {
        self.folder = folder; self.trainer = trainer; self.train = train; self.stage = stage
        self.perceptualClassifier = perceptualClassifier; self.progress = progress; self.test = test
        self.dataParallel = dataParallel
    }

    /// Whether this process writes the folder (always, without data parallelism).
    var writes: Bool { dataParallel?.isWriter ?? true }

    /// The stop signal, agreed by every process in a data-parallel run (a collective call).
    func stopSignal() throws -> Int32? {
        guard let dataParallel else { return StopRequest.pending }
        return try dataParallel.agreedStop(StopRequest.pending)
    }

    public var modelFile: URL { folder.url.appendingPathComponent("autoencoder.safetensors") }

    /// The held-out images whose PSNR a run measures after each epoch: a seeded sample of at
    /// most 1,000 of `test` (enough for a stable figure, cheap beside an epoch), nil when empty.
    public static func psnrSample(of test: AnyImageDataset, seed: UInt64) throws -> AnyImageDataset? {
        test.count > 0 ? try test.limited(to: min(test.count, 1000), seed: seed &+ 5) : nil
    }

    public func run(resume: Bool) throws -> [AutoencoderEpochRecord] {
        // The evaluations between epochs too run in the run's precision.
        try ComputePrecision.inRun(trainer.settings.precision) { try runInPrecision(resume: resume) }
    }

    private func runInPrecision(resume: Bool) throws -> [AutoencoderEpochRecord] {
        let settings = trainer.settings
        let epochs = stage == .pretrain ? settings.pretrainEpochs : settings.refineEpochs
        let batchSize = stage == .pretrain ? settings.pretrainBatchSize : settings.refineBatchSize
        let pretrainOptimizer = stage == .pretrain ? try trainer.makePretrainOptimizer() : nil
        let refinement = stage == .refine ? try trainer.makeRefinement(classifier: perceptualClassifier) : nil
        // The global batch: the sampler below caps it at the dataset's size.
        let globalBatch = min(batchSize, train.count)
        if let dataParallel {
            guard stage == .pretrain else {
                throw TensorError.invalidArgument(op: "data-parallel training", message: "the refinement stage (critic and decoder) runs in one process only")
            }
            _ = try dataParallel.localBatchSize(globalBatchSize: globalBatch)
        }
        var startEpoch = 0
        var resumed: (position: Int, tally: EpochTally, criticSum: Double, criticCount: Int)?
        if resume, FileManager.default.fileExists(atPath: folder.lastCheckpoint.path) {
            let state = try restore(pretrainOptimizer: pretrainOptimizer, refinement: refinement, epochs: epochs)
            startEpoch = state.completedEpochs
            if let position = state.epochPosition, position > 0 {
                resumed = (position, state.tally ?? EpochTally(), state.criticLossSum ?? 0, state.criticLossCount ?? 0)
            }
            progress.log("autoencoder \(stage.rawValue): resuming after epoch \(startEpoch)\(resumed.map { " and \($0.position) steps" } ?? "")")
            if let dataParallel {
                progress.log(describeDataParallelResume(writtenBy: state.processCount, processCount: dataParallel.processCount,
                                                                        globalBatch: globalBatch, localBatch: globalBatch / dataParallel.processCount))
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
        var sampler: any BatchSampler = try ShuffledBatchSampler(count: train.count, batchSize: globalBatch, seed: settings.seed &+ 11, dropLast: true)
        if let dataParallel { sampler = ShardedBatchSampler(base: sampler, rank: dataParallel.rank, processCount: dataParallel.processCount) }
        let loader = try BatchLoader(dataset: train, sampler: sampler, options: LoaderOptions(prefetchDepth: 3))
        var records = writes ? try folder.readMetrics(AutoencoderEpochRecord.self) : []
        for epoch in startEpoch..<epochs {
            let learningRate: Double
            if let pretrainOptimizer {
                learningRate = try StepDecay(initial: settings.pretrainLearningRate, interval: settings.pretrainDecayEvery).value(atEpoch: epoch)
                pretrainOptimizer.setLearningRate(learningRate)
            } else {
                learningRate = settings.decoderLearningRate
            }
            progress.startEpoch()
            var tally = resumed?.tally ?? EpochTally()
            var criticSum = resumed?.criticSum ?? 0, criticCount = resumed?.criticCount ?? 0
            let startPosition = resumed?.position ?? 0
            resumed = nil
            let segmentStart = Date()
            let batches = loader.epoch(epoch, from: startPosition)
            var lastImages: Tensor<Float>?
            var position = startPosition
            let localBatchSize = globalBatch / (dataParallel?.processCount ?? 1)
            while let batch = try batches.next() {
                if dataParallel != nil { try checkShard(batch.count, position: batch.position, expected: (localBatchSize, position), epoch: epoch) }
                position = batch.position + 1
                lastImages = batch.images
                let loss: Double
                do {
                    if let pretrainOptimizer {
                        loss = try trainer.pretrainStep(images: batch.images, optimizer: pretrainOptimizer)
                    } else {
                        let outcome = try trainer.refineStep(images: batch.images, epoch: epoch, state: refinement!)
                        loss = outcome.generatorLoss
                        if let c = outcome.criticLoss { criticSum += c; criticCount += 1 }
                    }
                } catch {
                    throw TrainingDiverged.wrapping(error, epoch: epoch + 1, step: batch.position + 1, folder: folder)
                }
                let globalCount = batch.count * (dataParallel?.processCount ?? 1)
                tally.lossSum += loss; tally.lossCount += 1; tally.samples += globalCount
                progress.step(label: "autoencoder \(stage.rawValue)", epoch: epoch, epochs: epochs, step: position,
                              steps: batches.plannedBatchCount, samples: globalCount, loss: loss, maskedShare: nil)
                if let signal = try stopSignal(), position < batches.plannedBatchCount {
                    var saved = tally
                    saved.seconds += Date().timeIntervalSince(segmentStart)
                    if writes {
                        try saveCheckpoint(completedEpochs: epoch, pretrainOptimizer: pretrainOptimizer, refinement: refinement,
                                           position: position, tally: saved, critic: (criticSum, criticCount))
                    }
                    throw TrainingInterrupted(signal: signal, folder: folder.url, completedEpochs: epoch, stepsIntoEpoch: position)
                }
            }
            if dataParallel != nil { try checkShard(localBatchSize, position: position, expected: (localBatchSize, batches.plannedBatchCount), epoch: epoch) }
            tally.seconds += Date().timeIntervalSince(segmentStart)
            guard writes else {
                // Rank 0 measures and writes; this process only stops with it.
                if let signal = try stopSignal(), epoch + 1 < epochs {
                    throw TrainingInterrupted(signal: signal, folder: folder.url, completedEpochs: epoch + 1, stepsIntoEpoch: 0)
                }
                continue
            }
            let record = AutoencoderEpochRecord(
                stage: stage.rawValue, epoch: epoch + 1, learningRate: learningRate, loss: tally.meanLoss,
                criticLoss: criticCount == 0 ? nil : criticSum / Double(criticCount),
                testPSNR: try test.map { try NeighborQuality.measure(autoencoder: trainer.autoencoder, sigma: 0, on: $0, seed: 0).reconstructionPSNR },
                samplesPerSecond: tally.seconds > 0 ? Double(tally.samples) / tally.seconds : 0, seconds: tally.seconds)
            records.append(record)
            try folder.appendMetrics(record)
            try saveCheckpoint(completedEpochs: epoch + 1, pretrainOptimizer: pretrainOptimizer, refinement: refinement)
            var line = "autoencoder \(stage.rawValue) epoch \(epoch + 1)/\(epochs): loss \(String(format: "%.5f", record.loss))"
            if let c = record.criticLoss { line += ", critic \(String(format: "%.5f", c))" }
            if let p = record.testPSNR { line += ", test PSNR \(String(format: "%.2f", p)) dB" }
            progress.log(line + ", \(String(format: "%.0f", record.samplesPerSecond)) samples/s, \(ProgressReporter.duration(record.seconds))")
            if let lastImages, try Self.reconstructionIgnoresInput(trainer.autoencoder, images: lastImages) {
                progress.log("warning: the autoencoder's reconstruction hardly depends on its input (every image decodes to nearly the same picture: a dead output ReLU or a collapsed decoder); its semantic neighbours carry no information. Lower the learning rate or use --no-output-relu.")
            }
            if let signal = try stopSignal(), epoch + 1 < epochs {
                throw TrainingInterrupted(signal: signal, folder: folder.url, completedEpochs: epoch + 1, stepsIntoEpoch: 0)
            }
        }
        return records
    }

    /// True when the evaluation-mode reconstruction of `images` has no variation at all.
    /// True when the evaluation-mode reconstructions of `images` vary across the images by
    /// less than 2% of what the images themselves do (mean over pixels of the standard
    /// deviation across the batch). A dead output ReLU gives exactly 0; a collapsed decoder
    /// (seen with latent 64 at learning rate 3e-3: a grey square for every image, 10 dB PSNR)
    /// gives nearly 0, which the exact test it replaces missed.
    static func reconstructionIgnoresInput(_ model: some Layer<Float>, images: Tensor<Float>) throws -> Bool {
        guard images.shape.count == 4, images.shape[0] >= 2 else { return false }
        let output = try model.evaluating { try model(images) }
        func spread(_ t: Tensor<Float>) -> Double {
            let n = t.shape[0], plane = t.count / n
            var total = 0.0
            for p in 0..<plane {
                var sum = 0.0, square = 0.0
                for i in 0..<n { let v = Double(t.scalars[i * plane + p]); sum += v; square += v * v }
                total += max(0, square / Double(n) - (sum / Double(n)) * (sum / Double(n))).squareRoot()
            }
            return total / Double(plane)
        }
        let inputSpread = spread(images)
        return inputSpread > 0 && spread(output) < 0.02 * inputSpread
    }

    func saveCheckpoint(completedEpochs: Int, pretrainOptimizer: SGD<Float>?, refinement: AutoencoderTrainer.Refinement?,
                        position: Int = 0, tally: EpochTally? = nil, critic: (sum: Double, count: Int)? = nil) throws {
        var checkpoint = Checkpoint<Float>()
        checkpoint.store(trainer.autoencoder, prefix: "model/")
        if let pretrainOptimizer { checkpoint.store(pretrainOptimizer, prefix: "optimizer/") }
        if let refinement {
            checkpoint.store(refinement.critic, prefix: "critic/")
            checkpoint.store(refinement.decoderOptimizer, prefix: "decoder_optimizer/")
            checkpoint.store(refinement.criticOptimizer, prefix: "critic_optimizer/")
        }
        let midEpoch = position > 0
        try checkpoint.store(AutoencoderProgress(stage: stage.rawValue, completedEpochs: completedEpochs,
                                                 dropoutState: trainer.autoencoder.random.generator.state,
                                                 generatorSteps: refinement?.generatorSteps ?? 0,
                                                 epochPosition: midEpoch ? position : nil, tally: midEpoch ? tally : nil,
                                                 criticLossSum: midEpoch ? critic?.sum : nil, criticLossCount: midEpoch ? critic?.count : nil,
                                                 runFingerprint: folder.fingerprint(), processCount: dataParallel?.processCount), key: "progress")
        try checkpoint.write(to: folder.lastCheckpoint)
        var model = Checkpoint<Float>()
        model.store(trainer.autoencoder)
        try model.write(to: modelFile)
    }

    func restore(pretrainOptimizer: SGD<Float>?, refinement: AutoencoderTrainer.Refinement?, epochs: Int) throws -> AutoencoderProgress {
        let saved = try folder.readConfiguration(AutoencoderSettings.self)
        guard saved == trainer.settings else {
            throw TensorError.invalidArgument(op: "resume", message: "the settings differ from the run's config.json; resume with the same options")
        }
        let checkpoint = try Checkpoint<Float>(contentsOf: folder.lastCheckpoint)
        let state = try checkpoint.record(AutoencoderProgress.self, key: "progress")
        guard state.stage == stage.rawValue else {
            throw TensorError.invalidArgument(op: "resume", message: "the run folder holds a \(state.stage) stage, not \(stage.rawValue)")
        }
        try RunFolder.checkProgress(completedEpochs: state.completedEpochs, position: state.epochPosition, epochs: epochs,
                                    fingerprint: state.runFingerprint, folder: folder)
        try checkpoint.restore(trainer.autoencoder, prefix: "model/")
        if let pretrainOptimizer { try checkpoint.restore(pretrainOptimizer, prefix: "optimizer/") }
        if let refinement {
            try checkpoint.restore(refinement.critic, prefix: "critic/")
            try checkpoint.restore(refinement.decoderOptimizer, prefix: "decoder_optimizer/")
            try checkpoint.restore(refinement.criticOptimizer, prefix: "critic_optimizer/")
            refinement.generatorSteps = state.generatorSteps
        }
        trainer.autoencoder.random.generator = try SeededGenerator(state: state.dropoutState)
        if writes { try folder.truncateMetrics(toLines: state.completedEpochs) }
        return state
    }
}
