/// Focal loss (Lin et al., 2017), the paper's classification loss (Section IV-B):
/// -(1 - p_y)^gamma * log p_y per sample, p = softmax(logits); optional class weights
/// multiply each sample's term (and, as for cross-entropy, the mean divides by their sum).
/// gamma = 0 is exactly cross-entropy.
public struct FocalLoss: Sendable {
    public var gamma: Double
    public var classWeights: [Double]?
    public var reduction: Reduction

    /// - Throws: `TensorError.invalidArgument` (Tensors) for a negative gamma, or a class weight
    ///   that is negative or not finite.
    public init(gamma: Double = 2, classWeights: [Double]? = nil, reduction: Reduction = .mean) throws {
        guard gamma >= 0 else { throw TensorError.invalidArgument(op: "FocalLoss", message: "gamma must be at least 0, got \(gamma)") }
        if let classWeights { try validateWeights(classWeights, what: "class weights", op: "FocalLoss") }
        self.gamma = gamma
        self.classWeights = classWeights
        self.reduction = reduction
    }

    public func callAsFunction<Scalar>(_ logits: Variable<Scalar>, labels: [Int]) throws -> Variable<Scalar> {
        try validateClassification("FocalLoss", logits: logits, labels: labels, classWeights: classWeights)
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
