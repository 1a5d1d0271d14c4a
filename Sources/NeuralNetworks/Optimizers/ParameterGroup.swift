/// Parameters that share a learning rate and weight decay, as PyTorch's param groups
/// (the paper trains its decoder and critic at different rates).
public struct ParameterGroup<Scalar: TensorScalar> {
    public var parameters: [(name: String, variable: Variable<Scalar>)]
    public var learningRate: Double
    public var weightDecay: Double

    public init(_ parameters: [(name: String, variable: Variable<Scalar>)], learningRate: Double, weightDecay: Double = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}

/// An optimizer updates parameters from their accumulated gradients and keeps
/// per-parameter state (momentum buffers, running averages) by parameter name.
public protocol Optimizer<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    var groups: [ParameterGroup<Scalar>] { get set }
    /// One update of every parameter that has a gradient; parameters without one are skipped.
    func step() throws
    /// Per-parameter state by "<kind>/<parameter name>", for checkpoints.
    var state: [String: Tensor<Scalar>] { get }
    /// Restores state saved by ``state``; throws when a name or shape does not fit.
    func loadState(_ state: [String: Tensor<Scalar>]) throws
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGradients() {
        for group in groups { for (_, parameter) in group.parameters { parameter.zeroGradient() } }
    }

    /// Sets every group's learning rate (for schedules).
    public func setLearningRate(_ rate: Double) {
        for i in groups.indices { groups[i].learningRate = rate }
    }

    /// Validates and splits "<kind>/<name>" state into per-kind dictionaries.
    func validatedState(_ state: [String: Tensor<Scalar>], kinds: Set<String>, op: String) throws -> [String: [String: Tensor<Scalar>]] {
        var shapes: [String: [Int]] = [:]
        for group in groups { for (name, parameter) in group.parameters { shapes[name] = parameter.shape } }
        var result: [String: [String: Tensor<Scalar>]] = [:]
        for (key, tensor) in state {
            guard let slash = key.firstIndex(of: "/") else {
                throw TensorError.invalidArgument(op: op, message: "state entry \(key) is not <kind>/<parameter>")
            }
            let kind = String(key[..<slash]), name = String(key[key.index(after: slash)...])
            guard kinds.contains(kind) else { throw TensorError.invalidArgument(op: op, message: "unknown state kind \(kind) in \(key)") }
            guard let shape = shapes[name] else { throw TensorError.invalidArgument(op: op, message: "state for unknown parameter \(name)") }
            guard tensor.shape == shape else { throw TensorError.shapeMismatch(op: "\(op) state \(key)", expected: "\(shape)", actual: tensor.shape) }
            result[kind, default: [:]][name] = tensor
        }
        return result
    }
}
