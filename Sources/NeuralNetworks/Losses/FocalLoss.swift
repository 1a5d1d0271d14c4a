/// Focal loss (Lin et al., 2017), the paper's classification loss (Section IV-B):
/// -(1 - p_y)^gamma * log p_y per sample, p = softmax(logits); optional class weights
/// multiply each sample's term (and, as for cross-entropy, the mean divides by their sum).
/// gamma = 0 is exactly cross-entropy. With `labelSmoothing` epsilon the target is smoothed
/// (Szegedy et al., 2016; q = (1 - epsilon) onehot(y) + epsilon / K): -sum_k q_k (1 - p_k)^gamma log p_k, which at gamma = 0 is PyTorch's
/// smoothed cross-entropy.
public struct FocalLoss: Sendable {
    public var gamma: Double
    public var classWeights: [Double]?
    public var labelSmoothing: Double
    public var reduction: Reduction

    /// - Throws: `TensorError.invalidArgument` (Tensors) for a negative gamma, a class weight
    ///   that is negative or not finite, or a label smoothing outside [0, 1].
    public init(gamma: Double = 2, classWeights: [Double]? = nil, labelSmoothing: Double = 0, reduction: Reduction = .mean) throws {
        guard gamma >= 0 else { throw TensorError.invalidArgument(op: "FocalLoss", message: "gamma must be at least 0, got \(gamma)") }
        if let classWeights { try validateWeights(classWeights, what: "class weights", op: "FocalLoss") }
        try LabelSmoothing.validate(labelSmoothing, op: "FocalLoss")
        self.gamma = gamma
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
        self.reduction = reduction
    }

    public func callAsFunction<Scalar>(_ logits: Variable<Scalar>, labels: [Int]) throws -> Variable<Scalar> {
        try validateClassification("FocalLoss", logits: logits, labels: labels, classWeights: classWeights)
        if labelSmoothing > 0 {
            // Every class's term, not only the label's.
            let logProbabilities = try logits.logSoftmax()
            var terms = -logProbabilities
            if gamma > 0 { terms = try terms * logProbabilities.exp().scaled(by: -1).adding(1).pow(Scalar(gamma)) }
            let (smoothed, weightTotal) = try LabelSmoothing.perSample(terms: terms, labels: labels, classWeights: classWeights, epsilon: labelSmoothing)
            return try reduction.apply(smoothed, weightTotal: weightTotal)
        }
        let logProbability = try logits.logSoftmax().gather(indices: labels)
        var perSample = -logProbability
        if gamma > 0 {
            let modulating = logProbability.exp().scaled(by: -1).adding(1).pow(Scalar(gamma))  // (1 - p)^gamma
            perSample = try perSample * modulating
        }
        let (weighted, weightTotal) = try applyClassWeights(perSample, labels: labels, classWeights: classWeights)
        return try reduction.apply(weighted, weightTotal: weightTotal)
    }
}
