/// A value multiplied by `factor` every `interval` epochs: value(e) = initial * factor^(e / interval).
/// The paper decays learning rates x0.1 every 10 epochs and lambda_AE x0.1 every 20.
public struct StepDecay: Sendable, Equatable, Codable {
    public var initial: Double, factor: Double, interval: Int

    /// - Throws: when the interval is not positive.
    public init(initial: Double, factor: Double = 0.1, interval: Int) throws {
        guard interval >= 1 else { throw TensorError.invalidArgument(op: "StepDecay", message: "interval must be at least 1, got \(interval)") }
        self.initial = initial; self.factor = factor; self.interval = interval
    }

    /// The value during `epoch` (counted from 0).
    public func value(atEpoch epoch: Int) -> Double {
        var v = initial
        for _ in 0..<(max(0, epoch) / interval) { v *= factor }
        return v
    }
}
