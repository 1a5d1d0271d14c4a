extension Variable {
    /// Sum of all elements, as a rank-0 variable.
    public func sum() -> Variable {
        let total = value.scalars.reduce(0, +)
        let inputShape = shape
        return Variable.record(Tensor(total), inputs: [self]) { [input = node] dy in
            input.accumulateGradient(Tensor(repeating: dy.scalars[0], shape: inputShape))
        }
    }

    /// Mean of all elements, as a rank-0 variable.
    public func mean() throws -> Variable {
        guard value.count > 0 else { throw TensorError.shapeMismatch(op: "mean", expected: "at least one element", actual: shape) }
        return sum().scaled(by: 1 / Scalar(value.count))
    }

    /// Sums along one axis, which is removed from the shape ((N, K) -> (N) for axis 1).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum(alongAxis axis: Int) throws -> Variable {
        guard axis >= 0, axis < shape.count else {
            throw TensorError.invalidArgument(op: "sum(alongAxis:)", message: "axis \(axis) out of range for shape \(shape)")
        }
        let outer = shape[..<axis].reduce(1, *), length = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var out = [Scalar](repeating: 0, count: outer * inner)
        value.scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for a in 0..<length {
                    let base = (o * length + a) * inner
                    for i in 0..<inner { out[o * inner + i] += x[base + i] }
                }
            }
        }
        var outputShape = shape
        outputShape.remove(at: axis)
        let inputShape = shape
        return Variable.record(Tensor(uncheckedShape: outputShape, scalars: out), inputs: [self]) { [input = node] dy in
            var dx = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
            for o in 0..<outer {
                for a in 0..<length {
                    let base = (o * length + a) * inner
                    for i in 0..<inner { dx[base + i] = dy.scalars[o * inner + i] }
                }
            }
            input.accumulateGradient(Tensor(uncheckedShape: inputShape, scalars: dx))
        }
    }

    /// Mean along one axis, which is removed from the shape.
    public func mean(alongAxis axis: Int) throws -> Variable {
        let summed = try sum(alongAxis: axis)
        guard shape[axis] > 0 else { throw TensorError.shapeMismatch(op: "mean(alongAxis:)", expected: "non-empty axis \(axis)", actual: shape) }
        return summed.scaled(by: 1 / Scalar(shape[axis]))
    }

    /// Picks one entry per row of an (N, K) variable: result[i] = self[i, indices[i]].
    /// Used by the classification losses to read the log-probability of each label.
    /// - Throws: when the shape is not (N, K), the index count is not N, or an index is out of 0..<K.
    public func gather(indices: [Int]) throws -> Variable {
        guard shape.count == 2 else { throw TensorError.shapeMismatch(op: "gather", expected: "(N, K)", actual: shape) }
        let (N, K) = (shape[0], shape[1])
        guard indices.count == N else {
            throw TensorError.shapeMismatch(op: "gather", expected: "\(N) indices", actual: [indices.count])
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= K }) {
            throw TensorError.invalidArgument(op: "gather", message: "index \(bad) out of range 0..<\(K)")
        }
        let picked = (0..<N).map { value.scalars[$0 * K + indices[$0]] }
        let inputShape = shape
        return Variable.record(Tensor(uncheckedShape: [N], scalars: picked), inputs: [self]) { [input = node] dy in
            var dx = [Scalar](repeating: 0, count: N * K)
            for i in 0..<N { dx[i * K + indices[i]] = dy.scalars[i] }
            input.accumulateGradient(Tensor(uncheckedShape: inputShape, scalars: dx))
        }
    }
}
