/// The per-sample divergences S(I) of eq. 10/13 between a classifier's predictions on
/// images and on their semantic neighbours, computed without recording.
public func neighborhoodDivergences<Scalar>(
    logits: Variable<Scalar>, neighborLogits: Variable<Scalar>
) throws -> [Double] {
    try withoutGradient {
        try SymmetricKLDivergence(reduction: .none)(logits.detached(), neighborLogits.detached()).value.scalars.map(Double.init)
    }
}

/// Multiplies per-sample losses (N) by the mask and averages over the whole batch, so a
/// masked sample contributes nothing (the peer's `(loss * m).mean()`).
public func maskedMean<Scalar>(_ perSample: Variable<Scalar>, decision: MaskDecision) throws -> Variable<Scalar> {
    guard perSample.shape == [decision.keep.count] else {
        throw TensorError.shapeMismatch(op: "maskedMean", expected: "[\(decision.keep.count)] per-sample losses", actual: perSample.shape)
    }
    return try (perSample * Variable(decision.weights(as: Scalar.self))).mean()
}

/// One step of Algorithm 1 for any classifier (a layer from images to (N, classes) logits)
/// and any neighbourhood: the predictions on the images and on their neighbours give the
/// divergences S (eq. 10), the mask decides (eq. 11 or 14), and the masked mean of the
/// per-sample losses is minimised. Returns the loss and the decision.
///
/// S comes from evaluation-mode predictions (no dropout, running statistics), so it measures
/// the neighbourhood rather than the model's own noise; the training pass runs in training mode.
///
///     var mask = try NeighborhoodMask(rule: .batchMean)
///     let neighbors = try PixelNoiseNeighbors<Float>(sigma: 0.1, random: RandomStream(seed: 1))
///     let (loss, decision) = try neighborhoodAwareStep(model, optimizer: sgd, neighbors: neighbors, mask: &mask,
///                                                      images: x, labels: y) { try CrossEntropyLoss(reduction: .none)($0, labels: $1) }
public func neighborhoodAwareStep<Classifier: Layer, Generator: NeighborGenerator, Optimizing: Optimizer>(
    _ classifier: Classifier, optimizer: Optimizing, neighbors: Generator, mask: inout NeighborhoodMask,
    images: Variable<Classifier.Scalar>, labels: [Int],
    perSampleLoss: (Variable<Classifier.Scalar>, [Int]) throws -> Variable<Classifier.Scalar>
) throws -> (loss: Classifier.Scalar, decision: MaskDecision)
where Generator.Scalar == Classifier.Scalar, Optimizing.Scalar == Classifier.Scalar {
    let neighborImages = try neighbors.neighbors(of: images)
    let (own, neighbor) = try classifier.evaluating { (try classifier(images), try classifier(neighborImages)) }
    let decision = try mask.decide(divergences: try neighborhoodDivergences(logits: own, neighborLogits: neighbor))
    let wasTraining = classifier.isTraining
    classifier.isTraining = true
    defer { classifier.isTraining = wasTraining }
    let loss = try optimizer.minimize { try maskedMean(perSampleLoss(classifier(images), labels), decision: decision) }
    return (loss, decision)
}
