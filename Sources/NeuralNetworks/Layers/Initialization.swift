import Foundation

/// Weight initialisation schemes. PyTorch's defaults are reproduced so that a network
/// built here starts from the same distribution as the peer.
public enum Initialization: Sendable, Equatable {
    /// PyTorch's default for `Linear` and `Conv2d`: Kaiming-uniform with a = sqrt(5),
    /// i.e. U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights.
    case kaimingUniform
    /// An orthogonal matrix (rows or columns orthonormal) from the QR factorisation of a
    /// Gaussian matrix through LAPACKE, times `gain` (Saxe et al., 2014).
    case orthogonal(gain: Double)

    /// A weight tensor of `shape` whose first axis is the output and the rest the fan-in.
    public func makeWeight<Scalar: TensorScalar>(shape: [Int], fanIn: Int, using generator: inout SeededGenerator) -> Tensor<Scalar> {
        switch self {
        case .kaimingUniform:
            let bound = 1 / Double(max(1, fanIn)).squareRoot()
            return Tensor(randomUniform: shape, lowerBound: Scalar(-bound), upperBound: Scalar(bound), using: &generator)
        case .orthogonal(let gain):
            let rows = shape.first ?? 1
            let columns = shape.dropFirst().reduce(1, *)
            let q = orthogonalMatrix(rows: rows, columns: columns, using: &generator)
            var weight = Tensor<Scalar>(zeros: shape)
            weight.scalars = q.map { Scalar($0 * gain) }
            return weight
        }
    }

    /// PyTorch's default bias: U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
    public static func bias<Scalar: TensorScalar>(count: Int, fanIn: Int, using generator: inout SeededGenerator) -> Tensor<Scalar> {
        let bound = 1 / Double(max(1, fanIn)).squareRoot()
        return Tensor(randomUniform: [count], lowerBound: Scalar(-bound), upperBound: Scalar(bound), using: &generator)
    }
}
