import CLayerKernels

// Legend: N batch, C channels, H x W input, OH x OW output, K window, S stride.

extension Variable {
    /// Validates a pooling window and returns the output size (floor mode, no padding).
    private func poolingGeometry(op: String, kernelSize: Int, stride: Int) throws -> (N: Int, C: Int, H: Int, W: Int, OH: Int, OW: Int) {
        guard kernelSize >= 1 else { throw TensorError.invalidArgument(op: op, message: "kernelSize must be at least 1, got \(kernelSize)") }
        guard stride >= 1 else { throw TensorError.invalidArgument(op: op, message: "stride must be at least 1, got \(stride)") }
        guard shape.count == 4 else { throw TensorError.shapeMismatch(op: op, expected: "input (N, C, H, W)", actual: shape) }
        let (N, C, H, W) = (shape[0], shape[1], shape[2], shape[3])
        guard H >= kernelSize, W >= kernelSize else {
            throw TensorError.shapeMismatch(op: op, expected: "spatial size at least \(kernelSize)x\(kernelSize)", actual: shape)
        }
        return (N, C, H, W, (H - kernelSize) / stride + 1, (W - kernelSize) / stride + 1)
    }

    /// 2-D max pooling as PyTorch's `F.max_pool2d` (no padding, floor mode). The gradient
    /// goes to the first maximum of each window in row-major order.
    /// - Parameters:
    ///   - kernelSize: side K of the square window (at least 1, at most H and W).
    ///   - stride: step between windows (at least 1); defaults to the kernel size.
    public func maxPool2d(kernelSize: Int, stride: Int? = nil) throws -> Variable {
        let S = stride ?? kernelSize, K = kernelSize
        let geometry = try poolingGeometry(op: "maxPool2d", kernelSize: K, stride: S)
        // The backward pass needs only which element of each window won: its position in the
        // window, kh * K + kw, one byte for windows of up to 256 elements (PyTorch keeps an
        // 8-byte flat index, half the input's size in bytes for 2x2 windows of Float).
        if K * K <= Int(UInt8.max) + 1 { return maxPool2d(K: K, S: S, geometry, winnerType: UInt8.self) }
        return maxPool2d(K: K, S: S, geometry, winnerType: UInt32.self)
    }

