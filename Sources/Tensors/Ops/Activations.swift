extension Variable {
    /// max(0, x). The derivative at 0 is taken as 0, as in PyTorch.
    public func relu() -> Variable { leakyRelu(negativeSlope: 0) }

    /// x for x > 0, negativeSlope * x otherwise (PyTorch's default slope is 0.01).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func leakyRelu(negativeSlope: Scalar = 0.01) -> Variable {
        let x = value
        let count = x.count
        // One pass straight into fresh storage, with a select instead of a branch: the
        // signs of activations are a coin toss, so a branch mispredicts half the time and
        // keeps the loop from vectorising (it was the costliest op of a training step).
        // A NaN fails `> 0` and stays NaN, as before.
        let y = x.scalars.withUnsafeBufferPointer { xp in
            [Scalar](unsafeUninitializedCapacity: count) { yp, initialized in
                Parallel.forEachChunk(count: count, work: count) { range in
                    // Local base pointers: through the captured buffers, each store could change
                    // them, so the compiler reloaded them per element and ran the loop scalar.
                    guard let source = xp.baseAddress, let target = yp.baseAddress else { return }
                    for i in range { let v = source[i]; target[i] = v > 0 ? v : v * negativeSlope }
                }
                initialized = count
            }
        }
        let output = Tensor(uncheckedShape: x.shape, scalars: y)
        // For a slope >= 0, y > 0 exactly where x > 0 (a NaN fails both), so the pullback keeps
        // the output, which the next op keeps anyway, and not the input: a batch norm's output
        // under a ReLU is freed once the ReLU has run, as PyTorch's in-place ReLU never keeps it.
        let saved = negativeSlope >= 0 ? output : x, inputShape = x.shape
        return Variable.record(output, inputs: [self]) { [input = node] dy in
            let dx = saved.scalars.withUnsafeBufferPointer { sp in
                dy.scalars.withUnsafeBufferPointer { g in
                    [Scalar](unsafeUninitializedCapacity: count) { dxp, initialized in
                        Parallel.forEachChunk(count: count, work: count) { range in
                            // Local base pointers, as in the forward loop, so that it vectorises.
                            guard let output = sp.baseAddress, let upstream = g.baseAddress, let target = dxp.baseAddress else { return }
                            for i in range { target[i] = output[i] > 0 ? upstream[i] : upstream[i] * negativeSlope }
                        }
                        initialized = count
                    }
                }
            }
            input.accumulateGradient(Tensor(uncheckedShape: inputShape, scalars: dx))
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
