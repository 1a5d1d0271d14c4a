/// RMSprop with PyTorch's semantics:
///
///     g = grad + weightDecay * p
///     v = alpha * v + (1 - alpha) * g^2
///     centered: a = alpha * a + (1 - alpha) * g;  denominator = sqrt(v - a^2) + eps
///     otherwise: denominator = sqrt(v) + eps
///     momentum > 0: buf = momentum * buf + g / denominator;  p -= lr * buf
///     else:         p -= lr * g / denominator
///
/// The paper's refinement stage: no momentum, no weight decay; decoder lr 1e-4, critic 2e-5.
public struct RMSpropRule<Scalar: TensorScalar>: UpdateRule {
    public static var stateKinds: [String] { ["square_avg", "grad_avg", "momentum_buffer"] }
    public let alpha: Double, epsilon: Double, momentum: Double, centered: Bool

    public func update(parameter p: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout [String: [Scalar]], step: Int, learningRate lr: Scalar) {
        let a = Scalar(alpha), eps = Scalar(epsilon), m = Scalar(momentum), count = p.count
        var v = state.removeValue(forKey: "square_avg") ?? [Scalar](repeating: 0, count: count)
        for i in 0..<count { v[i] = a * v[i] + (1 - a) * g[i] * g[i] }
        var denominator = [Scalar](repeating: 0, count: count)
        if centered {
            var average = state.removeValue(forKey: "grad_avg") ?? [Scalar](repeating: 0, count: count)
            for i in 0..<count { average[i] = a * average[i] + (1 - a) * g[i] }
            for i in 0..<count { denominator[i] = (v[i] - average[i] * average[i]).squareRoot() + eps }
            state["grad_avg"] = average
        } else {
            for i in 0..<count { denominator[i] = v[i].squareRoot() + eps }
        }
        state["square_avg"] = v
        if m > 0 {
            var buffer = state.removeValue(forKey: "momentum_buffer") ?? [Scalar](repeating: 0, count: count)
            for i in 0..<count { buffer[i] = m * buffer[i] + g[i] / denominator[i] }
            for i in 0..<count { p[i] -= lr * buffer[i] }
            state["momentum_buffer"] = buffer
        } else {
            for i in 0..<count { p[i] -= lr * g[i] / denominator[i] }
        }
    }
}

/// RMSprop as PyTorch's `torch.optim.RMSprop`: an ``RMSpropRule`` in a ``RuleOptimizer``.
public typealias RMSprop<Scalar: TensorScalar> = RuleOptimizer<RMSpropRule<Scalar>>

extension RuleOptimizer {
    /// - Throws: for a negative alpha, epsilon or momentum, or a negative learning rate or weight decay.
    public convenience init<S>(groups: [ParameterGroup<S>], alpha: Double = 0.99, epsilon: Double = 1e-8, momentum: Double = 0,
                               centered: Bool = false) throws
    where Rule == RMSpropRule<S> {
        guard alpha >= 0, epsilon >= 0, momentum >= 0 else {
            throw TensorError.invalidArgument(op: "RMSprop", message: "alpha, epsilon and momentum must be >= 0")
        }
        try self.init(groups: groups, rule: RMSpropRule(alpha: alpha, epsilon: epsilon, momentum: momentum, centered: centered), name: "RMSprop")
    }

    public convenience init<S>(parameters: [(name: String, variable: Variable<S>)], learningRate: Double, alpha: Double = 0.99,
                               epsilon: Double = 1e-8, weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) throws
    where Rule == RMSpropRule<S> {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      alpha: alpha, epsilon: epsilon, momentum: momentum, centered: centered)
    }
}
