/// Timing helpers shared by the benchmarks.

/// The median of `values`, the upper one of the two middle values for an even count: the
/// rule of the PyTorch peers (`sorted(ts)[len(ts) // 2]`), so both sides report alike.
public func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "the median of no values")
    return values.sorted()[values.count / 2]
}

/// Seconds taken by `body` on the monotonic clock.
public func seconds(_ body: () throws -> Void) rethrows -> Double {
    let elapsed = try ContinuousClock().measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// The median of `reps` timed calls of `body`, after one untimed warm-up call.
public func medianSeconds(reps: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var samples: [Double] = []
    for _ in 0..<max(1, reps) { samples.append(try seconds(body)) }
    return median(samples)
}
