/// Stochastic gradient descent with PyTorch's semantics:
///
///     g = grad + weightDecay * p
///     buf = g (first step) or momentum * buf + (1 - dampening) * g
///     g = nesterov ? g + momentum * buf : buf      (when momentum != 0)
///     p = p - lr * g
///
/// The paper: momentum 0.9 with weight decay 4e-4 (autoencoder) or 0.002 (classifier).
public struct SGDRule<Scalar: TensorScalar>: UpdateRule {
    public static var stateKinds: [String] { ["momentum_buffer"] }
    public let momentum: Double, dampening: Double, nesterov: Bool

    public func update(parameter p: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout [String: [Scalar]], step: Int, learningRate lr: Scalar) {
        let m = Scalar(momentum), damp = Scalar(1 - dampening)
        if m != 0 {
            if var buffer = state.removeValue(forKey: "momentum_buffer") {
                buffer.withUnsafeMutableBufferPointer { b in
                    for i in 0..<b.count { b[i] = m * b[i] + damp * g[i] }
                    if nesterov { for i in 0..<b.count { g[i] += m * b[i] } } else { for i in 0..<b.count { g[i] = b[i] } }
                }
                state["momentum_buffer"] = buffer
            } else {
                // PyTorch starts the buffer at the first gradient, undampened.
                state["momentum_buffer"] = Array(g)
                if nesterov { for i in 0..<g.count { g[i] += m * g[i] } }
            }
        }
        for i in 0..<p.count { p[i] -= lr * g[i] }
    }
}

/// SGD as PyTorch's `torch.optim.SGD`: an ``SGDRule`` in a ``RuleOptimizer``.
public typealias SGD<Scalar: TensorScalar> = RuleOptimizer<SGDRule<Scalar>>

extension RuleOptimizer {
    /// - Throws: for negative settings, or Nesterov without momentum or with dampening (as PyTorch).
    public convenience init<S>(groups: [ParameterGroup<S>], momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false) throws
    where Rule == SGDRule<S> {
        guard momentum >= 0, dampening >= 0 else { throw TensorError.invalidArgument(op: "SGD", message: "momentum and dampening must be >= 0") }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw TensorError.invalidArgument(op: "SGD", message: "Nesterov momentum requires momentum > 0 and zero dampening")
        }
        try self.init(groups: groups, rule: SGDRule(momentum: momentum, dampening: dampening, nesterov: nesterov), name: "SGD")
    }

    /// One group of parameters.
    public convenience init<S>(parameters: [(name: String, variable: Variable<S>)], learningRate: Double,
                               momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) throws
    where Rule == SGDRule<S> {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      momentum: momentum, dampening: dampening, nesterov: nesterov)
    }
}
