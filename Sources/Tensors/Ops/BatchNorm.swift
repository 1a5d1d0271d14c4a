import CLayerKernels

// Legend: N batch, C channels, S spatial size (H*W for images, 1 for (N, C) input).
// Statistics are taken over N and S for each channel.

extension Variable {
    /// Batch normalisation over axis 1, as PyTorch's `F.batch_norm`, for (N, C) and
    /// (N, C, H, W) inputs.
    ///
    /// Training: normalises with the batch mean and the biased batch variance and updates
    /// the running statistics as `running = (1 - momentum) * running + momentum * batch`,
    /// using the *unbiased* batch variance for `runningVariance` (PyTorch's rule; its
    /// momentum 0.1 is the paper's 0.9 in the other convention).
    /// Evaluation: normalises with the running statistics and leaves them alone.
    ///
    /// - Parameters:
    ///   - weight: per-channel scale, shape (C); nil for no scale.
    ///   - bias: per-channel shift, shape (C); nil for no shift.
    ///   - runningMean: per-channel running mean (C); read in evaluation, updated in training.
    ///   - runningVariance: per-channel running variance (C); read in evaluation, updated
    ///     in training.
    ///   - training: true to normalise with batch statistics and update the running ones;
    ///     false to normalise with the running statistics.
    ///   - momentum: weight of the batch statistics in the running update, in [0, 1]
    ///     (PyTorch's default 0.1).
    ///   - epsilon: added to the variance before the square root (PyTorch's 1e-5).
    /// - Throws: ``TensorError`` for a wrong shape, or training with one value per channel
    ///   (the unbiased variance would divide by zero; PyTorch refuses too).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func batchNorm(
        weight: Variable?, bias: Variable?, runningMean: inout Tensor<Scalar>, runningVariance: inout Tensor<Scalar>,
        training: Bool, momentum: Scalar = 0.1, epsilon: Scalar = 1e-5
    ) throws -> Variable {
        let op = "batchNorm"
        guard shape.count >= 2 else { throw TensorError.shapeMismatch(op: op, expected: "input (N, C, ...)", actual: shape) }
        let N = shape[0], C = shape[1]
        let S = shape.dropFirst(2).reduce(1, *)
        for (label, tensor) in [("weight", weight?.value), ("bias", bias?.value), ("runningMean", runningMean), ("runningVariance", runningVariance)] {
            if let tensor, tensor.shape != [C] {
                throw TensorError.shapeMismatch(op: op, expected: "\(label) [\(C)]", actual: tensor.shape)
            }
        }
        let M = N * S
        if training && M < 2 {
            throw TensorError.invalidArgument(op: op, message: "training needs more than one value per channel, got input \(shape)")
        }
        guard momentum >= 0, momentum <= 1 else {
            throw TensorError.invalidArgument(op: op, message: "momentum must be in [0, 1], got \(momentum)")
        }

        let x = value
        var mean = [Scalar](repeating: 0, count: C)
        var inverseStd = [Scalar](repeating: 0, count: C)
        if training {
            // Channels are independent: workers take ranges of channels, each summed as before.
            x.scalars.withUnsafeBufferPointer { p in
                mean.withUnsafeMutableBufferPointer { meanP in
                    inverseStd.withUnsafeMutableBufferPointer { invP in
                        runningMean.scalars.withUnsafeMutableBufferPointer { rm in
                            runningVariance.scalars.withUnsafeMutableBufferPointer { rv in
                                Parallel.forEachChunk(count: C, work: 2 * x.count) { channels in
                                    for c in channels {
                                        // Two passes in C (CLayerKernels): no cancellation from E[x^2] - E[x]^2.
                                        var mu: Scalar = 0, squares: Scalar = 0
                                        if Scalar.self == Float.self {
                                            batch_norm_statistics_f32(raw(p.baseAddress!), N, C, S, c, rawMutable(&mu), rawMutable(&squares))
                                        } else {
                                            batch_norm_statistics_f64(raw(p.baseAddress!), N, C, S, c, rawMutable(&mu), rawMutable(&squares))
                                        }
                                        meanP[c] = mu
                                        invP[c] = 1 / (squares / Scalar(M) + epsilon).squareRoot()
                                        rm[c] = (1 - momentum) * rm[c] + momentum * mu
                                        rv[c] = (1 - momentum) * rv[c] + momentum * squares / Scalar(M - 1)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } else {
            for c in 0..<C {
                mean[c] = runningMean.scalars[c]
                inverseStd[c] = 1 / (runningVariance.scalars[c] + epsilon).squareRoot()
            }
        }
        let gamma = weight?.value.scalars ?? [Scalar](repeating: 1, count: C)
        let beta = bias?.value.scalars ?? [Scalar](repeating: 0, count: C)
        // y is written straight into fresh storage. x-hat = (x - mean) * invstd is not kept:
        // backward recomputes it from x (which the tape holds anyway), with the same
        // arithmetic, so it is bit-identical and one activation-sized buffer per layer
        // is neither allocated nor kept alive until backward.
        let yScalars = x.scalars.withUnsafeBufferPointer { xp in
            [Scalar](unsafeUninitializedCapacity: x.count) { out, initialized in
                Parallel.forEachChunk(count: N, work: x.count) { samples in
                    guard S > 0 else { return }  // empty planes: nothing to write (and no base address)
                    for n in samples {
                        for c in 0..<C {
                            let base = (n * C + c) * S
                            let (mu, inv, g, b) = (mean[c], inverseStd[c], gamma[c], beta[c])
                            // Through plane pointers: `base + i` in the subscript is a checked
                            // add that keeps the loop from vectorising (3.7x slower, measured).
                            let source = xp.baseAddress! + base, target = out.baseAddress! + base
                            for i in 0..<S { target[i] = (source[i] - mu) * inv * g + b }
                        }
                    }
                }
                initialized = x.count
            }
        }
        let y = Tensor(uncheckedShape: x.shape, scalars: yScalars)
        let inputs = [self] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
        return Variable.record(y, inputs: inputs) { [input = node] dy in
            var sumDy = [Scalar](repeating: 0, count: C)
            var sumDyXHat = [Scalar](repeating: 0, count: C)
            dy.scalars.withUnsafeBufferPointer { g in
                x.scalars.withUnsafeBufferPointer { xp in
                    sumDy.withUnsafeMutableBufferPointer { sumDyP in
                        sumDyXHat.withUnsafeMutableBufferPointer { sumDyXHatP in
                            // Per channel, the samples in order: the same sums whatever the workers.
                            Parallel.forEachChunk(count: C, work: 2 * dy.count) { channels in
                                guard S > 0 else { return }  // empty planes: nothing to sum (and no base address)
                                for c in channels {
                                    var sum: Scalar = 0, dot: Scalar = 0
                                    if Scalar.self == Float.self {
                                        batch_norm_gradient_sums_f32(raw(g.baseAddress!), raw(xp.baseAddress!), N, C, S, c, Float(mean[c]), Float(inverseStd[c]),
                                                                     rawMutable(&sum), rawMutable(&dot))
                                    } else {
                                        batch_norm_gradient_sums_f64(raw(g.baseAddress!), raw(xp.baseAddress!), N, C, S, c, Double(mean[c]), Double(inverseStd[c]),
                                                                     rawMutable(&sum), rawMutable(&dot))
                                    }
                                    sumDyP[c] = sum
                                    sumDyXHatP[c] = dot
                                }
                            }
                        }
                    }
                }
            }
            if let weight, weight.requiresGradient { weight.accumulateGradient(Tensor(uncheckedShape: [C], scalars: sumDyXHat)) }
            if let bias, bias.requiresGradient { bias.accumulateGradient(Tensor(uncheckedShape: [C], scalars: sumDy)) }
            guard input.requiresGradient else { return }
            let dxScalars = dy.scalars.withUnsafeBufferPointer { g in
                x.scalars.withUnsafeBufferPointer { xp in
                    [Scalar](unsafeUninitializedCapacity: dy.count) { dxp, initialized in
                        Parallel.forEachChunk(count: N, work: dy.count) { samples in
                            guard S > 0 else { return }  // empty planes: nothing to write (and no base address)
                            for n in samples {
                                for c in 0..<C {
                                    let base = (n * C + c) * S
                                    let (mu, inv) = (mean[c], inverseStd[c])
                                    let scale = gamma[c] * inv
                                    // Plane pointers, as in the forward loop, so the loops vectorise.
                                    let gradient = g.baseAddress! + base, input = xp.baseAddress! + base
                                    let target = dxp.baseAddress! + base
                                    if training {
                                        // dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat))
                                        let meanDy = sumDy[c] / Scalar(M), meanDyXHat = sumDyXHat[c] / Scalar(M)
                                        for i in 0..<S {
                                            let h = (input[i] - mu) * inv
                                            target[i] = scale * (gradient[i] - meanDy - h * meanDyXHat)
                                        }
                                    } else {
                                        for i in 0..<S { target[i] = gradient[i] * scale }
                                    }
                                }
                            }
                        }
                        initialized = dy.count
                    }
                }
            }
            let dx = Tensor(uncheckedShape: dy.shape, scalars: dxScalars)
            input.accumulateGradient(dx)
        }
    }
}

// Reductions over one channel's plane with eight independent partial sums: a single
// running sum is one long dependency chain (one add per FP-add latency) and cannot
// vectorise; eight chains keep the adder busy and let the compiler use SIMD registers.
// The result differs from a sequential sum only by rounding (it is usually closer).

/// sum of p[0..<count].
@inline(__always)
func laneSum<Scalar: TensorScalar>(_ p: UnsafePointer<Scalar>, _ count: Int) -> Scalar {
    var a = (Scalar(0), Scalar(0), Scalar(0), Scalar(0), Scalar(0), Scalar(0), Scalar(0), Scalar(0))
    var i = 0
    while i + 8 <= count {
        a.0 += p[i]; a.1 += p[i + 1]; a.2 += p[i + 2]; a.3 += p[i + 3]
        a.4 += p[i + 4]; a.5 += p[i + 5]; a.6 += p[i + 6]; a.7 += p[i + 7]
        i += 8
    }
    while i < count { a.0 += p[i]; i += 1 }
    return ((a.0 + a.1) + (a.2 + a.3)) + ((a.4 + a.5) + (a.6 + a.7))
}
