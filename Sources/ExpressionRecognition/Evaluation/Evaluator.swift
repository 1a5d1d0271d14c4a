import NeuralNetworks

/// What an evaluation pass over a dataset measured.
public struct EvaluationReport: Sendable, Codable {
    public var confusion: ConfusionMatrix
    public var accuracy: Double { confusion.accuracy }
    public var meanPerClassAccuracy: Double { confusion.meanPerClassAccuracy }
    /// Under semantic-neighbour perturbation (nil without an autoencoder).
    public var stability: PredictionStability?
    /// Table VII figures (nil unless the dataset has sequences and they were asked for).
    public var sequenceConsistency: SequenceConsistency?
    /// Predicted class of every sample, in dataset order (-1 for a sample skipped as unreadable).
    public var predictions: [Int]
    /// Samples left out because they failed to decode under `BadSamplePolicy.skip` (the
    /// dataset's policy); they are in neither the confusion matrix nor the figures. Not encoded.
    public var skipped = SkippedSamples()

    private enum CodingKeys: String, CodingKey {
        case confusion, stability, sequenceConsistency, predictions
    }
}

/// Runs a classifier over a dataset in evaluation mode (running statistics, no dropout,
/// no augmentation) and collects the paper's figures.
public enum Evaluator {
    /// Samples that fail to decode stop the evaluation, or are left out and recorded in
    /// ``EvaluationReport/skipped`` when the dataset's `ImageDataset.badSamplePolicy` is
    /// `BadSamplePolicy.skip`.
    ///
    /// The dataset's labels must mean the model's outputs: align a dataset numbered on its
    /// own to the model's classes by name first (`ImageDataset.aligned(toClasses:source:reference:)`).
    /// - Parameters:
    ///   - model: the trained classifier; its mode is restored afterwards.
    ///   - dataset: the test samples, labelled in the model's classes.
    ///   - batchSize: samples per forward pass (memory, not results); default 64.
    ///   - neighbors: when given, also measures prediction stability under semantic-neighbour
    ///     perturbation of each test image.
    /// - Throws: `DatasetError.invalidArgument(operation:message:)` for an empty dataset, a
    ///   dataset with more classes than the model has outputs, or one whose every sample was
    ///   skipped (a figure over no sample would read 0%); any error of a sample under `BadSamplePolicy.fail`.
    public static func evaluate<Dataset: ImageDataset>(
        _ model: MultiScaleClassifier<Float>, on dataset: Dataset, batchSize: Int = 64,
        neighbors: SemanticNeighborGenerator<Float>? = nil
    ) throws -> EvaluationReport {
        let wasTraining = model.isTraining
        model.isTraining = false
        defer { model.isTraining = wasTraining }
        guard dataset.count > 0 else {
            throw DatasetError.invalidArgument(operation: "Evaluator", message: "the dataset to evaluate has no samples")
        }
        let outputs = model.fuse.weight.shape[0]
        guard dataset.classNames.count <= outputs else {
            throw DatasetError.invalidArgument(
                operation: "Evaluator",
                message: "the dataset has \(dataset.classNames.count) classes (\(dataset.classNames.joined(separator: ", "))) but the model predicts \(outputs); match the dataset to the model's classes by name first")
        }
        let loader = try BatchLoader(dataset: dataset, sampler: SequentialBatchSampler(count: dataset.count, batchSize: batchSize),
                                     options: LoaderOptions(prefetchDepth: 2))
        var confusion = ConfusionMatrix(classCount: outputs)
        var stability = neighbors.map { _ in PredictionStability() }
        var predictions = [Int](repeating: -1, count: dataset.count)
        let batches = loader.epoch(0)
        while let batch = try batches.next() {
            let input = Variable(batch.images)
            let logits = try withoutGradient { try model(input) }
            let predicted = argmaxRows(logits.value)
            for (i, index) in batch.indices.enumerated() {
                predictions[index] = predicted[i]
                confusion.add(truth: batch.labels[i], prediction: predicted[i])
            }
            if let neighbors {
                let neighborLogits = try withoutGradient { try model(neighbors.neighbors(of: input)) }
                stability?.add(predictions: predicted, neighborPredictions: argmaxRows(neighborLogits.value),
                               divergences: try neighborhoodDivergences(logits: logits, neighborLogits: neighborLogits))
            }
        }
        guard confusion.total > 0 else {
            throw DatasetError.invalidArgument(
                operation: "Evaluator", message: "every one of the \(dataset.count) samples was skipped as unreadable: \(batches.statistics.skipped)")
        }
        return EvaluationReport(confusion: confusion, stability: stability, sequenceConsistency: nil, predictions: predictions,
                                skipped: batches.statistics.skipped)
    }

    /// Table VII: predictions on the peak frame and the frames before it of each sequence.
    public static func sequenceConsistency(predictions: [Int], labels: [Int], split: SequenceConsistencySplit) -> SequenceConsistency {
        var result = SequenceConsistency()
        for (peak, earlier) in zip(split.peakIndices, split.precedingIndices) {
            result.add(truth: labels[peak], peakPrediction: predictions[peak], earlierPredictions: earlier.map { predictions[$0] })
        }
        return result
    }
}
