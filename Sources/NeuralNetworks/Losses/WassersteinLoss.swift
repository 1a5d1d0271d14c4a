/// The WGAN objectives (Arjovsky et al., 2017) of eq. 6-7, on critic scores (N) or (N, 1).
///
/// With `.none` the losses are per sample (D(fake_i) - D(real_i), and -D(fake_i)); `.mean`
/// (the default, as in the paper) and `.sum` reduce over the batch.
public struct WassersteinLoss: Sendable {
    public var reduction: Reduction

    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    /// Critic loss D(fake) - D(real) (eq. 6); the critic minimises it.
    public func critic<Scalar>(real: Variable<Scalar>, fake: Variable<Scalar>) throws -> Variable<Scalar> {
        guard real.shape == fake.shape else { throw TensorError.shapeMismatch(op: "WassersteinLoss.critic", expected: "\(real.shape)", actual: fake.shape) }
        return try reduction.apply(try Self.scores(fake, "critic") - Self.scores(real, "critic"))
    }

    /// Generator loss -D(fake) (eq. 7).
    public func generator<Scalar>(fake: Variable<Scalar>) throws -> Variable<Scalar> {
        try reduction.apply(-(try Self.scores(fake, "generator")))
    }

    /// Scores as a vector (N).
    static func scores<Scalar>(_ scores: Variable<Scalar>, _ name: String) throws -> Variable<Scalar> {
        guard let n = scores.shape.first, scores.value.count == n, n > 0 else {
            throw TensorError.shapeMismatch(op: "WassersteinLoss.\(name)", expected: "one score per sample, (N) or (N, 1)", actual: scores.shape)
        }
        return try scores.reshaped(to: [n])
    }

    /// WGAN's weight clipping: every parameter of the critic clamped to [-bound, bound]
    /// (0.01 in the WGAN paper) after each critic step.
    public static func clipWeights<L: Layer>(of critic: L, to bound: Double) {
        let b = L.Scalar(bound)
        for (_, parameter) in critic.namedParameters {
            parameter.value.scalars.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count { p[i] = min(max(p[i], -b), b) }
            }
        }
    }
}
