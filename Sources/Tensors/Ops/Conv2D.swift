// Legend: N batch, C input channels, O output channels, H x W input, OH x OW output,
// KH x KW kernel. Shapes: x (N, C, H, W), weight (O, C, KH, KW), bias (O), y (N, O, OH, OW).

extension Variable {
    /// 2-D cross-correlation, as PyTorch's `F.conv2d` (no dilation, no groups).
    ///
    /// Lowered to im2col + GEMM per sample; a 1x1 kernel with stride 1 and no padding
    /// skips im2col and multiplies the image directly. Stride-1 layers with few channels run
    /// direct loops, and wide 5x5 and 3x3 layers Winograd's algorithm (``ConvolutionAlgorithm``).
    ///
    /// - Parameters:
    ///   - weight: (O, C, KH, KW).
    ///   - bias: (O), or nil.
    ///   - stride: step between output positions, at least 1.
    ///   - padding: zeros added on every side, at least 0.
    ///   - workspace: scratch kept by the calling layer between calls (see ``ConvolutionWorkspace``).
    ///   - algorithm: how the output and the gradients are computed (``ConvolutionAlgorithm``;
    ///     Winograd computes the weight gradient by im2col + GEMM). The im2col products run in
    ///     ``ComputePrecision/current`` (bfloat16 inputs under ``ComputePrecision/bfloat16``).
    /// - Returns: (N, O, OH, OW) with OH = (H + 2P - KH) / S + 1.
    /// - Throws: ``TensorError`` when a shape does not fit or a setting is out of range.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func conv2d(weight: Variable, bias: Variable? = nil, stride: Int = 1, padding: Int = 0,
                       workspace: ConvolutionWorkspace<Scalar>? = nil, algorithm: ConvolutionAlgorithm = .automatic) throws -> Variable {
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
        let K = g.columnRows, L = g.columnCount
        let direct = KH == 1 && KW == 1 && stride == 1 && padding == 0
        let xValue = value, wValue = weight.value
        let biasValues = bias?.value.scalars
        // Workers take whole samples (or all bands of one): their outputs never overlap.
        let workers = Parallel.workers(forWork: N * O * L * K)
        let items = g.workItems(batch: N, scalarSize: MemoryLayout<Scalar>.stride, workers: workers)
        let groups = ConvGeometry.partition(items, workers: workers)
        let widest = items.map(\.width).max() ?? 0
        // Every element of y is written by a GEMM with beta = 0 (or copied from one): no zero-fill.
        let plan = algorithm.plan(kernelHeight: KH, kernelWidth: KW, stride: stride, channels: C, outputChannels: O, outputSize: L)
        // The im2col products' arithmetic, read once here: the backward pass keeps it.
        let precision = ComputePrecision.current(for: Scalar.self)
        let yScalars = [Scalar](unsafeUninitializedCapacity: N * O * L) { yp, initialized in
            xValue.scalars.withUnsafeBufferPointer { xp in
                wValue.scalars.withUnsafeBufferPointer { wp in
                    if correlate(by: plan, xp.baseAddress!, batch: N, channels: C, height: H, width: W, weight: wp.baseAddress!,
                                 outputChannels: O, kernel: KH, padding: padding, into: yp.baseAddress!, workspace: workspace) {
                        return
                    }
                    // Scratch per worker: the item's columns (K, width), then its output (O, width) when it spans samples.
                    withScratch(workspace, count: (K + O) * widest, workers: groups.count) { scratches in
                        Parallel.run(workers: groups.count) { w in
                            let columns = scratches[w], product = scratches[w] + K * widest
                            for item in items[groups[w]] {
                                let single = item.samples.count == 1
                                let source = UnsafePointer(unfold(xp.baseAddress!, g, item, into: columns, sampleSize: C * H * W, direct: single && direct))
                                let target = single ? yp.baseAddress! + item.samples.lowerBound * O * L + item.rows.lowerBound * OW : product
                                // (O, K) x (K, width) -> (O, width)
                                precision.gemm(m: O, n: item.width, k: K, a: wp.baseAddress!, lda: K, b: source, ldb: single && direct ? L : item.width,
                                          c: target, ldc: single ? L : item.width)
                                if !single { scatterSamples(product, item, into: yp.baseAddress!, channels: O, planeSize: L) }
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
        return Variable.record(y, inputs: inputs) { [input = node] dy in
            let needX = input.requiresGradient, needW = weight.requiresGradient
            // Stride 1: dX is the convolution of dY with the flipped, transposed weight (C, O, KH, KW)
            // and padding KH-1-P: a GEMM with the long inner dimension O*KH*KW instead of a thin
            // GEMM and col2im.
            let flippedPath = stride == 1 && KH == KW && padding <= KH - 1
            // The flipped path writes every element of dX (GEMMs with beta = 0): no zero-fill;
            // col2im adds into dX, so it needs zeros.
            var dx: Tensor<Scalar>? = !needX ? nil : flippedPath ? Tensor(uninitializedShape: xValue.shape) : Tensor(zeros: xValue.shape)
            var dw = needW ? Tensor<Scalar>(zeros: wValue.shape) : nil
            // Direct loops compute dW on their own; the item loop below then has nothing to do
            // unless dX needs col2im.
            let directWeight = needW && plan == .direct
            dy.scalars.withUnsafeBufferPointer { dyp in
                if directWeight {
                    xValue.scalars.withUnsafeBufferPointer { xp in
                        dw.withUnsafeMutableScalars { dwp in
                            directWeightGradient(xp.baseAddress!, upstream: dyp.baseAddress!, batch: N, channels: C, height: H, width: W,
                                                 outputChannels: O, kernel: KH, padding: padding, into: dwp!, workspace: workspace)
                        }
                    }
                }
                if (needW && !directWeight) || (needX && !flippedPath) {
                    // Scratch per worker: columns (K, width), column gradients (K, width), dY gathered
                    // (O, width), and the worker's share of dW (O, K), summed in worker order below.
                    let partialOffset = (2 * K + O) * widest
                    withScratch(workspace, count: partialOffset + (needW ? O * K : 0), workers: groups.count) { scratches in
                        xValue.scalars.withUnsafeBufferPointer { xp in
                            wValue.scalars.withUnsafeBufferPointer { wp in
                                dx.withUnsafeMutableScalars { dxp in
                                    Parallel.run(workers: groups.count) { w in
                                        let scratch = scratches[w]
                                        let columns = scratch, columnGradients = scratch + K * widest, gathered = scratch + 2 * K * widest
                                        let partial = scratch + partialOffset
                                        for (index, item) in items[groups[w]].enumerated() {
                                            let single = item.samples.count == 1
                                            // dY of the item as an (O, width) matrix with leading dimension ldy.
                                            let dyBlock: UnsafePointer<Scalar>, ldy: Int
                                            if single {
                                                dyBlock = dyp.baseAddress! + item.samples.lowerBound * O * L + item.rows.lowerBound * OW
                                                ldy = L
                                            } else {
                                                gatherSamples(dyp.baseAddress!, item, into: gathered, channels: O, planeSize: L)
                                                dyBlock = UnsafePointer(gathered)
                                                ldy = item.width
                                            }
                                            if needW && !directWeight {
                                                let source = unfold(xp.baseAddress!, g, item, into: columns, sampleSize: C * H * W, direct: single && direct)
                                                // dW_w (O, K) (+)= dY (O, width) x cols^T (width, K)
                                                precision.gemm(transposeB: true, m: O, n: K, k: item.width, a: dyBlock, lda: ldy, b: source,
                                                          ldb: single && direct ? L : item.width, beta: index == 0 ? 0 : 1, c: partial, ldc: K)
                                            }
                                            if let dxp, !flippedPath {
                                                // dcols (K, width) = W^T (K, O) x dY (O, width), folded back by col2im
                                                precision.gemm(transposeA: true, m: K, n: item.width, k: O, a: wp.baseAddress!, lda: K,
                                                          b: dyBlock, ldb: ldy, c: columnGradients, ldc: item.width)
                                                for (offset, n) in item.samples.enumerated() {
                                                    col2im(UnsafePointer(columnGradients + offset * item.rows.count * OW), g, outputRows: item.rows,
                                                           addingInto: dxp + n * C * H * W, rowStride: item.width)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        if needW && !directWeight {
                            dw.withUnsafeMutableScalars { dwp in
                                for w in scratches.indices { addInPlace(dwp!, UnsafePointer(scratches[w] + partialOffset), count: O * K) }
                            }
                        }
                    }
                }
                // dX as a correlation of dY (O channels) with the flipped weight (C outputs).
                let flippedPlan = algorithm.plan(kernelHeight: KH, kernelWidth: KW, stride: 1, channels: O, outputChannels: C, outputSize: H * W)
                let flipped = needX && flippedPath ? flippedTransposedWeight(wValue) : []
                let flippedDone = needX && flippedPath && flipped.withUnsafeBufferPointer { fp in
                    dx.withUnsafeMutableScalars { dxp in
                        correlate(by: flippedPlan, dyp.baseAddress!, batch: N, channels: O, height: OH, width: OW, weight: fp.baseAddress!,
                                  outputChannels: C, kernel: KH, padding: KH - 1 - padding, into: dxp!, workspace: workspace)
                    }
                }
                if needX && flippedPath && !flippedDone {
                    let g2 = ConvGeometry(channels: O, height: OH, width: OW, kernelHeight: KH, kernelWidth: KW,
                                          stride: 1, padding: KH - 1 - padding)
                    let K2 = g2.columnRows
                    let items2 = g2.workItems(batch: N, scalarSize: MemoryLayout<Scalar>.stride, workers: workers)
                    let groups2 = ConvGeometry.partition(items2, workers: workers)
                    let widest2 = items2.map(\.width).max() ?? 0
                    withScratch(workspace, count: (K2 + C) * widest2, workers: groups2.count) { scratches in
                        flipped.withUnsafeBufferPointer { fp in
                            dx.withUnsafeMutableScalars { dxp in
                                Parallel.run(workers: groups2.count) { w in
                                    let columns = scratches[w], product = scratches[w] + K2 * widest2
                                    for item in items2[groups2[w]] {
                                        let single = item.samples.count == 1
                                        let source = unfold(dyp.baseAddress!, g2, item, into: columns, sampleSize: O * L, direct: false)
                                        let target = single ? dxp! + item.samples.lowerBound * C * H * W + item.rows.lowerBound * W : product
                                        // (C, K2) x (K2, width) -> (C, width)
                                        precision.gemm(m: C, n: item.width, k: K2, a: fp.baseAddress!, lda: K2, b: UnsafePointer(source), ldb: item.width,
                                                  c: target, ldc: single ? H * W : item.width)
                                        if !single { scatterSamples(product, item, into: dxp!, channels: C, planeSize: H * W) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            input.accumulateConvolutionGradients(input: dx, weight: weight, weightGradient: dw, bias: bias, upstream: dy)
        }
    }
}

/// Runs a stride-1 correlation with Winograd's algorithm or direct loops when `plan` says so,
/// and returns whether it did; for ``ConvolutionPlan/im2col`` the caller runs its own GEMMs.
private func correlate<Scalar: TensorScalar>(
    by plan: ConvolutionPlan, _ x: UnsafePointer<Scalar>, batch N: Int, channels C: Int, height H: Int, width W: Int,
    weight: UnsafePointer<Scalar>, outputChannels O: Int, kernel K: Int, padding P: Int,
    into y: UnsafeMutablePointer<Scalar>, workspace: ConvolutionWorkspace<Scalar>?
) -> Bool {
    switch plan {
    case .winograd(let transform):
        winogradCorrelation(x, batch: N, channels: C, height: H, width: W, weight: weight, outputChannels: O, padding: P,
                            transform: transform, into: y, workspace: workspace)
    case .direct:
        directCorrelation(x, batch: N, channels: C, height: H, width: W, weight: weight, outputChannels: O, kernel: K, padding: P,
                          into: y, workspace: workspace)
    case .im2col:
        return false
    }
    return true
}

extension GradientNode {
    /// Hands a convolution's (or transposed convolution's) gradients to its inputs; the
    /// bias gradient is dY summed over every axis but the channel.
    func accumulateConvolutionGradients(input dx: Tensor<Scalar>?, weight: Variable<Scalar>, weightGradient dw: Tensor<Scalar>?,
                                        bias: Variable<Scalar>?, upstream dy: Tensor<Scalar>) {
        if let dx { accumulateGradient(dx) }
        if let dw { weight.accumulateGradient(dw) }
        if let bias, bias.requiresGradient { bias.accumulateGradient(sumPerChannel(dy, channels: dy.shape[1])) }
    }
}

/// The column matrix of a work item: each sample's im2col side by side (row stride = the
/// item's width). A single sample of a 1x1, stride-1, unpadded convolution is its own column
/// matrix, so `direct` returns the image itself without copying.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func unfold<Scalar: TensorScalar>(
    _ images: UnsafePointer<Scalar>, _ g: ConvGeometry, _ item: ConvGeometry.WorkItem, into columns: UnsafeMutablePointer<Scalar>,
    sampleSize: Int, direct: Bool
) -> UnsafeMutablePointer<Scalar> {
    if direct {  // output row r reads input row r: the band starts at row rows.lowerBound
        return UnsafeMutablePointer(mutating: images + item.samples.lowerBound * sampleSize + item.rows.lowerBound * g.outputWidth)
    }
    let block = item.rows.count * g.outputWidth
    for (offset, n) in item.samples.enumerated() {
        im2col(images + n * sampleSize, g, outputRows: item.rows, into: columns + offset * block, rowStride: item.width)
    }
    return columns
}

/// Copies an item's (channels, width) product into the (N, channels, planeSize) tensor.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func scatterSamples<Scalar: TensorScalar>(
    _ product: UnsafePointer<Scalar>, _ item: ConvGeometry.WorkItem, into tensor: UnsafeMutablePointer<Scalar>, channels: Int, planeSize: Int
) {
    for (offset, n) in item.samples.enumerated() {
        for c in 0..<channels {
            (tensor + (n * channels + c) * planeSize).update(from: product + c * item.width + offset * planeSize, count: planeSize)
        }
    }
}

/// Copies the item's samples of an (N, channels, planeSize) tensor into a (channels, width) matrix.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func gatherSamples<Scalar: TensorScalar>(
    _ tensor: UnsafePointer<Scalar>, _ item: ConvGeometry.WorkItem, into matrix: UnsafeMutablePointer<Scalar>, channels: Int, planeSize: Int
) {
    for (offset, n) in item.samples.enumerated() {
        for c in 0..<channels {
            (matrix + c * item.width + offset * planeSize).update(from: tensor + (n * channels + c) * planeSize, count: planeSize)
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
    Parallel.forEachChunk(count: N, work: N * C * planeSize) { samples in
        for n in samples {
            for c in 0..<C {
                let b = bias[c]
                let plane = buffer + (n * C + c) * planeSize
                for i in 0..<planeSize { plane[i] += b }
            }
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
    guard inner > 0 else { return Tensor(uncheckedShape: [C], scalars: result) }
    t.scalars.withUnsafeBufferPointer { p in
        result.withUnsafeMutableBufferPointer { r in
            // Channels are independent: workers take ranges of them; each sums its planes in
            // sample order, so the result does not depend on the worker count.
            Parallel.forEachChunk(count: C, work: t.count) { channels in
                for c in channels {
                    for n in 0..<N { r[c] += laneSum(p.baseAddress! + (n * C + c) * inner, inner) }
                }
            }
        }
    }
    return Tensor(uncheckedShape: [C], scalars: result)
}

extension Optional {
    /// The scalars of an optional tensor as a mutable pointer (nil when there is no tensor),
    /// for kernels that write a gradient only when it is wanted.
    mutating func withUnsafeMutableScalars<S: TensorScalar, R>(_ body: (UnsafeMutablePointer<S>?) throws -> R) rethrows -> R
    where Wrapped == Tensor<S> {
        guard self != nil else { return try body(nil) }
        return try self!.scalars.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

/// target[i] += source[i] for i in 0..<count.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func addInPlace<Scalar: TensorScalar>(_ target: UnsafeMutablePointer<Scalar>, _ source: UnsafePointer<Scalar>, count: Int) {
    for i in 0..<count { target[i] += source[i] }
}
