/// Whether ops record onto the tape. Task-local, so a no-gradient scope on one task
/// never affects another, and there is no global mutable flag.
public enum GradientMode {
    @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` with recording switched off: results of ops are constants, nothing is
/// kept for backward. Used for the semantic-neighbor forward pass (Algorithm 1).
public func withoutGradient<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isEnabled.withValue(false, operation: body)
}
