/// Stochastic gradient descent with PyTorch's semantics:
///
///     g = grad + weightDecay * p
///     buf = g (first step) or momentum * buf + (1 - dampening) * g
///     g = nesterov ? g + momentum * buf : buf      (when momentum != 0)
///     p = p - lr * g
///
/// The paper: momentum 0.9 with weight decay 4e-4 (autoencoder) or 0.002 (classifier).
public final class SGD<Scalar: TensorScalar>: Optimizer {
    public var groups: [ParameterGroup<Scalar>]
    public let momentum: Double, dampening: Double, nesterov: Bool
    private var buffers: [String: [Scalar]] = [:]

    /// - Throws: for negative settings, or Nesterov without momentum or with dampening (as PyTorch).
    public init(groups: [ParameterGroup<Scalar>], momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false) throws {
        guard momentum >= 0, dampening >= 0 else { throw TensorError.invalidArgument(op: "SGD", message: "momentum and dampening must be >= 0") }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw TensorError.invalidArgument(op: "SGD", message: "Nesterov momentum requires momentum > 0 and zero dampening")
        }
        for group in groups where group.learningRate < 0 || group.weightDecay < 0 {
            throw TensorError.invalidArgument(op: "SGD", message: "learning rate and weight decay must be >= 0")
        }
        self.groups = groups
        self.momentum = momentum; self.dampening = dampening; self.nesterov = nesterov
    }

    /// One group of parameters.
    public convenience init(parameters: [(name: String, variable: Variable<Scalar>)], learningRate: Double,
                            momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) throws {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      momentum: momentum, dampening: dampening, nesterov: nesterov)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step() throws {
        let m = Scalar(momentum), damp = Scalar(1 - dampening)
        for group in groups {
            let lr = Scalar(group.learningRate), wd = Scalar(group.weightDecay)
            for (name, parameter) in group.parameters {
                guard let grad = parameter.grad else { continue }
                var g = grad.scalars
                g.withUnsafeMutableBufferPointer { gp in
                    parameter.value.scalars.withUnsafeMutableBufferPointer { p in
                        if wd != 0 { for i in 0..<p.count { gp[i] += wd * p[i] } }
                        if m != 0 {
                            if buffers[name] == nil {
                                buffers[name] = Array(gp)  // PyTorch starts the buffer at the first gradient, undampened
                            } else {
                                buffers[name]!.withUnsafeMutableBufferPointer { b in
                                    for i in 0..<b.count { b[i] = m * b[i] + damp * gp[i] }
                                }
                            }
                            buffers[name]!.withUnsafeBufferPointer { b in
                                if nesterov { for i in 0..<b.count { gp[i] += m * b[i] } } else { for i in 0..<b.count { gp[i] = b[i] } }
                            }
                        }
                        for i in 0..<p.count { p[i] -= lr * gp[i] }
                    }
                }
            }
        }
    }

    public var state: [String: Tensor<Scalar>] {
        var result: [String: Tensor<Scalar>] = [:]
        for group in groups {
            for (name, parameter) in group.parameters {
                if let buffer = buffers[name] {
                    var t = Tensor<Scalar>(zeros: parameter.shape)
                    t.scalars = buffer
                    result["momentum_buffer/\(name)"] = t
                }
            }
        }
        return result
    }

    public func loadState(_ state: [String: Tensor<Scalar>]) throws {
        let parts = try validatedState(state, kinds: ["momentum_buffer"], op: "SGD")
        buffers = (parts["momentum_buffer"] ?? [:]).mapValues(\.scalars)
    }
}
