/// A node of the autodiff graph: a tensor value, its accumulated gradient, and how to
/// send a gradient back to the variables it was computed from.
///
/// Every differentiable op takes variables and returns a new one. When any input
/// requires a gradient (and gradients are enabled, see ``withoutGradient(_:)``), the
/// result records its inputs and a pullback closure: this chain of records is the tape.
/// ``backward(upstream:)`` replays it in reverse and releases it afterwards.
///
/// The tape links the variables' gradient records (`GradientNode`), not the variables:
/// a recorded op keeps alive only the values its pullback captured, as PyTorch keeps only
/// an op's saved tensors. An intermediate result that nothing else holds (the batch norm
/// output a ReLU consumed) is freed as soon as the forward pass moves on.
///
/// Gradients accumulate (`+=`) across calls, as in PyTorch; call ``zeroGradient()``
/// (or an optimizer's) between steps. A variable is a reference type and is not
/// `Sendable`: a graph belongs to one thread of work. Its ``value`` is a plain
/// `Sendable` ``Tensor``.
public final class Variable<Scalar: TensorScalar> {
    /// The forward value. Its elements may be changed in place (optimizers and batch norm's
    /// running statistics do): no copy is made when nothing else shares the storage.
    public var value: Tensor<Scalar> {
        get { storedValue }
        // An explicit `_modify`: a `didSet` observer made callers in other modules read a copy,
        // change it (copying the elements, as the storage was then shared) and write it back.
        _modify {
            // `defer`: code after `yield` is skipped when the caller's access ends by throwing.
            defer { recordShape() }
            yield &storedValue
        }
        set {
            storedValue = newValue
            recordShape()
        }
    }
    private var storedValue: Tensor<Scalar>
    /// The record checks gradients against the value's current shape.
    private func recordShape() { if node.shape != storedValue.shape { node.shape = storedValue.shape } }
    /// The gradient record: the accumulated gradient and, for op results, the tape.
    let node: GradientNode<Scalar>
    /// The gradient accumulated by backward passes, shaped like ``value``.
    public var grad: Tensor<Scalar>? {
        get { node.grad }
        set { node.grad = newValue }
    }
    /// Whether gradients are tracked for this variable. Leaves set it; op results inherit it.
    public var requiresGradient: Bool {
        get { node.requiresGradient }
        set { node.requiresGradient = newValue }
    }
    /// A name for messages and checkpoints (parameters get their dotted path).
    public var name: String?

    /// A leaf variable (an input or a parameter).
    public init(_ value: Tensor<Scalar>, requiresGradient: Bool = false, name: String? = nil) {
        self.storedValue = value
        self.node = GradientNode(shape: value.shape, requiresGradient: requiresGradient)
        self.name = name
    }

    public var shape: [Int] { value.shape }

    /// True when this variable was produced by an op that recorded a pullback.
    public var isLeaf: Bool { node.pullback == nil }

    /// Drops the accumulated gradient.
    public func zeroGradient() { node.grad = nil }

    /// Adds `gradient` into ``grad``. Ops' pullbacks call this; it never overwrites.
    public func accumulateGradient(_ gradient: Tensor<Scalar>) {
        precondition(gradient.shape == value.shape,
                     "internal: gradient shape \(gradient.shape) does not match value shape \(value.shape)")
        node.addGradient(gradient)
    }

    /// Makes a result variable for an op. Records the pullback only when some input
    /// requires a gradient and gradients are enabled; otherwise the result is a constant.
    public static func record(
        _ value: Tensor<Scalar>, inputs: [Variable<Scalar>], pullback: @escaping (Tensor<Scalar>) -> Void
    ) -> Variable<Scalar> {
        let result = Variable(value)
        if GradientMode.isEnabled && inputs.contains(where: { $0.requiresGradient }) {
            result.requiresGradient = true
            result.node.inputs = inputs.map(\.node)
            result.node.pullback = pullback
        }
        return result
    }

    /// A new leaf with the same value that is cut off from the graph.
    public func detached() -> Variable<Scalar> { Variable(value) }

