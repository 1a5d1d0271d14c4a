extension Variable {
    /// Inverted dropout: zeroes each element with probability `rate` and scales the
    /// survivors by 1 / (1 - rate), so evaluation needs no rescaling. The mask comes from
    /// the explicit `generator`, so a run is reproducible from its seed. A rate of 0
    /// returns the input unchanged (and draws nothing).
    /// - Throws: ``TensorError/invalidArgument(op:message:)`` unless 0 <= rate < 1.
    @_specialize(where Scalar == Float, G == SeededGenerator)
    @_specialize(where Scalar == Double, G == SeededGenerator)
    public func dropout<G: RandomNumberGenerator>(rate: Double, using generator: inout G) throws -> Variable {
        guard rate >= 0, rate < 1 else {
            throw TensorError.invalidArgument(op: "dropout", message: "rate must be in [0, 1), got \(rate)")
        }
        if rate == 0 { return self }
        let scale = Scalar(1 / (1 - rate))
        var mask = [Scalar](repeating: 0, count: value.count)
        for i in 0..<mask.count where generator.nextUnitDouble() >= rate { mask[i] = scale }
        var y = value
        y.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] *= mask[i] }
        }
        return Variable.record(y, inputs: [self]) { [input = node] dy in
            var dx = dy
            dx.scalars.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= mask[i] }
            }
            input.accumulateGradient(dx)
        }
    }
}
