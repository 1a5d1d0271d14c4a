/// Label smoothing (Szegedy et al., 2016, "Rethinking the Inception Architecture"): the target
/// of a sample with label y is q = (1 - epsilon) onehot(y) + epsilon / K instead of onehot(y),
/// as PyTorch's `cross_entropy(label_smoothing:)`.
///
/// Every classification loss here has a per-class term t_k (cross-entropy: -log p_k; focal:
/// -(1 - p_k)^gamma log p_k). The smoothed per-sample loss is sum_k q_k w_k t_k with class
/// weights w (all 1 without them): (1 - epsilon) w_y t_y + (epsilon / K) sum_k w_k t_k. With
/// weights, the mean divides by the sum of the labels' weights w_y, as PyTorch does.
enum LabelSmoothing {
    /// Checks epsilon: finite and in [0, 1] (1: every target uniform).
    static func validate(_ epsilon: Double, op: String) throws {
        guard epsilon.isFinite, (0...1).contains(epsilon) else {
            throw TensorError.invalidArgument(op: op, message: "label smoothing must be in [0, 1], got \(epsilon)")
        }
    }

    /// The smoothed per-sample losses (N) for per-class terms (N, K), and the weight total of a
    /// weighted mean (nil without class weights).
    static func perSample<Scalar>(terms: Variable<Scalar>, labels: [Int], classWeights: [Double]?,
                                  epsilon: Double) throws -> (Variable<Scalar>, Double?) {
        let classCount = terms.shape[1]
        let (given, weightTotal) = try applyClassWeights(try terms.gather(indices: labels), labels: labels, classWeights: classWeights)
        var spread = terms
        if let classWeights {
            // One row of weights, broadcast over the samples.
            spread = try spread * Variable(try Tensor(shape: [1, classCount], scalars: classWeights.map { Scalar($0) }))
        }
        let smoothed = try given.scaled(by: Scalar(1 - epsilon)) + spread.sum(alongAxis: 1).scaled(by: Scalar(epsilon / Double(classCount)))
        return (smoothed, weightTotal)
    }
}
