// Legend: N batch, C input channels, O output channels, H x W input, OH x OW output,
// KH x KW kernel. Shapes: x (N, C, H, W), weight (C, O, KH, KW) as in PyTorch,
// bias (O), y (N, O, OH, OW) with OH = (H - 1) * S - 2P + KH + outputPadding.

extension Variable {
    /// 2-D transposed convolution, as PyTorch's `F.conv_transpose2d` (no dilation, no groups).
    ///
    /// Its forward pass is the input-gradient of a convolution: a GEMM to columns, then
    /// col2im into the output. Its backward pass uses im2col: the same kernel pair as
    /// ``conv2d(weight:bias:stride:padding:workspace:algorithm:)`` with the roles swapped.
    ///
    /// - Parameters:
    ///   - weight: (C, O, KH, KW).
    ///   - bias: (O), or nil.
    ///   - stride: at least 1.
    ///   - padding: at least 0; removed from each side of the full output.
    ///   - outputPadding: extra rows/columns on the bottom/right, smaller than the stride.
    ///   - workspace: scratch kept by the calling layer between calls (see ``ConvolutionWorkspace``).
    /// - Throws: ``TensorError`` when a shape does not fit or a setting is out of range.
    ///
    /// The products run in ``ComputePrecision/current`` (bfloat16 inputs under ``ComputePrecision/bfloat16``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func convTranspose2d(
        weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
        workspace: ConvolutionWorkspace<Scalar>? = nil
    ) throws -> Variable {
        let op = "convTranspose2d"
        guard stride >= 1 else { throw TensorError.invalidArgument(op: op, message: "stride must be at least 1, got \(stride)") }
        guard padding >= 0 else { throw TensorError.invalidArgument(op: op, message: "padding must be at least 0, got \(padding)") }
        guard outputPadding >= 0, outputPadding < stride else {
            throw TensorError.invalidArgument(op: op, message: "outputPadding must be in 0..<stride (\(stride)), got \(outputPadding)")
        }
        guard shape.count == 4 else { throw TensorError.shapeMismatch(op: op, expected: "input (N, C, H, W)", actual: shape) }
        let (N, C, H, W) = (shape[0], shape[1], shape[2], shape[3])
        guard weight.shape.count == 4, weight.shape[0] == C else {
            throw TensorError.shapeMismatch(op: op, expected: "weight (\(C), O, KH, KW)", actual: weight.shape)
        }
        let (O, KH, KW) = (weight.shape[1], weight.shape[2], weight.shape[3])
        if let bias, bias.shape != [O] {
            throw TensorError.shapeMismatch(op: op, expected: "bias [\(O)]", actual: bias.shape)
        }
        let OH = (H - 1) * stride - 2 * padding + KH + outputPadding
        let OW = (W - 1) * stride - 2 * padding + KW + outputPadding
        guard OH >= 1, OW >= 1 else {
            throw TensorError.invalidArgument(op: op, message: "output would be \(OH)x\(OW); padding \(padding) is too large")
        }
        // The output plays the part of a convolution's input whose output is x's grid.
        let g = ConvGeometry(channels: O, height: OH, width: OW, kernelHeight: KH, kernelWidth: KW, stride: stride, padding: padding)
        precondition(g.outputHeight == H && g.outputWidth == W, "internal: transposed-conv geometry")
        let K = g.columnRows, L = H * W  // K = O*KH*KW
        // Workers take whole samples: col2im adds into overlapping rows of one sample's output.
        let workers = Parallel.workers(forWork: N * C * L * K)
        // The products' arithmetic (``ComputePrecision``), read once here: the backward pass keeps it.
        let precision = ComputePrecision.current(for: Scalar.self)
        let items = g.workItems(batch: N, scalarSize: MemoryLayout<Scalar>.stride, workers: workers)
        let groups = ConvGeometry.partition(items, workers: workers)
        let widest = items.map(\.width).max() ?? 0

        var y = Tensor<Scalar>(zeros: [N, O, OH, OW])  // col2im accumulates into it
        let xValue = value, wValue = weight.value
        y.scalars.withUnsafeMutableBufferPointer { yp in
            xValue.scalars.withUnsafeBufferPointer { xp in
                wValue.scalars.withUnsafeBufferPointer { wp in
                    // Scratch per worker: the item's input (C, width) when it spans samples, then its columns (K, width).
                    withScratch(workspace, count: (C + K) * widest, workers: groups.count) { scratches in
                        Parallel.run(workers: groups.count) { w in
                            let gathered = scratches[w], columns = scratches[w] + C * widest
                            for item in items[groups[w]] {
                                let (block, ldx) = inputBlock(xp.baseAddress!, item, gathered: gathered, channels: C, planeSize: L, rowWidth: W)
                                // cols (K, width) = W^T (K, C) x x (C, width)
                                precision.gemm(transposeA: true, m: K, n: item.width, k: C, a: wp.baseAddress!, lda: K,
                                          b: block, ldb: ldx, c: columns, ldc: item.width)
                                for (offset, n) in item.samples.enumerated() {
                                    col2im(UnsafePointer(columns + offset * item.rows.count * W), g, outputRows: item.rows,
                                           addingInto: yp.baseAddress! + n * O * OH * OW, rowStride: item.width)
                                }
                            }
                        }
                    }
                }
            }
            if let bias { addPerChannel(bias.value.scalars, to: yp.baseAddress!, batch: N, planeSize: OH * OW) }
        }

        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        return Variable.record(y, inputs: inputs) { [input = node] dy in
            let needX = input.requiresGradient, needW = weight.requiresGradient
            var dx = needX ? Tensor<Scalar>(zeros: xValue.shape) : nil
            var dw = needW ? Tensor<Scalar>(zeros: wValue.shape) : nil
            dy.scalars.withUnsafeBufferPointer { dyp in
                // Scratch per worker: dY's columns (K, width), the input block (C, width), dX's block
                // (C, width), and the worker's share of dW (C, K), summed in worker order below.
                let partialOffset = (K + 2 * C) * widest
                withScratch(workspace, count: partialOffset + (needW ? C * K : 0), workers: groups.count) { scratches in
                    xValue.scalars.withUnsafeBufferPointer { xp in
                        wValue.scalars.withUnsafeBufferPointer { wp in
                            dx.withUnsafeMutableScalars { dxp in
                                Parallel.run(workers: groups.count) { w in
                                    let scratch = scratches[w]
                                    let columns = scratch, gathered = scratch + K * widest, product = scratch + (K + C) * widest
                                    let partial = scratch + partialOffset
                                    for (index, item) in items[groups[w]].enumerated() {
                                        let single = item.samples.count == 1
                                        let source = unfold(dyp.baseAddress!, g, item, into: columns, sampleSize: O * OH * OW, direct: false)
                                        if let dxp {
                                            // dx (C, width) = W (C, K) x cols (K, width)
                                            let target = single ? dxp + item.samples.lowerBound * C * L + item.rows.lowerBound * W : product
                                            precision.gemm(m: C, n: item.width, k: K, a: wp.baseAddress!, lda: K, b: UnsafePointer(source), ldb: item.width,
                                                      c: target, ldc: single ? L : item.width)
                                            if !single { scatterSamples(product, item, into: dxp, channels: C, planeSize: L) }
                                        }
                                        if needW {
                                            let (block, ldx) = inputBlock(xp.baseAddress!, item, gathered: gathered, channels: C, planeSize: L, rowWidth: W)
                                            // dW_w (C, K) (+)= x (C, width) x cols^T (width, K)
                                            precision.gemm(transposeB: true, m: C, n: K, k: item.width, a: block, lda: ldx,
                                                      b: UnsafePointer(source), ldb: item.width, beta: index == 0 ? 0 : 1, c: partial, ldc: K)
                                        }
                                    }
                                }
                            }
                        }
                    }
                    if needW {
                        dw.withUnsafeMutableScalars { dwp in
                            for w in scratches.indices { addInPlace(dwp!, UnsafePointer(scratches[w] + partialOffset), count: C * K) }
                        }
                    }
                }
            }
            input.accumulateConvolutionGradients(input: dx, weight: weight, weightGradient: dw, bias: bias, upstream: dy)
        }
    }
}

/// The input of a transposed-convolution work item as a (C, width) matrix: a band of one
/// sample read in place (leading dimension H*W), or several samples gathered side by side.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func inputBlock<Scalar: TensorScalar>(
    _ x: UnsafePointer<Scalar>, _ item: ConvGeometry.WorkItem, gathered: UnsafeMutablePointer<Scalar>,
    channels: Int, planeSize: Int, rowWidth: Int
) -> (UnsafePointer<Scalar>, Int) {
    if item.samples.count == 1 {
        return (x + item.samples.lowerBound * channels * planeSize + item.rows.lowerBound * rowWidth, planeSize)
    }
    gatherSamples(x, item, into: gathered, channels: channels, planeSize: planeSize)
    return (UnsafePointer(gathered), item.width)
}
