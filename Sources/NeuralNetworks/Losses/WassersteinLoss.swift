/// The WGAN objectives (Arjovsky et al., 2017) of eq. 6-7, on critic scores (N) or (N, 1).
public enum WassersteinLoss {
    /// Critic loss D(fake) - D(real), averaged over the batch (eq. 6); the critic minimises it.
    public static func critic<Scalar>(real: Variable<Scalar>, fake: Variable<Scalar>) throws -> Variable<Scalar> {
        guard real.shape == fake.shape else { throw TensorError.shapeMismatch(op: "WassersteinLoss.critic", expected: "\(real.shape)", actual: fake.shape) }
        return try fake.mean() - real.mean()
    }

    /// Generator loss -D(fake), averaged over the batch (eq. 7).
    public static func generator<Scalar>(fake: Variable<Scalar>) throws -> Variable<Scalar> {
        -(try fake.mean())
    }

    /// WGAN's weight clipping: every parameter of the critic clamped to [-bound, bound]
    /// (0.01 in the WGAN paper) after each critic step.
    public static func clipWeights<L: Layer>(of critic: L, to bound: Double) {
        let b = L.Scalar(bound)
        for (_, parameter) in critic.namedParameters {
            parameter.value.scalars = parameter.value.scalars.map { min(max($0, -b), b) }
        }
    }
}
