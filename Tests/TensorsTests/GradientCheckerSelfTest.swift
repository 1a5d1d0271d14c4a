import Testing
import TestSupport
@testable import Tensors

/// The gradient checker must be able to fail: a deliberately wrong derivative is caught.
@Test func gradientCheckerCatchesAWrongDerivative() throws {
    withKnownIssue("a wrong derivative must be reported") {
        try checkGradients([randomTensor([3, 3], seed: 1)]) { v in
            v[0].map({ $0 * $0 }, derivative: { x, _ in 2 * x + 0.01 })  // off by 0.01
        }
    }
}
