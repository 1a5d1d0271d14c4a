extension Tensor {
    /// Index of the largest value along `axis` (the first one on ties): a tensor of the
    /// remaining axes, as PyTorch's `argmax(dim)`. NaN is never the largest value.
    ///
    ///     let predicted = logits.argmax(axis: 1)   // (N, K) -> [N] class indices
    ///
    /// - Throws: ``TensorError/invalidArgument(op:message:)`` for an axis outside the shape or an empty axis.
    public func argmax(axis: Int) throws -> [Int] {
        guard (0..<shape.count).contains(axis) else {
            throw TensorError.invalidArgument(op: "argmax", message: "axis \(axis) is outside a tensor of shape \(shape)")
        }
        let length = shape[axis]
        guard length > 0 else { throw TensorError.invalidArgument(op: "argmax", message: "axis \(axis) of shape \(shape) is empty") }
        let inner = shape[(axis + 1)...].reduce(1, *), outer = shape[..<axis].reduce(1, *)
        var result = [Int](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var best = 0
                for k in 1..<length where scalars[base + k * inner] > scalars[base + best * inner] || scalars[base + best * inner].isNaN { best = k }
                result[o * inner + i] = best
            }
        }
        return result
    }
}

extension Variable {
    /// The value of a one-element variable (a loss), as PyTorch's `loss.item()`.
    /// - Throws: ``TensorError/shapeMismatch(op:expected:actual:)`` when it holds more than one element.
    public var item: Scalar {
        get throws {
            guard let scalar = value.scalar else { throw TensorError.shapeMismatch(op: "item", expected: "one element", actual: shape) }
            return scalar
        }
    }
}
