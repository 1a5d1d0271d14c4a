/// A building block of a network: a differentiable function with named state.
///
/// Parameters (trainable) and buffers (running statistics) are listed explicitly with
/// dotted names relative to the layer, the same names PyTorch's `state_dict` uses for the
/// same structure, so weights move between the two. Containers prefix their children's
/// names (`features.0.weight`). Training or evaluation mode belongs to each layer;
/// containers pass a change on to their children.
public protocol Layer<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar

    /// Applies the layer. Throws when the input's shape does not fit.
    func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar>

    /// Trainable parameters, named relative to this layer.
    var namedParameters: [(name: String, variable: Variable<Scalar>)] { get }

    /// Non-trainable state saved in checkpoints (batch norm's running statistics).
    var namedBuffers: [(name: String, variable: Variable<Scalar>)] { get }

    /// Whether the layer is in training mode (batch statistics, dropout on).
    var isTraining: Bool { get set }
}

extension Layer {
    public var namedBuffers: [(name: String, variable: Variable<Scalar>)] { [] }

    /// Parameters and buffers together: everything a checkpoint holds for this layer.
    public var namedState: [(name: String, variable: Variable<Scalar>)] { namedParameters + namedBuffers }

    /// Trainable parameters in a stable order.
    public var parameters: [Variable<Scalar>] { namedParameters.map(\.variable) }

    /// Total number of trainable scalars.
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.variable.value.count } }

    /// Stops (or restarts) gradient tracking for every parameter. A frozen network still
    /// passes gradients to its input: the perceptual and WGAN generator losses rely on it.
    public func setFrozen(_ frozen: Bool) {
        for (_, parameter) in namedParameters { parameter.requiresGradient = !frozen }
    }

    /// Clears the accumulated gradient of every parameter.
    public func zeroGradients() {
        for (_, parameter) in namedParameters { parameter.zeroGradient() }
    }
}

/// Prefixes child names: `prefix("features", [("0.weight", w)])` -> `features.0.weight`.
public func prefixed<Scalar>(_ prefix: String, _ entries: [(name: String, variable: Variable<Scalar>)]) -> [(name: String, variable: Variable<Scalar>)] {
    entries.map { (name: prefix.isEmpty ? $0.name : "\(prefix).\($0.name)", variable: $0.variable) }
}

extension Layer {
    /// Throws when a parameter or buffer holds NaN or infinity, naming the first one; a
    /// training loop calls it after each optimizer step so that diverged weights stop the
    /// run before they reach a checkpoint.
    public func checkFinite(context: String) throws {
        for (name, variable) in namedState {
            let count = variable.value.nonFiniteCount
            if count > 0 { throw TensorError.nonFiniteValues(tensor: name, count: count, context: context) }
        }
    }
}
