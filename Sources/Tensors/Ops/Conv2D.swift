// Legend: N batch, C input channels, O output channels, H x W input, OH x OW output,
// KH x KW kernel. Shapes: x (N, C, H, W), weight (O, C, KH, KW), bias (O), y (N, O, OH, OW).

extension Variable {
    /// 2-D cross-correlation, as PyTorch's `F.conv2d` (no dilation, no groups).
    ///
    /// Lowered to im2col + GEMM per sample; a 1x1 kernel with stride 1 and no padding
    /// skips im2col and multiplies the image directly.
    ///
    /// - Parameters:
    ///   - weight: (O, C, KH, KW).
    ///   - bias: (O), or nil.
    ///   - stride: step between output positions, at least 1.
    ///   - padding: zeros added on every side, at least 0.
    ///   - workspace: scratch kept by the calling layer between calls (see ``ConvolutionWorkspace``).
    /// - Returns: (N, O, OH, OW) with OH = (H + 2P - KH) / S + 1.
    /// - Throws: ``TensorError`` when a shape does not fit or a setting is out of range.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func conv2d(weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0,
                       workspace: ConvolutionWorkspace<Scalar>? = nil) throws -> Variable {
        let op = "conv2d"
        guard stride >= 1 else { throw TensorError.invalidArgument(op: op, message: "stride must be at least 1, got \(stride)") }
        guard padding >= 0 else { throw TensorError.invalidArgument(op: op, message: "padding must be at least 0, got \(padding)") }
        guard shape.count == 4 else { throw TensorError.shapeMismatch(op: op, expected: "input (N, C, H, W)", actual: shape) }
        let (N, C, H, W) = (shape[0], shape[1], shape[2], shape[3])
        guard weight.shape.count == 4, weight.shape[1] == C else {
            throw TensorError.shapeMismatch(op: op, expected: "weight (O, \(C), KH, KW)", actual: weight.shape)
        }
        let (O, KH, KW) = (weight.shape[0], weight.shape[2], weight.shape[3])
        if let bias, bias.shape != [O] {
            throw TensorError.shapeMismatch(op: op, expected: "bias [\(O)]", actual: bias.shape)
        }
        let g = ConvGeometry(channels: C, height: H, width: W, kernelHeight: KH, kernelWidth: KW, stride: stride, padding: padding)
        guard H + 2 * padding >= KH, W + 2 * padding >= KW else {
            throw TensorError.shapeMismatch(op: op, expected: "padded input at least \(KH)x\(KW)", actual: shape)
        }
        let (OH, OW) = (g.outputHeight, g.outputWidth)
        let direct = KH == 1 && KW == 1 && stride == 1 && padding == 0
        let K = g.columnRows, L = g.columnCount

        let xValue = value, wValue = weight.value
        let biasValues = bias?.value.scalars
        // Output rows are processed in bands whose column matrix stays in cache.
        let bands = direct ? [0..<OH] : g.bands(scalarSize: MemoryLayout<Scalar>.stride)
        let bandCapacity = direct ? 0 : K * (bands.map(\.count).max() ?? 0) * OW
        // Every element of y is written by a GEMM with beta = 0: no need to zero it first.
        let yScalars = [Scalar](unsafeUninitializedCapacity: N * O * L) { yp, initialized in
            xValue.scalars.withUnsafeBufferPointer { xp in
                wValue.scalars.withUnsafeBufferPointer { wp in
                    withScratch(workspace, count: bandCapacity) { columns in  // (C*KH*KW, rows*OW)
                        for n in 0..<N {
                            let image = xp.baseAddress! + n * C * H * W
                            for band in bands {
                                let width = band.count * OW
                                let source: UnsafePointer<Scalar>
                                if direct { source = image } else {
                                    im2col(image, g, outputRows: band, into: columns)
                                    source = UnsafePointer(columns)
                                }
                                // (O, K) x (K, width) -> columns band.lowerBound*OW ..< of y[n] (O, L)
                                BLAS.gemm(m: O, n: width, k: K, a: wp.baseAddress!, lda: K, b: source, ldb: width,
                                          c: yp.baseAddress! + n * O * L + band.lowerBound * OW, ldc: L)
                            }
                        }
                    }
                }
            }
            if let biasValues { addPerChannel(biasValues, to: yp.baseAddress!, batch: N, planeSize: L) }
            initialized = N * O * L
        }
        let y = Tensor<Scalar>(uncheckedShape: [N, O, OH, OW], scalars: yScalars)

        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        return Variable.record(y, inputs: inputs) { [self] dy in
            let needX = self.requiresGradient, needW = weight.requiresGradient
            var dx = needX ? Tensor<Scalar>(zeros: xValue.shape) : nil
            var dw = needW ? Tensor<Scalar>(zeros: wValue.shape) : nil
            let flippedPath = !direct && stride == 1 && KH == KW && padding <= KH - 1
            dy.scalars.withUnsafeBufferPointer { dyp in
                // Two band buffers: the input columns (for dW) and the column gradients (for dX).
                withScratch(workspace, count: 2 * bandCapacity) { scratch in
                    let columns = scratch, columnGradients = scratch + bandCapacity
                    xValue.scalars.withUnsafeBufferPointer { xp in
                        wValue.scalars.withUnsafeBufferPointer { wp in
                            for n in 0..<N {
                                let image = xp.baseAddress! + n * C * H * W
                                for band in bands {
                                    let width = band.count * OW
                                    let dyBand = dyp.baseAddress! + n * O * L + band.lowerBound * OW  // (O, width), row stride L
                                    if needW {
                                        let source: UnsafePointer<Scalar>
                                        if direct { source = image } else {
                                            im2col(image, g, outputRows: band, into: columns)
                                            source = UnsafePointer(columns)
                                        }
                                        // dW (O, K) += dY (O, width) x cols^T (width, K)
                                        dw!.scalars.withUnsafeMutableBufferPointer { dwp in
                                            BLAS.gemm(transposeB: true, m: O, n: K, k: width, a: dyBand, lda: L, b: source, ldb: width,
                                                      beta: 1, c: dwp.baseAddress!, ldc: K)
                                        }
                                    }
                                    if needX && !flippedPath {
                                        dx!.scalars.withUnsafeMutableBufferPointer { dxp in
                                            let dxn = dxp.baseAddress! + n * C * H * W
                                            if direct {
                                                // dX (C, L) = W^T (C, O) x dY (O, L)
                                                BLAS.gemm(transposeA: true, m: K, n: L, k: O, a: wp.baseAddress!, lda: K,
                                                          b: dyBand, ldb: L, c: dxn, ldc: L)
                                            } else {
                                                // dcols (K, width) = W^T (K, O) x dY (O, width), folded back by col2im
                                                BLAS.gemm(transposeA: true, m: K, n: width, k: O, a: wp.baseAddress!, lda: K,
                                                          b: dyBand, ldb: L, c: columnGradients, ldc: width)
                                                col2im(UnsafePointer(columnGradients), g, outputRows: band, addingInto: dxn)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                if needX && flippedPath {
                    // Stride 1: dX is the convolution of dY with the flipped, transposed weight
                    // (C, O, KH, KW) and padding KH-1-P. A forward-style GEMM with the long
                    // inner dimension O*KH*KW replaces the thin GEMM and col2im.
                    let flipped = flippedTransposedWeight(wValue)
                    let g2 = ConvGeometry(channels: O, height: OH, width: OW, kernelHeight: KH, kernelWidth: KW,
                                          stride: 1, padding: KH - 1 - padding)
                    let K2 = g2.columnRows
                    let bands2 = g2.bands(scalarSize: MemoryLayout<Scalar>.stride)
                    withScratch(workspace, count: K2 * (bands2.map(\.count).max() ?? 0) * W) { columns in
                        flipped.withUnsafeBufferPointer { fp in
                            dx!.scalars.withUnsafeMutableBufferPointer { dxp in
                                for n in 0..<N {
                                    for band in bands2 {
                                        let width = band.count * W
                                        im2col(dyp.baseAddress! + n * O * L, g2, outputRows: band, into: columns)
                                        // (C, K2) x (K2, width) -> rows of dX[n] (C, H*W)
                                        BLAS.gemm(m: C, n: width, k: K2, a: fp.baseAddress!, lda: K2, b: columns, ldb: width,
                                                  c: dxp.baseAddress! + n * C * H * W + band.lowerBound * W, ldc: H * W)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if let dx { self.accumulateGradient(dx) }
            if let dw { weight.accumulateGradient(dw) }
            if let bias, bias.requiresGradient {
                bias.accumulateGradient(sumPerChannel(dy, channels: O))
            }
        }
    }
}

/// The weight (O, C, KH, KW) rearranged to (C, O, KH, KW) with both kernel axes reversed:
/// the kernel that maps dY back to dX for a stride-1 convolution.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func flippedTransposedWeight<Scalar: TensorScalar>(_ weight: Tensor<Scalar>) -> [Scalar] {
    let (O, C, KH, KW) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    var result = [Scalar](repeating: 0, count: weight.count)
    for o in 0..<O { for c in 0..<C { for kh in 0..<KH { for kw in 0..<KW {
        result[((c * O + o) * KH + (KH - 1 - kh)) * KW + (KW - 1 - kw)] = weight.scalars[((o * C + c) * KH + kh) * KW + kw]
    } } } }
    return result
}

/// Adds bias[c] to every element of channel c of an (N, C, planeSize) buffer.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func addPerChannel<Scalar: TensorScalar>(_ bias: [Scalar], to buffer: UnsafeMutablePointer<Scalar>, batch N: Int, planeSize: Int) {
    let C = bias.count
    for n in 0..<N {
        for c in 0..<C {
            let b = bias[c]
            let plane = buffer + (n * C + c) * planeSize
            for i in 0..<planeSize { plane[i] += b }
        }
    }
}

/// Sums an (N, C, ...) tensor over every axis but the channel axis: the bias gradient.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func sumPerChannel<Scalar: TensorScalar>(_ t: Tensor<Scalar>, channels C: Int) -> Tensor<Scalar> {
    let N = t.shape[0]
    let inner = t.count / max(1, N * C)
    var result = [Scalar](repeating: 0, count: C)
    t.scalars.withUnsafeBufferPointer { p in
        for n in 0..<N {
            for c in 0..<C {
                let base = (n * C + c) * inner
                var s: Scalar = 0
                for i in 0..<inner { s += p[base + i] }
                result[c] += s
            }
        }
    }
    return Tensor(uncheckedShape: [C], scalars: result)
}
