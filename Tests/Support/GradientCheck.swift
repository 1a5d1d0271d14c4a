import Testing
import Tensors

/// Checks reverse-mode gradients against central differences, in Double.
///
/// The objective is sum(f(inputs) * upstream) with a random upstream gradient, never a
/// plain sum (the gradient of sum(softmax) is zero and would hide errors). With step
/// h = 1e-6 the truncation error is O(h^2 * f''') ~ 1e-12 and the rounding error is
/// ~ eps * |objective| / h ~ 1e-10 * |objective|; the tolerance 1e-6 + 1e-5 * |g| sits
/// well above both and far below the size of any real mistake (a wrong term is O(|g|)).
public func checkGradients(
    _ inputs: [Tensor<Double>],
    seed: UInt64 = 1,
    step: Double = 1e-6,
    absoluteTolerance: Double = 1e-6,
    relativeTolerance: Double = 1e-5,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ function: ([Variable<Double>]) throws -> Variable<Double>
) throws {
    let variables = inputs.map { Variable($0, requiresGradient: true) }
    let output = try function(variables)
    var generator = SeededGenerator(seed: seed)
    let upstream = Tensor<Double>(randomNormal: output.shape, using: &generator)
    try output.backward(upstream: upstream)

    func objective(_ perturbed: [Tensor<Double>]) throws -> Double {
        try withoutGradient {
            let y = try function(perturbed.map { Variable($0) })
            return zip(y.value.scalars, upstream.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }

    for (index, input) in inputs.enumerated() {
        guard let analytic = variables[index].grad else {
            Issue.record("input \(index) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        #expect(analytic.shape == input.shape, "gradient shape of input \(index)", sourceLocation: sourceLocation)
        var worst = 0.0
        for j in 0..<input.count {
            var plus = inputs, minus = inputs
            plus[index].scalars[j] += step
            minus[index].scalars[j] -= step
            let numeric = (try objective(plus) - objective(minus)) / (2 * step)
            let error = abs(numeric - analytic.scalars[j])
            if error > absoluteTolerance + relativeTolerance * abs(numeric) {
                Issue.record("input \(index) element \(j): analytic \(analytic.scalars[j]) vs numeric \(numeric)",
                             sourceLocation: sourceLocation)
                return
            }
            worst = max(worst, error)
        }
    }
}

/// A seeded random tensor for tests.
public func randomTensor(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor<Double> {
    var generator = SeededGenerator(seed: seed)
    return Tensor<Double>(randomNormal: shape, standardDeviation: scale, using: &generator)
}

/// Element-wise comparison with an absolute plus relative tolerance; records the first
/// few offending elements (index, actual, expected) so a failure says where it is.
public func expectClose<S: TensorScalar, R: TensorScalar>(
    _ actual: Tensor<S>, _ expected: Tensor<R>, absolute: Double, relative: Double, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.shape == expected.shape else {
        Issue.record("\(label): shape \(actual.shape) != expected \(expected.shape)", sourceLocation: sourceLocation)
        return
    }
    var failures = 0
    for i in 0..<actual.count {
        let a = Double(actual.scalars[i]), e = Double(expected.scalars[i])
        if !(abs(a - e) <= absolute + relative * abs(e)) {
            failures += 1
            if failures <= 3 {
                Issue.record("\(label)[\(i)]: \(a) vs expected \(e)", sourceLocation: sourceLocation)
            }
        }
    }
    if failures > 3 { Issue.record("\(label): \(failures) elements out of tolerance in total", sourceLocation: sourceLocation) }
}
