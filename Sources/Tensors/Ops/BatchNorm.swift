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
    ///   - weight, bias: per-channel scale and shift (C); pass nil for no affine part.
    ///   - runningMean, runningVariance: (C), updated in training mode.
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
            x.scalars.withUnsafeBufferPointer { p in
                for c in 0..<C {
                    var sum: Scalar = 0
                    for n in 0..<N { let base = (n * C + c) * S; for i in 0..<S { sum += p[base + i] } }
                    let mu = sum / Scalar(M)
                    var squares: Scalar = 0  // two passes: no cancellation from E[x^2] - E[x]^2
                    for n in 0..<N { let base = (n * C + c) * S; for i in 0..<S { let d = p[base + i] - mu; squares += d * d } }
                    mean[c] = mu
                    inverseStd[c] = 1 / (squares / Scalar(M) + epsilon).squareRoot()
                    runningMean.scalars[c] = (1 - momentum) * runningMean.scalars[c] + momentum * mu
                    runningVariance.scalars[c] = (1 - momentum) * runningVariance.scalars[c] + momentum * squares / Scalar(M - 1)
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
        var normalized = x  // x-hat, kept for backward
        var y = x
        normalized.scalars.withUnsafeMutableBufferPointer { h in
            y.scalars.withUnsafeMutableBufferPointer { out in
                for n in 0..<N {
                    for c in 0..<C {
                        let base = (n * C + c) * S
                        let (mu, inv, g, b) = (mean[c], inverseStd[c], gamma[c], beta[c])
                        for i in 0..<S {
                            let v = (h[base + i] - mu) * inv
                            h[base + i] = v
                            out[base + i] = v * g + b
                        }
                    }
                }
            }
        }
        let xHat = normalized
        let inputs = [self] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
        return Variable.record(y, inputs: inputs) { [self] dy in
            var sumDy = [Scalar](repeating: 0, count: C)
            var sumDyXHat = [Scalar](repeating: 0, count: C)
            dy.scalars.withUnsafeBufferPointer { g in
                xHat.scalars.withUnsafeBufferPointer { h in
                    for n in 0..<N {
                        for c in 0..<C {
                            let base = (n * C + c) * S
                            var s: Scalar = 0, sh: Scalar = 0
                            for i in 0..<S { s += g[base + i]; sh += g[base + i] * h[base + i] }
                            sumDy[c] += s
                            sumDyXHat[c] += sh
                        }
                    }
                }
            }
            if let weight, weight.requiresGradient { weight.accumulateGradient(Tensor(uncheckedShape: [C], scalars: sumDyXHat)) }
            if let bias, bias.requiresGradient { bias.accumulateGradient(Tensor(uncheckedShape: [C], scalars: sumDy)) }
            guard self.requiresGradient else { return }
            var dx = dy
            dx.scalars.withUnsafeMutableBufferPointer { g in
                xHat.scalars.withUnsafeBufferPointer { h in
                    for n in 0..<N {
                        for c in 0..<C {
                            let base = (n * C + c) * S
                            let scale = gamma[c] * inverseStd[c]
                            if training {
                                // dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat))
                                let meanDy = sumDy[c] / Scalar(M), meanDyXHat = sumDyXHat[c] / Scalar(M)
                                for i in 0..<S { g[base + i] = scale * (g[base + i] - meanDy - h[base + i] * meanDyXHat) }
                            } else {
                                for i in 0..<S { g[base + i] *= scale }
                            }
                        }
                    }
                }
            }
            self.accumulateGradient(dx)
        }
    }
}
