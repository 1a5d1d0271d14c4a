/// What one optimizer does to one parameter: the rest (parameter groups, skipping
/// parameters without a gradient, weight decay, per-parameter state by name, checkpoints)
/// is ``RuleOptimizer``'s, shared by every optimizer.
///
/// A new optimizer is a rule of a few lines: name its state slots and write ``update(parameter:gradient:state:step:learningRate:)``.
public protocol UpdateRule<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar
    /// The per-parameter state this rule keeps, by PyTorch's names (`momentum_buffer`,
    /// `exp_avg`, ...): the keys under which checkpoints store it.
    static var stateKinds: [String] { get }
    /// Whether the rule counts each parameter's updates (stored as `step/<name>`, as
    /// PyTorch's Adam does); rules that do not need it keep checkpoints without it.
    static var countsSteps: Bool { get }
    /// Whether weight decay shrinks the weights directly (p -= lr * wd * p, AdamW) instead of
    /// being added to the gradient (g += wd * p, the L2 penalty of SGD, RMSprop and Adam).
    var decoupledWeightDecay: Bool { get }

    /// Updates `parameter` in place from `gradient` (weight decay already applied as the rule
    /// asks; the rule may overwrite the gradient buffer). `state` holds this parameter's slots,
    /// empty on its first update; `step` counts its updates from 1.
    func update(parameter: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeMutableBufferPointer<Scalar>,
                state: inout [String: [Scalar]], step: Int, learningRate: Scalar)
}

extension UpdateRule {
    public static var countsSteps: Bool { false }
    public var decoupledWeightDecay: Bool { false }
}

/// An optimizer made of an ``UpdateRule``: parameter groups with their own learning rate and
/// weight decay, parameters without a gradient skipped, per-parameter state by parameter
/// name (``Optimizer/state`` as `<kind>/<name>`, PyTorch's names), so ``Checkpoint`` saves and
/// restores any rule exactly. ``SGD``, ``RMSprop``, ``Adam`` and ``AdamW`` are this class with
/// their rules.
public final class RuleOptimizer<Rule: UpdateRule>: Optimizer {
    public typealias Scalar = Rule.Scalar
    public var groups: [ParameterGroup<Scalar>]
    public let rule: Rule
    /// The optimizer's name in error messages (SGD, RMSprop, Adam, AdamW).
    public let name: String
    private var slots: [String: [String: [Scalar]]] = [:]
    private var steps: [String: Int] = [:]

    /// - Throws: for a negative learning rate or weight decay in any group.
    public init(groups: [ParameterGroup<Scalar>], rule: Rule, name: String) throws {
        for group in groups where !(group.learningRate >= 0) || !(group.weightDecay >= 0) {
            throw TensorError.invalidArgument(op: name, message: "learning rate and weight decay must be >= 0")
        }
        self.groups = groups
        self.rule = rule
        self.name = name
    }

    @_specialize(where Rule == SGDRule<Float>)
    @_specialize(where Rule == SGDRule<Double>)
    @_specialize(where Rule == RMSpropRule<Float>)
    @_specialize(where Rule == RMSpropRule<Double>)
    @_specialize(where Rule == AdamRule<Float>)
    @_specialize(where Rule == AdamRule<Double>)
    public func step() throws {
        for group in groups {
            let lr = Scalar(group.learningRate), wd = Scalar(group.weightDecay)
            for (name, parameter) in group.parameters {
                guard let grad = parameter.grad else { continue }
                var g = grad.scalars
                let step = (steps[name] ?? 0) + 1
                if Rule.countsSteps { steps[name] = step }
                var state = slots.removeValue(forKey: name) ?? [:]
                g.withUnsafeMutableBufferPointer { gp in
                    parameter.value.scalars.withUnsafeMutableBufferPointer { p in
                        if wd != 0 {
                            if rule.decoupledWeightDecay {
                                let shrink = 1 - lr * wd
                                for i in 0..<p.count { p[i] *= shrink }
                            } else {
                                for i in 0..<p.count { gp[i] += wd * p[i] }
                            }
                        }
                        rule.update(parameter: p, gradient: gp, state: &state, step: step, learningRate: lr)
                    }
                }
                slots[name] = state
            }
        }
    }

    public var state: [String: Tensor<Scalar>] {
        var result: [String: Tensor<Scalar>] = [:]
        for group in groups {
            for (name, parameter) in group.parameters {
                for (kind, values) in slots[name] ?? [:] {
                    var t = Tensor<Scalar>(zeros: parameter.shape)
                    t.scalars = values
                    result["\(kind)/\(name)"] = t
                }
                if Rule.countsSteps, let step = steps[name] { result["step/\(name)"] = Tensor([Scalar(step)]) }
            }
        }
        return result
    }

    public func loadState(_ state: [String: Tensor<Scalar>]) throws {
        let op = name
        var steps: [String: Int] = [:]
        var rest = state
        if Rule.countsSteps {
            for (key, tensor) in state where key.hasPrefix("step/") {
                let name = String(key.dropFirst(5))
                guard tensor.count == 1, let value = tensor.scalar, value.isFinite, value >= 0, value < 1e15 else {
                    throw TensorError.invalidArgument(op: op, message: "\(key) must hold one step count, got shape \(tensor.shape)")
                }
                steps[name] = Int(Double(value))
                rest[key] = nil
            }
        }
        let parts = try validatedState(rest, kinds: Set(Rule.stateKinds), op: op)
        var slots: [String: [String: [Scalar]]] = [:]
        for (kind, byName) in parts { for (name, tensor) in byName { slots[name, default: [:]][kind] = tensor.scalars } }
        if Rule.countsSteps, let missing = slots.keys.first(where: { steps[$0] == nil }) {
            throw TensorError.invalidArgument(op: op, message: "state of \(missing) has no step count (step/\(missing))")
        }
        self.slots = slots
        self.steps = steps
    }
}
