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
public final class RMSprop<Scalar: TensorScalar>: Optimizer {
    public var groups: [ParameterGroup<Scalar>]
    public let alpha: Double, epsilon: Double, momentum: Double, centered: Bool
    private var squareAverage: [String: [Scalar]] = [:]
    private var gradientAverage: [String: [Scalar]] = [:]
    private var momentumBuffer: [String: [Scalar]] = [:]

    public init(groups: [ParameterGroup<Scalar>], alpha: Double = 0.99, epsilon: Double = 1e-8, momentum: Double = 0, centered: Bool = false) throws {
        guard alpha >= 0, epsilon >= 0, momentum >= 0 else {
            throw TensorError.invalidArgument(op: "RMSprop", message: "alpha, epsilon and momentum must be >= 0")
        }
        for group in groups where group.learningRate < 0 || group.weightDecay < 0 {
            throw TensorError.invalidArgument(op: "RMSprop", message: "learning rate and weight decay must be >= 0")
        }
        self.groups = groups
        self.alpha = alpha; self.epsilon = epsilon; self.momentum = momentum; self.centered = centered
    }

    public convenience init(parameters: [(name: String, variable: Variable<Scalar>)], learningRate: Double, alpha: Double = 0.99,
                            epsilon: Double = 1e-8, weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) throws {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      alpha: alpha, epsilon: epsilon, momentum: momentum, centered: centered)
    }

    public func step() throws {
        let a = Scalar(alpha), eps = Scalar(epsilon), m = Scalar(momentum)
        for group in groups {
            let lr = Scalar(group.learningRate), wd = Scalar(group.weightDecay)
            for (name, parameter) in group.parameters {
                guard let grad = parameter.grad else { continue }
                let count = grad.count
                var g = grad.scalars
                if wd != 0 { for i in 0..<count { g[i] += wd * parameter.value.scalars[i] } }
                var v = squareAverage[name] ?? [Scalar](repeating: 0, count: count)
                for i in 0..<count { v[i] = a * v[i] + (1 - a) * g[i] * g[i] }
                squareAverage[name] = v
                var denominator = [Scalar](repeating: 0, count: count)
                if centered {
                    var avg = gradientAverage[name] ?? [Scalar](repeating: 0, count: count)
                    for i in 0..<count { avg[i] = a * avg[i] + (1 - a) * g[i] }
                    gradientAverage[name] = avg
                    for i in 0..<count { denominator[i] = (v[i] - avg[i] * avg[i]).squareRoot() + eps }
                } else {
                    for i in 0..<count { denominator[i] = v[i].squareRoot() + eps }
                }
                var update = [Scalar](repeating: 0, count: count)
                if m > 0 {
                    var buffer = momentumBuffer[name] ?? [Scalar](repeating: 0, count: count)
                    for i in 0..<count { buffer[i] = m * buffer[i] + g[i] / denominator[i] }
                    momentumBuffer[name] = buffer
                    update = buffer
                } else {
                    for i in 0..<count { update[i] = g[i] / denominator[i] }
                }
                parameter.value.scalars.withUnsafeMutableBufferPointer { p in
                    for i in 0..<count { p[i] -= lr * update[i] }
                }
            }
        }
    }

    public var state: [String: Tensor<Scalar>] {
        var result: [String: Tensor<Scalar>] = [:]
        for group in groups {
            for (name, parameter) in group.parameters {
                for (kind, store) in [("square_avg", squareAverage), ("grad_avg", gradientAverage), ("momentum_buffer", momentumBuffer)] {
                    if let values = store[name] {
                        var t = Tensor<Scalar>(zeros: parameter.shape)
                        t.scalars = values
                        result["\(kind)/\(name)"] = t
                    }
                }
            }
        }
        return result
    }

    public func loadState(_ state: [String: Tensor<Scalar>]) throws {
        let parts = try validatedState(state, kinds: ["square_avg", "grad_avg", "momentum_buffer"], op: "RMSprop")
        squareAverage = (parts["square_avg"] ?? [:]).mapValues(\.scalars)
        gradientAverage = (parts["grad_avg"] ?? [:]).mapValues(\.scalars)
        momentumBuffer = (parts["momentum_buffer"] ?? [:]).mapValues(\.scalars)
    }
}
