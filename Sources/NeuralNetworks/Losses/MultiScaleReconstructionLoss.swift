/// The multi-scale reconstruction loss of the autoencoder (eq. 4):
/// sum over levels l of alpha_l / |z^l| * ||z^l - zhat^l||^2, where |z^l| is the size of
/// the level's feature map; also averaged over the batch, so each level contributes
/// alpha_l * mean((z^l - zhat^l)^2). The paper's weights: 4 for the image, 1 elsewhere.
/// With `.none` the result is per sample (each level's per-sample mean, weighted and summed).
public struct MultiScaleReconstructionLoss: Sendable {
    /// One weight per level, in the order the pairs are given.
    public var levelWeights: [Double]
    public var reduction: Reduction

    /// - Throws: `TensorError.invalidArgument` (Tensors) for no weights, or a weight that is
    ///   negative or not finite.
    public init(levelWeights: [Double], reduction: Reduction = .mean) throws {
        guard !levelWeights.isEmpty else { throw TensorError.invalidArgument(op: "MultiScaleReconstructionLoss", message: "need at least one level weight") }
        try validateWeights(levelWeights, what: "level weights", op: "MultiScaleReconstructionLoss")
        self.levelWeights = levelWeights
        self.reduction = reduction
    }

    /// - Parameters: pairs (reconstruction, target) per level; gradients flow to both.
    /// - Throws: when the number of pairs differs from the number of weights, or shapes differ.
    public func callAsFunction<Scalar>(_ pairs: [(reconstruction: Variable<Scalar>, target: Variable<Scalar>)]) throws -> Variable<Scalar> {
        guard pairs.count == levelWeights.count, !pairs.isEmpty else {
            throw TensorError.invalidArgument(op: "MultiScaleReconstructionLoss", message: "\(levelWeights.count) level weights for \(pairs.count) levels")
        }
        var total: Variable<Scalar>?
        for (pair, weight) in zip(pairs, levelWeights) {
            let term = try MeanSquaredErrorLoss(reduction: reduction)(pair.reconstruction, pair.target).scaled(by: Scalar(weight))
            total = try total.map { try $0 + term } ?? term
        }
        return total!
    }
}