    @_specialize(where Scalar == Float, Winner == UInt8)
    @_specialize(where Scalar == Double, Winner == UInt8)
    private func maxPool2d<Winner: FixedWidthInteger & UnsignedInteger>(
        K: Int, S: Int, _ geometry: (N: Int, C: Int, H: Int, W: Int, OH: Int, OW: Int), winnerType: Winner.Type
    ) -> Variable {
        let (N, C, H, W, OH, OW) = geometry
        let count = N * C * OH * OW
        // (N, C, OH, OW): the winner's position kh * K + kw in its window
        var winners = [Winner](repeating: 0, count: count)
        let out = value.scalars.withUnsafeBufferPointer { x in
            winners.withUnsafeMutableBufferPointer { arg in
                [Scalar](unsafeUninitializedCapacity: count) { outp, initialized in
                    Parallel.forEachChunk(count: N * C, work: N * C * H * W) { planes in
                        if K == 2, S == 2, Winner.self == UInt8.self, !planes.isEmpty {
                            // The paper's pools: CLayerKernels' vector loop, same result and positions.
                            let first = planes.lowerBound, input = x.baseAddress! + first * H * W, o = first * OH * OW
                            let positions = UnsafeMutableRawPointer(arg.baseAddress! + o).assumingMemoryBound(to: UInt8.self)
                            if Scalar.self == Float.self {
                                max_pool_2x2_forward_f32(raw(input), rawMutable(outp.baseAddress! + o), positions, planes.count, H, W)
                            } else {
                                max_pool_2x2_forward_f64(raw(input), rawMutable(outp.baseAddress! + o), positions, planes.count, H, W)
                            }
                            return
                        }
                        for plane in planes {
                            let base = plane * H * W
                            for oh in 0..<OH {
                                for ow in 0..<OW {
                                    let origin = base + oh * S * W + ow * S
                                    var best = 0
                                    var bestValue = x[origin]
                                    // NaN propagates: a NaN candidate wins, as in PyTorch. A select,
                                    // not a branch: which element wins is unpredictable.
                                    @inline(__always) func consider(_ j: Int, _ position: Int) {
                                        let v = x[j]
                                        let wins = v > bestValue || v.isNaN
                                        best = wins ? position : best
                                        bestValue = wins ? v : bestValue
                                    }
                                    if K == 2 {  // the paper's pools, unrolled
                                        consider(origin + 1, 1); consider(origin + W, 2); consider(origin + W + 1, 3)
                                    } else {
                                        for kh in 0..<K {
                                            let row = origin + kh * W
                                            for kw in 0..<K { consider(row + kw, kh * K + kw) }
                                        }
                                    }
                                    let o = (plane * OH + oh) * OW + ow
                                    outp[o] = bestValue
                                    arg[o] = Winner(truncatingIfNeeded: best)
                                }
                            }
                        }
                    }
                    initialized = count
                }
            }
        }
        let inputShape = shape
        return Variable.record(Tensor(uncheckedShape: [N, C, OH, OW], scalars: out), inputs: [self]) { [input = node] dy in
            var dx = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
            dx.withUnsafeMutableBufferPointer { dxp in
                dy.scalars.withUnsafeBufferPointer { g in
                    winners.withUnsafeBufferPointer { arg in
                        // A window's winner lies in its own plane: workers take whole planes.
                        Parallel.forEachChunk(count: N * C, work: 4 * g.count) { planes in
                            for plane in planes {
                                for oh in 0..<OH {
                                    let o = (plane * OH + oh) * OW
                                    let row = plane * H * W + oh * S * W
                                    for ow in 0..<OW {
                                        let position = Int(arg[o + ow])
                                        let kh = K == 2 ? position >> 1 : position / K, kw = K == 2 ? position & 1 : position % K
                                        dxp[row + ow * S + kh * W + kw] += g[o + ow]
                                    }
                                }
                            }
                        }
                    }
                }
            }
            input.accumulateGradient(Tensor(uncheckedShape: inputShape, scalars: dx))
        }
    }

    /// 2-D average pooling as PyTorch's `F.avg_pool2d` (no padding, floor mode).
    /// - Parameters:
    ///   - kernelSize: side K of the square window (at least 1, at most H and W).
    ///   - stride: step between windows (at least 1); defaults to the kernel size.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func avgPool2d(kernelSize: Int, stride: Int? = nil) throws -> Variable {
        let S = stride ?? kernelSize, K = kernelSize
        let (N, C, H, W, OH, OW) = try poolingGeometry(op: "avgPool2d", kernelSize: K, stride: S)
        let inverseArea = 1 / Scalar(K * K)
        var out = [Scalar](repeating: 0, count: N * C * OH * OW)
        value.scalars.withUnsafeBufferPointer { x in
            for plane in 0..<(N * C) {
                for oh in 0..<OH {
                    for ow in 0..<OW {
                        var sum: Scalar = 0
                        for kh in 0..<K {
                            let row = plane * H * W + (oh * S + kh) * W + ow * S
                            for kw in 0..<K { sum += x[row + kw] }
                        }
                        out[(plane * OH + oh) * OW + ow] = sum * inverseArea
                    }
                }
            }
        }
        let inputShape = shape
        return Variable.record(Tensor(uncheckedShape: [N, C, OH, OW], scalars: out), inputs: [self]) { [input = node] dy in
            var dx = [Scalar](repeating: 0, count: inputShape.reduce(1, *))
            for plane in 0..<(N * C) {
                for oh in 0..<OH {
                    for ow in 0..<OW {
                        let g = dy.scalars[(plane * OH + oh) * OW + ow] * inverseArea
                        for kh in 0..<K {
                            let row = plane * H * W + (oh * S + kh) * W + ow * S
                            for kw in 0..<K { dx[row + kw] += g }
                        }
                    }
                }
            }
            input.accumulateGradient(Tensor(uncheckedShape: inputShape, scalars: dx))
        }
    }
}
