/// Cross-entropy on logits, PyTorch's `F.cross_entropy`: -w[y] * log softmax(x)[y] per
/// sample. With class weights the mean divides by the sum of the samples' weights. With
/// `labelSmoothing` epsilon, PyTorch's `label_smoothing`: the target is (1 - epsilon) onehot(y) + epsilon / K.
public struct CrossEntropyLoss: Sendable {
    public var classWeights: [Double]?
    public var labelSmoothing: Double
    public var reduction: Reduction

    /// - Throws: `TensorError.invalidArgument` (Tensors) for a class weight that is negative or
    ///   not finite, or a label smoothing outside [0, 1].
    public init(classWeights: [Double]? = nil, labelSmoothing: Double = 0, reduction: Reduction = .mean) throws {
        if let classWeights { try validateWeights(classWeights, what: "class weights", op: "CrossEntropyLoss") }
        try LabelSmoothing.validate(labelSmoothing, op: "CrossEntropyLoss")
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
        self.reduction = reduction
    }

    /// - Parameters: logits (N, K); labels N class indices.
    public func callAsFunction<Scalar>(_ logits: Variable<Scalar>, labels: [Int]) throws -> Variable<Scalar> {
        try validateClassification("CrossEntropyLoss", logits: logits, labels: labels, classWeights: classWeights)
        if labelSmoothing > 0 {
            let (smoothed, weightTotal) = try LabelSmoothing.perSample(terms: -(try logits.logSoftmax()), labels: labels,
                                                                       classWeights: classWeights, epsilon: labelSmoothing)
            return try reduction.apply(smoothed, weightTotal: weightTotal)
        }
        let perSample = -(try logits.logSoftmax().gather(indices: labels))
        let (weighted, weightTotal) = try applyClassWeights(perSample, labels: labels, classWeights: classWeights)
        return try reduction.apply(weighted, weightTotal: weightTotal)
    }
}
