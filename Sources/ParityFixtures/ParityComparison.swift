import Foundation
import Tensors

/// The result of comparing one computed tensor with the fixture's.
public struct ParityLine: Sendable, CustomStringConvertible {
    public let name: String
    public let maxAbsoluteError: Double
    public let maxRelativeError: Double
    public let passed: Bool
    /// Set when the tensor could not be compared (not computed, wrong shape).
    public let problem: String?

    public var description: String {
        let verdict = passed ? "pass" : "FAIL"
        if let problem { return "\(name)  \(verdict)  (\(problem))" }
        return "\(name)  max_abs=\(format(maxAbsoluteError))  max_rel=\(format(maxRelativeError))  \(verdict)"
    }

    private func format(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        return x == 0 ? "0" : String(format: "%.3e", x)
    }
}

/// Absolute plus relative tolerance: |actual - expected| <= absolute + relative * |expected|.
public struct ParityTolerance: Sendable {
    public let absolute: Double, relative: Double
    public init(absolute: Double, relative: Double) { self.absolute = absolute; self.relative = relative }

    /// Double: both sides compute in float64, only summation order differs (fixtures README).
    public static let double = ParityTolerance(absolute: 1e-9, relative: 1e-7)
    /// Float: float32 rounding over sums of up to a few thousand terms (fixtures README).
    public static let float = ParityTolerance(absolute: 1e-4, relative: 1e-3)

    public static func forScalar<S: TensorScalar>(_: S.Type) -> ParityTolerance { S.self == Double.self ? .double : .float }
}

func compare<S: TensorScalar>(_ name: String, actual: Tensor<S>?, expected: Tensor<Double>, tolerance: ParityTolerance) -> ParityLine {
    guard let actual else {
        return ParityLine(name: name, maxAbsoluteError: .infinity, maxRelativeError: .infinity, passed: false, problem: "not computed")
    }
    guard actual.shape == expected.shape else {
        return ParityLine(name: name, maxAbsoluteError: .infinity, maxRelativeError: .infinity, passed: false,
                          problem: "shape \(actual.shape), expected \(expected.shape)")
    }
    var maxAbsolute = 0.0, maxRelative = 0.0, passed = true
    for (a, e) in zip(actual.scalars, expected.scalars) {
        let difference = abs(Double(a) - e)
        if !(difference <= tolerance.absolute + tolerance.relative * abs(e)) { passed = false }
        if difference.isNaN { maxAbsolute = .nan; maxRelative = .nan; continue }
        maxAbsolute = max(maxAbsolute, difference)
        if e != 0 { maxRelative = max(maxRelative, difference / abs(e)) }
    }
    return ParityLine(name: name, maxAbsoluteError: maxAbsolute, maxRelativeError: maxRelative, passed: passed, problem: nil)
}
