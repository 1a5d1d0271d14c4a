/// Symmetric KL divergence between the class distributions of two sets of logits, per
/// sample (eq. 10/13): S = 0.5 * (KL(P||Q) + KL(Q||P)) with P = softmax(p), Q = softmax(q),
/// which equals 0.5 * sum_k (P_k - Q_k)(log P_k - log Q_k).
public struct SymmetricKLDivergence: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .none) { self.reduction = reduction }

    public func callAsFunction<Scalar>(_ p: Variable<Scalar>, _ q: Variable<Scalar>) throws -> Variable<Scalar> {
        guard p.shape.count == 2 else { throw TensorError.shapeMismatch(op: "SymmetricKLDivergence", expected: "logits (N, K)", actual: p.shape) }
        guard q.shape == p.shape else { throw TensorError.shapeMismatch(op: "SymmetricKLDivergence", expected: "\(p.shape)", actual: q.shape) }
        let logP = try p.logSoftmax(), logQ = try q.logSoftmax()
        let perSample = try ((logP.exp() - logQ.exp()) * (logP - logQ)).sum(alongAxis: 1).scaled(by: 0.5)
        return try reduction.apply(perSample)
    }
}
