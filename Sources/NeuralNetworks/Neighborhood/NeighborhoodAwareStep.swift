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
