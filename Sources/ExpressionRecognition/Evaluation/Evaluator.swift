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
    /// Predicted class of every sample, in dataset order.
    public var predictions: [Int]
}

/// Runs a classifier over a dataset in evaluation mode (running statistics, no dropout,
/// no augmentation) and collects the paper's figures.
public enum Evaluator {
    /// - Parameters:
    ///   - neighbors: when given, also measures prediction stability under semantic-neighbour
    ///     perturbation of each test image.
    public static func evaluate<Dataset: ImageDataset>(
        _ model: MultiScaleClassifier<Float>, on dataset: Dataset, batchSize: Int = 64,
        neighbors: SemanticNeighborGenerator<Float>? = nil
    ) throws -> EvaluationReport {
        let wasTraining = model.isTraining
        model.isTraining = false
        defer { model.isTraining = wasTraining }
        let loader = try BatchLoader(dataset: dataset, sampler: SequentialBatchSampler(count: dataset.count, batchSize: batchSize),
                                     options: LoaderOptions(prefetchDepth: 2))
        var confusion = ConfusionMatrix(classCount: max(dataset.classNames.count, model.fuse.weight.shape[0]))
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
        return EvaluationReport(confusion: confusion, stability: stability, sequenceConsistency: nil, predictions: predictions)
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
