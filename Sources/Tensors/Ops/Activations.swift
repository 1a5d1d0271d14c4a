extension Variable {
    /// max(0, x). The derivative at 0 is taken as 0, as in PyTorch.
    public func relu() -> Variable { leakyRelu(negativeSlope: 0) }

    /// x for x > 0, negativeSlope * x otherwise (PyTorch's default slope is 0.01).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func leakyRelu(negativeSlope: Scalar = 0.01) -> Variable {
        let x = value
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count where !(p[i] > 0) { p[i] *= negativeSlope }
        }
        return Variable.record(y, inputs: [self]) { [self] dy in
            var dx = dy
            dx.scalars.withUnsafeMutableBufferPointer { g in
                x.scalars.withUnsafeBufferPointer { xp in
                    for i in 0..<g.count where !(xp[i] > 0) { g[i] *= negativeSlope }
                }
            }
            self.accumulateGradient(dx)
        }
    }

    /// Hyperbolic tangent; d/dx = 1 - tanh(x)^2.
    public func tanh() -> Variable { map({ Scalar.tanh($0) }, derivative: { _, y in 1 - y * y }) }

    /// Logistic sigmoid 1 / (1 + e^-x), computed without overflow for large |x|;
    /// d/dx = s (1 - s).
    public func sigmoid() -> Variable {
        map({ x in
            if x >= 0 { return 1 / (1 + Scalar.exp(-x)) }
            let e = Scalar.exp(x)
            return e / (1 + e)
        }, derivative: { _, s in s * (1 - s) })
    }
}
