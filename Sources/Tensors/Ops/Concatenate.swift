extension Variable {
    /// Joins variables along `axis`; every other axis must agree. The gradient is split
    /// back into the pieces.
    /// - Throws: ``TensorError`` for an empty list, a bad axis or mismatched shapes.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func concatenate(_ parts: [Variable], alongAxis axis: Int) throws -> Variable {
        let op = "concatenate"
        guard let first = parts.first else { throw TensorError.invalidArgument(op: op, message: "no inputs") }
        let rank = first.shape.count
        guard axis >= 0, axis < rank else {
            throw TensorError.invalidArgument(op: op, message: "axis \(axis) out of range for rank \(rank)")
        }
        for part in parts {
            var expected = first.shape
            guard part.shape.count == rank else {
                throw TensorError.shapeMismatch(op: op, expected: "rank \(rank)", actual: part.shape)
            }
            expected[axis] = part.shape[axis]
            guard part.shape == expected else {
                throw TensorError.shapeMismatch(op: op, expected: "\(expected) (all axes but \(axis) equal to \(first.shape))", actual: part.shape)
            }
        }
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        let chunk = parts.map { $0.shape[axis] * inner }  // elements each part adds per outer index
        let rowLength = chunk.reduce(0, +)
        var out = [Scalar]()
        out.reserveCapacity(outer * rowLength)
        for o in 0..<outer {
            for (p, part) in parts.enumerated() {
                out.append(contentsOf: part.value.scalars[(o * chunk[p])..<((o + 1) * chunk[p])])
            }
        }
        var outputShape = first.shape
        outputShape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
        let nodes = parts.map(\.node)
        return record(Tensor(uncheckedShape: outputShape, scalars: out), inputs: parts) { dy in
            var offset = 0
            for (p, part) in nodes.enumerated() {
                defer { offset += chunk[p] }
                guard part.requiresGradient else { continue }
                var piece = [Scalar]()
                piece.reserveCapacity(outer * chunk[p])
                for o in 0..<outer {
                    let start = o * rowLength + offset
                    piece.append(contentsOf: dy.scalars[start..<(start + chunk[p])])
                }
                part.accumulateGradient(Tensor(uncheckedShape: part.shape, scalars: piece))
            }
        }
    }
}
