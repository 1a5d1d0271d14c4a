import Tensors

extension ComputePrecision {
    /// Runs `body` in a run's saved precision, whatever `FER_PRECISION` says. A run whose
    /// settings predate the setting (nil) trained in float32, so nil means float32: the
    /// one place that rule is written.
    public static func inRun<Result>(_ saved: ComputePrecision?, _ body: () throws -> Result) rethrows -> Result {
        try $override.withValue(saved ?? .float32, operation: body)
    }
}
