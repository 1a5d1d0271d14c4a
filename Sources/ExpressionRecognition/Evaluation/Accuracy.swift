import NeuralNetworks

/// The share of `dataset`'s samples that `classifier` (any layer mapping (N, 1, side, side)
/// images to (N, classes) logits) classifies as labelled, in evaluation mode, `batchSize`
/// images at a time. The dataset's labels must mean the classifier's outputs.
///
///     let testAccuracy = try accuracy(of: model, on: testSet)
///
/// - Throws: for an empty dataset, logits of another shape, or a sample that cannot be read.
public func accuracy<Classifier: Layer<Float>, Dataset: ImageDataset>(
    of classifier: Classifier, on dataset: Dataset, batchSize: Int = 64
) throws -> Double {
    guard dataset.count > 0 else { throw DatasetError.invalidArgument(operation: "accuracy", message: "the dataset has no samples") }
    let loader = try BatchLoader(dataset: dataset, sampler: SequentialBatchSampler(count: dataset.count, batchSize: batchSize),
                                 options: LoaderOptions(prefetchDepth: 2))
    var correct = 0, seen = 0
    let batches = loader.epoch(0)
    while let batch = try batches.next() {
        let logits = try classifier.evaluating { try classifier(batch.images) }
        guard logits.shape.count == 2, logits.shape[0] == batch.count else {
            throw DatasetError.invalidArgument(operation: "accuracy", message: "the classifier gave logits of shape \(logits.shape) for \(batch.count) images; expected (\(batch.count), classes)")
        }
        correct += zip(try logits.argmax(axis: 1), batch.labels).filter { $0 == $1 }.count
        seen += batch.count
    }
    guard seen > 0 else { throw DatasetError.invalidArgument(operation: "accuracy", message: "every sample was skipped as unreadable") }
    return Double(correct) / Double(seen)
}
