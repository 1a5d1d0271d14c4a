/// How a loss turns per-sample values into its result, as PyTorch's `reduction` argument.
public enum Reduction: String, Sendable, CaseIterable {
    /// Per-sample values, shape (N).
    case none
    /// The (weighted) mean over samples, a scalar.
    case mean
    /// The sum over samples, a scalar.
    case sum

    /// Applies the reduction to per-sample values (N). With `weights`, `mean` divides by
    /// their sum (PyTorch's weighted cross-entropy rule) instead of N.
    func apply<Scalar>(_ perSample: Variable<Scalar>, weightTotal: Double? = nil) throws -> Variable<Scalar> {
        switch self {
        case .none: return perSample
        case .sum: return perSample.sum()
        case .mean:
            guard let weightTotal else { return try perSample.mean() }
            return perSample.sum().scaled(by: Scalar(1 / weightTotal))
        }
    }
}

/// Checks the (N, K) logits and N labels a classification loss receives.
func validateClassification<Scalar>(_ op: String, logits: Variable<Scalar>, labels: [Int], classWeights: [Double]?) throws {
    guard logits.shape.count == 2 else { throw TensorError.shapeMismatch(op: op, expected: "logits (N, K)", actual: logits.shape) }
    guard labels.count == logits.shape[0] else {
        throw TensorError.shapeMismatch(op: op, expected: "\(logits.shape[0]) labels", actual: [labels.count])
    }
    let K = logits.shape[1]
    if let bad = labels.first(where: { $0 < 0 || $0 >= K }) {
        throw TensorError.invalidArgument(op: op, message: "label \(bad) out of range 0..<\(K)")
    }
    if let classWeights, classWeights.count != K {
        throw TensorError.shapeMismatch(op: op, expected: "\(K) class weights", actual: [classWeights.count])
    }
}

/// Multiplies per-sample losses by their class's weight; returns the weighted losses and the
/// sum of the weights (the denominator of a weighted mean), or the losses unchanged and nil.
func applyClassWeights<Scalar>(_ perSample: Variable<Scalar>, labels: [Int], classWeights: [Double]?) throws -> (Variable<Scalar>, Double?) {
    guard let classWeights else { return (perSample, nil) }
    let w = labels.map { classWeights[$0] }
    return (try perSample * Variable(Tensor(w.map { Scalar($0) })), w.reduce(0, +))
}

/// Checks weights a caller chose for a loss: finite and at least 0 (the rule: an initializer
/// throws exactly when an argument can be out of range on its own).
func validateWeights(_ weights: [Double], what: String, op: String) throws {
    if let bad = weights.first(where: { !($0.isFinite && $0 >= 0) }) {
        throw TensorError.invalidArgument(op: op, message: "\(what) must be finite and at least 0, got \(bad)")
    }
}
