import Foundation

/// Adam (Kingma and Ba, 2015) with PyTorch's semantics, and AdamW (Loshchilov and Hutter,
/// 2019) when weight decay is decoupled:
///
///     Adam:  g = grad + weightDecay * p          AdamW:  p = p * (1 - lr * weightDecay)
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g^2
///     vmax = max(vmax, v) with amsgrad (then v below is vmax)
///     p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
public struct AdamRule<Scalar: TensorScalar>: UpdateRule {
    public static var stateKinds: [String] { ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] }
    public static var countsSteps: Bool { true }
    public let beta1: Double, beta2: Double, epsilon: Double, amsgrad: Bool
    public let decoupledWeightDecay: Bool

    public func update(parameter p: UnsafeMutableBufferPointer<Scalar>, gradient g: UnsafeMutableBufferPointer<Scalar>,
                       state: inout [String: [Scalar]], step: Int, learningRate lr: Scalar) {
        let count = p.count
        let b1 = Scalar(beta1), b2 = Scalar(beta2), eps = Scalar(epsilon)
        var m = state.removeValue(forKey: "exp_avg") ?? [Scalar](repeating: 0, count: count)
        var v = state.removeValue(forKey: "exp_avg_sq") ?? [Scalar](repeating: 0, count: count)
        for i in 0..<count {
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
        }
        let correction1 = Scalar(1 - pow(beta1, Double(step)))
        let correction2Root = Scalar((1 - pow(beta2, Double(step))).squareRoot())
        let stepSize = lr / correction1
        if amsgrad {
            var vmax = state.removeValue(forKey: "max_exp_avg_sq") ?? [Scalar](repeating: 0, count: count)
            for i in 0..<count { vmax[i] = max(vmax[i], v[i]) }
            for i in 0..<count { p[i] -= stepSize * m[i] / (vmax[i].squareRoot() / correction2Root + eps) }
            state["max_exp_avg_sq"] = vmax
        } else {
            for i in 0..<count { p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + eps) }
        }
        state["exp_avg"] = m
        state["exp_avg_sq"] = v
    }
}

/// Adam as PyTorch's `torch.optim.Adam` (weight decay as an L2 term in the gradient).
public typealias Adam<Scalar: TensorScalar> = RuleOptimizer<AdamRule<Scalar>>
/// AdamW as PyTorch's `torch.optim.AdamW`: the same type as ``Adam`` with decoupled weight decay
/// (``RuleOptimizer/init(adamW:learningRate:beta1:beta2:epsilon:weightDecay:amsgrad:)``).
public typealias AdamW<Scalar: TensorScalar> = RuleOptimizer<AdamRule<Scalar>>

extension RuleOptimizer {
    /// Adam over parameter groups.
    /// - Throws: for betas outside [0, 1), a negative epsilon, learning rate or weight decay.
    public convenience init<S>(groups: [ParameterGroup<S>], beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                               amsgrad: Bool = false, decoupledWeightDecay: Bool = false) throws
    where Rule == AdamRule<S> {
        let name = decoupledWeightDecay ? "AdamW" : "Adam"
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw TensorError.invalidArgument(op: name, message: "betas must be in [0, 1), got \(beta1) and \(beta2)")
        }
        guard epsilon >= 0 else { throw TensorError.invalidArgument(op: name, message: "epsilon must be >= 0, got \(epsilon)") }
        try self.init(groups: groups, rule: AdamRule(beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
                                                      decoupledWeightDecay: decoupledWeightDecay), name: name)
    }

    /// Adam over one group (PyTorch's defaults: lr 1e-3, betas 0.9 and 0.999, eps 1e-8, no weight decay).
    public convenience init<S>(parameters: [(name: String, variable: Variable<S>)], learningRate: Double = 1e-3, beta1: Double = 0.9,
                               beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) throws
    where Rule == AdamRule<S> {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad)
    }

    /// AdamW over one group (PyTorch's defaults: lr 1e-3, weight decay 0.01).
    public convenience init<S>(adamW parameters: [(name: String, variable: Variable<S>)], learningRate: Double = 1e-3, beta1: Double = 0.9,
                               beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01, amsgrad: Bool = false) throws
    where Rule == AdamRule<S> {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad, decoupledWeightDecay: true)
    }
}
