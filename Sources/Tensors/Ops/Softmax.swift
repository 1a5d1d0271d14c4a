// Legend: R rows (all axes but the last, merged), K entries along the last axis.

extension Variable {
    /// Splits the shape into rows along the last axis, for the softmax family.
    private func rowsAndLength(op: String) throws -> (rows: Int, length: Int) {
        guard let length = shape.last, length > 0 else {
            throw TensorError.shapeMismatch(op: op, expected: "rank at least 1 with a non-empty last axis", actual: shape)
        }
        return (value.count / length, length)
    }

    /// log(softmax(x)) along the last axis (dim 1 of an (N, K) input), computed as
    /// x - max - log(sum(exp(x - max))) so that large logits cannot overflow.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func logSoftmax() throws -> Variable {
        let (R, K) = try rowsAndLength(op: "logSoftmax")
        var y = value
        y.scalars.withUnsafeMutableBufferPointer { p in
            for r in 0..<R {
                let row = p.baseAddress! + r * K
                let m = rowMaximum(row, K)
                var sum: Scalar = 0
                for k in 0..<K { sum += Scalar.exp(row[k] - m) }
                let shift = m + Scalar.log(sum)
                for k in 0..<K { row[k] -= shift }
            }
        }
        let output = y
        return Variable.record(y, inputs: [self]) { [input = node] dy in
            // dx = dy - softmax * sum(dy) per row
            var dx = dy
            dx.scalars.withUnsafeMutableBufferPointer { g in
                for r in 0..<R {
                    var total: Scalar = 0
                    for k in 0..<K { total += g[r * K + k] }
                    for k in 0..<K { g[r * K + k] -= Scalar.exp(output.scalars[r * K + k]) * total }
                }
            }
            input.accumulateGradient(dx)
        }
    }

    /// softmax along the last axis: exp(x - max) / sum(exp(x - max)).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softmax() throws -> Variable {
        let (R, K) = try rowsAndLength(op: "softmax")
        var y = value
        y.scalars.withUnsafeMutableBufferPointer { p in
            for r in 0..<R {
                let row = p.baseAddress! + r * K
                let m = rowMaximum(row, K)
                var sum: Scalar = 0
                for k in 0..<K { row[k] = Scalar.exp(row[k] - m); sum += row[k] }
                for k in 0..<K { row[k] /= sum }
            }
        }
        let output = y
        return Variable.record(y, inputs: [self]) { [input = node] dy in
            // dx = s * (dy - sum(dy * s)) per row
            var dx = dy
            dx.scalars.withUnsafeMutableBufferPointer { g in
                for r in 0..<R {
                    var dot: Scalar = 0
                    for k in 0..<K { dot += g[r * K + k] * output.scalars[r * K + k] }
                    for k in 0..<K { g[r * K + k] = output.scalars[r * K + k] * (g[r * K + k] - dot) }
                }
            }
            input.accumulateGradient(dx)
        }
    }
}

/// The largest of the K values at `row`: subtracted before exp so large logits cannot overflow.
@inline(__always)
private func rowMaximum<Scalar: TensorScalar>(_ row: UnsafeMutablePointer<Scalar>, _ K: Int) -> Scalar {
    var m = row[0]
    for k in 1..<K where row[k] > m { m = row[k] }
    return m
}
