/// A building block of a network: a differentiable function with named state, arranged
/// as a tree of sublayers.
///
/// A layer declares its sublayers once, as ``children`` (by default found by reflection:
/// every stored property that holds a layer, an optional layer or an array of layers), and
/// its own parameters and buffers as ``ownParameters`` and ``ownBuffers``. Everything else
/// derives from the tree: ``namedParameters`` and ``namedBuffers`` with dotted names (the
/// same names PyTorch's `state_dict` uses for the same structure, so weights move between
/// the two), the training mode of composite layers, freezing, checkpoints and parity
/// loading. A composite layer writes no forwarding code, so a child cannot be left out of
/// checkpoints by forgetting it in one of several lists.
public protocol Layer<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar

    /// Applies the layer. Throws when the input's shape does not fit.
    func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar>

    /// The sublayers with their names. The default reflects over stored properties (named by
    /// the property, array elements `property.index`); a layer whose names must differ from
    /// its property names (PyTorch's `half_branch`, `nn.Sequential`'s indices) lists them.
    var children: [(name: String, layer: any Layer<Scalar>)] { get }

    /// Trainable parameters held by this layer itself, not by its children (default: none).
    var ownParameters: [(name: String, variable: Variable<Scalar>)] { get }

    /// Non-trainable state held by this layer itself (batch norm's running statistics;
    /// default: none).
    var ownBuffers: [(name: String, variable: Variable<Scalar>)] { get }

    /// Whether the layer is in training mode (batch statistics, dropout on). Layers that
    /// behave differently store it; for the others the default reads the children and
    /// passes a change on to all of them.
    var isTraining: Bool { get set }
}

extension Layer {
    public var children: [(name: String, layer: any Layer<Scalar>)] { reflectedChildren }
    public var ownParameters: [(name: String, variable: Variable<Scalar>)] { [] }
    public var ownBuffers: [(name: String, variable: Variable<Scalar>)] { [] }

    public var isTraining: Bool {
        get { children.allSatisfy { $0.layer.isTraining } }
        set { for child in children { child.layer.isTraining = newValue } }
    }

    /// Trainable parameters of the layer and its descendants, named relative to this layer.
    public var namedParameters: [(name: String, variable: Variable<Scalar>)] {
        ownParameters + children.flatMap { prefixed($0.name, $0.layer.namedParameters) }
    }

    /// Buffers of the layer and its descendants (saved in checkpoints, never trained).
    public var namedBuffers: [(name: String, variable: Variable<Scalar>)] {
        ownBuffers + children.flatMap { prefixed($0.name, $0.layer.namedBuffers) }
    }

    /// The sublayers found by reflection, in declaration order (superclass properties first).
    public var reflectedChildren: [(name: String, layer: any Layer<Scalar>)] {
        var found: [(name: String, layer: any Layer<Scalar>)] = []
        func visit(_ mirror: Mirror) {
            if let parent = mirror.superclassMirror { visit(parent) }
            for case let (label?, value) in mirror.children {
                let name = label.hasPrefix("$__lazy_storage_$_") ? String(label.dropFirst(18)) : label
                if let layer = value as? any Layer<Scalar> {
                    found.append((name, layer))
                } else if let layers = value as? [any Layer<Scalar>] {
                    found += layers.enumerated().map { ("\(name).\($0.offset)", $0.element) }
                }
            }
        }
        visit(Mirror(reflecting: self))
        return found
    }

    /// Stored sublayers that ``children`` does not list: empty for every layer that keeps the
    /// reflected default; a layer that lists its children itself can check here that it
    /// forgot none (the package's tests do, for every model).
    public var undeclaredChildren: [String] {
        let declared = Set(children.map { ObjectIdentifier($0.layer) })
        return reflectedChildren.filter { !declared.contains(ObjectIdentifier($0.layer)) }.map(\.name)
    }

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
