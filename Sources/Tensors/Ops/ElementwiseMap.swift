extension Variable {
    /// Applies a scalar function element-wise; `derivative(x, y)` gives dy/dx from the
    /// input x and output y, so functions like tanh can reuse their output.
    /// The building block of the activations and of exp/log/pow.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func map(_ function: (Scalar) -> Scalar, derivative: @escaping (Scalar, Scalar) -> Scalar) -> Variable {
        let x = value
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = function(p[i]) }
        }
        let output = y
        return Variable.record(y, inputs: [self]) { [input = node] dy in
            var dx = dy
            dx.scalars.withUnsafeMutableBufferPointer { g in
                x.scalars.withUnsafeBufferPointer { xp in
                    output.scalars.withUnsafeBufferPointer { yp in
                        for i in 0..<g.count { g[i] *= derivative(xp[i], yp[i]) }
                    }
                }
            }
            input.accumulateGradient(dx)
        }
    }

    /// e^x element-wise.
    public func exp() -> Variable { map({ Scalar.exp($0) }, derivative: { _, y in y }) }
    /// Natural logarithm element-wise (no guard for x <= 0: the result is -inf or NaN, as in PyTorch).
    public func log() -> Variable { map({ Scalar.log($0) }, derivative: { x, _ in 1 / x }) }
    /// x^p element-wise for a constant exponent p.
    public func pow(_ exponent: Scalar) -> Variable {
        map({ Scalar.pow($0, exponent) }, derivative: { x, _ in exponent * Scalar.pow(x, exponent - 1) })
    }
}