    /// Backpropagates from this variable.
    ///
    /// - Parameter upstream: the gradient of the final objective with respect to this
    ///   variable. When nil, the variable must hold exactly one element and the seed is 1.
    /// - Throws: ``TensorError/notDifferentiable(op:message:)`` when the variable does not
    ///   require a gradient, ``TensorError/shapeMismatch(op:expected:actual:)`` when the
    ///   upstream gradient's shape differs from the value's, or when no upstream gradient
    ///   is given for a non-scalar.
    public func backward(upstream: Tensor<Scalar>? = nil) throws {
        guard requiresGradient else {
            throw TensorError.notDifferentiable(
                op: "backward", message: "this variable does not require a gradient (no input of its graph does)")
        }
        let seed: Tensor<Scalar>
        if let upstream {
            guard upstream.shape == value.shape else {
                throw TensorError.shapeMismatch(op: "backward", expected: "\(value.shape)", actual: upstream.shape)
            }
            seed = upstream
        } else {
            guard value.count == 1 else {
                throw TensorError.shapeMismatch(
                    op: "backward", expected: "one element (or pass an upstream gradient)", actual: value.shape)
            }
            seed = Tensor(repeating: 1, shape: value.shape)
        }

        node.run(seed: seed)
    }
}

/// The part of a ``Variable`` that the tape holds: its gradient and, for an op result,
/// the inputs' records and the pullback. It holds no value, so the graph keeps alive only
/// what the pullbacks captured. A pullback that needs no input value captures its inputs'
/// records (``Variable/node``) rather than the variables themselves.
final class GradientNode<Scalar: TensorScalar> {
    /// The shape of the variable's value: every gradient has it.
    var shape: [Int]
    var grad: Tensor<Scalar>?
    var requiresGradient: Bool
    /// Records of the op's inputs (empty for leaves and after backward).
    var inputs: [GradientNode] = []
    /// Sends this node's gradient to ``inputs``; nil for leaves and after backward.
    var pullback: ((Tensor<Scalar>) -> Void)?

    init(shape: [Int], requiresGradient: Bool) {
        self.shape = shape
        self.requiresGradient = requiresGradient
    }

    /// Adds `gradient` into ``grad`` (in place when one is stored: it is not copied).
    func addGradient(_ gradient: Tensor<Scalar>) {
        if grad == nil {
            grad = gradient
            return
        }
        grad!.scalars.withUnsafeMutableBufferPointer { target in
            gradient.scalars.withUnsafeBufferPointer { source in
                for i in 0..<target.count { target[i] += source[i] }
            }
        }
    }

    /// ``Variable/accumulateGradient(_:)`` for a pullback that captured the record.
    func accumulateGradient(_ gradient: Tensor<Scalar>) {
        precondition(gradient.shape == shape, "internal: gradient shape \(gradient.shape) does not match value shape \(shape)")
        addGradient(gradient)
    }

    /// Seeds this node and runs the pullbacks of everything it was computed from.
    fileprivate func run(seed: Tensor<Scalar>) {
        var order = topologicalOrder()
        addGradient(seed)
        // Nodes leave `order` as they are processed, so a node that no one else holds (and
        // the values its pullback captured) is freed as soon as its pullback has run.
        while let node = order.popLast() {
            guard let pullback = node.pullback else { continue }
            if let gradient = node.grad { pullback(gradient) }
            // Release the graph as we go: the closure and the values it captured are freed,
            // and the intermediate gradient is not kept (PyTorch keeps only leaves').
            node.pullback = nil
            node.inputs = []
            if node !== self { node.grad = nil }
        }
    }

    /// Nodes reachable from `self` through recorded inputs, inputs before users.
    /// Iterative so that deep graphs cannot overflow the stack.
    private func topologicalOrder() -> [GradientNode] {
        var order: [GradientNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradientNode, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            if visited.contains(ObjectIdentifier(node)) { continue }
            visited.insert(ObjectIdentifier(node))
            stack.append((node, true))
            for input in node.inputs where input.requiresGradient && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }
}
