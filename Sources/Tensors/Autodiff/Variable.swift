/// A node of the autodiff graph: a tensor value, its accumulated gradient, and how to
/// send a gradient back to the variables it was computed from.
///
/// Every differentiable op takes variables and returns a new one. When any input
/// requires a gradient (and gradients are enabled, see ``withoutGradient(_:)``), the
/// result records its inputs and a pullback closure: this chain of records is the tape.
/// ``backward(upstream:)`` replays it in reverse and releases it afterwards.
///
/// Gradients accumulate (`+=`) across calls, as in PyTorch; call ``zeroGradient()``
/// (or an optimizer's) between steps. A variable is a reference type and is not
/// `Sendable`: a graph belongs to one thread of work. Its ``value`` is a plain
/// `Sendable` ``Tensor``.
public final class Variable<Scalar: TensorScalar> {
    /// The forward value.
    public var value: Tensor<Scalar>
    /// The gradient accumulated by backward passes, shaped like ``value``.
    public var grad: Tensor<Scalar>?
    /// Whether gradients are tracked for this variable. Leaves set it; op results inherit it.
    public var requiresGradient: Bool
    /// A name for messages and checkpoints (parameters get their dotted path).
    public var name: String?

    /// Inputs of the op that produced this variable (empty for leaves and after backward).
    var inputs: [Variable<Scalar>] = []
    /// Sends this variable's gradient to ``inputs``; nil for leaves and after backward.
    var pullback: ((Tensor<Scalar>) -> Void)?

    /// A leaf variable (an input or a parameter).
    public init(_ value: Tensor<Scalar>, requiresGradient: Bool = false, name: String? = nil) {
        self.value = value
        self.requiresGradient = requiresGradient
        self.name = name
    }

    public var shape: [Int] { value.shape }

    /// True when this variable was produced by an op that recorded a pullback.
    public var isLeaf: Bool { pullback == nil }

    /// Drops the accumulated gradient.
    public func zeroGradient() { grad = nil }

    /// Adds `gradient` into ``grad``. Ops' pullbacks call this; it never overwrites.
    public func accumulateGradient(_ gradient: Tensor<Scalar>) {
        precondition(gradient.shape == value.shape,
                     "internal: gradient shape \(gradient.shape) does not match value shape \(value.shape)")
        if grad == nil {
            grad = gradient
            return
        }
        // In place: the stored gradient is not copied.
        grad!.scalars.withUnsafeMutableBufferPointer { target in
            gradient.scalars.withUnsafeBufferPointer { source in
                for i in 0..<target.count { target[i] += source[i] }
            }
        }
    }

    /// Makes a result variable for an op. Records the pullback only when some input
    /// requires a gradient and gradients are enabled; otherwise the result is a constant.
    public static func record(
        _ value: Tensor<Scalar>, inputs: [Variable<Scalar>], pullback: @escaping (Tensor<Scalar>) -> Void
    ) -> Variable<Scalar> {
        let result = Variable(value)
        if GradientMode.isEnabled && inputs.contains(where: { $0.requiresGradient }) {
            result.requiresGradient = true
            result.inputs = inputs
            result.pullback = pullback
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

        let order = topologicalOrder()
        accumulateGradient(seed)
        for node in order.reversed() {
            guard let pullback = node.pullback else { continue }
            if let gradient = node.grad { pullback(gradient) }
            // Release the graph as we go: intermediate values and closures are freed,
            // and the intermediate gradient is not kept (PyTorch keeps only leaves').
            node.pullback = nil
            node.inputs = []
            if node !== self { node.grad = nil }
        }
    }

    /// Nodes reachable from `self` through recorded inputs, inputs before users.
    /// Iterative so that deep graphs cannot overflow the stack.
    private func topologicalOrder() -> [Variable<Scalar>] {
        var order: [Variable<Scalar>] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable<Scalar>, Bool)] = [(self, false)]
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
