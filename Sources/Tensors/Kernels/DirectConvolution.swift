import CDirectConvolution

// Legend as in Ops/Conv2D.swift. The loops themselves are C (CDirectConvolution), compiled
// for AVX-512, AVX2 + FMA and the baseline, and picked at load time; they read padded planes
// (direct_convolution.h explains the layout).

/// Stride-1 correlation by direct loops, samples split between the workers: for layers with
/// few channels, where im2col's column matrix costs more than the products.
/// y (N, O, OH, OW), OH = H + 2P - K + 1; every element is written.
func directCorrelation<Scalar: TensorScalar>(
    _ x: UnsafePointer<Scalar>, batch N: Int, channels C: Int, height H: Int, width W: Int,
    weight: UnsafePointer<Scalar>, outputChannels O: Int, kernel K: Int, padding P: Int,
    into y: UnsafeMutablePointer<Scalar>, workspace: ConvolutionWorkspace<Scalar>?
) {
    let OH = H + 2 * P - K + 1, OW = W + 2 * P - K + 1
    guard N > 0, OH > 0, OW > 0 else { return }
    let stride = direct_convolution_plane_stride(H, W, K, P)
    let workers = min(N, Parallel.workers(forWork: N * O * C * OH * OW * K * K))
    // One buffer: the padded input planes of every sample, then 4 output planes per worker
    // (the C loop's block of output channels).
    withScratch(workspace, count: (N * C + 4 * workers) * stride) { scratch in
        let padded = scratch[0], rows = scratch[0] + N * C * stride
        pad(x, into: padded, planes: N, planeGroup: C, H: H, W: W, K: K, P: P)
        Parallel.run(workers: workers) { w in
            let first = N * w / workers, end = N * (w + 1) / workers, row = rows + 4 * w * stride
            if Scalar.self == Float.self {
                direct_convolution_forward_f32(raw(UnsafePointer(padded)), raw(weight), rawMutable(y), rawMutable(row), first, end, C, H, W, O, K, P)
            } else {
                direct_convolution_forward_f64(raw(UnsafePointer(padded)), raw(weight), rawMutable(y), rawMutable(row), first, end, C, H, W, O, K, P)
            }
        }
    }
}

/// dW (O, C, K, K) of a stride-1 correlation by direct loops, output channels split between
/// the workers (each writes its own rows of dW: no partial sums to add afterwards).
func directWeightGradient<Scalar: TensorScalar>(
    _ x: UnsafePointer<Scalar>, upstream dy: UnsafePointer<Scalar>, batch N: Int, channels C: Int, height H: Int, width W: Int,
    outputChannels O: Int, kernel K: Int, padding P: Int, into dw: UnsafeMutablePointer<Scalar>, workspace: ConvolutionWorkspace<Scalar>?
) {
    let OH = H + 2 * P - K + 1, OW = W + 2 * P - K + 1
    guard N > 0, OH > 0, OW > 0 else { dw.update(repeating: 0, count: O * C * K * K); return }
    let stride = direct_convolution_plane_stride(H, W, K, P)
    let workers = min(O, Parallel.workers(forWork: N * O * C * OH * OW * K * K))
    // One buffer: the padded input planes, then dY spread to the padded planes' row stride.
    withScratch(workspace, count: N * (C + O) * stride) { scratch in
        let padded = scratch[0], spread = scratch[0] + N * C * stride
        pad(x, into: padded, planes: N, planeGroup: C, H: H, W: W, K: K, P: P)
        Parallel.forEachChunk(count: N, work: N * O * OH * OW) { samples in
            let planes = samples.count * O, offset = samples.lowerBound * O
            if Scalar.self == Float.self {
                direct_convolution_spread_f32(raw(dy + offset * OH * OW), rawMutable(spread + offset * stride), planes, H, W, K, P)
            } else {
                direct_convolution_spread_f64(raw(dy + offset * OH * OW), rawMutable(spread + offset * stride), planes, H, W, K, P)
            }
        }
        Parallel.run(workers: workers) { w in
            let first = O * w / workers, end = O * (w + 1) / workers
            if Scalar.self == Float.self {
                direct_convolution_weight_gradient_f32(raw(UnsafePointer(padded)), raw(UnsafePointer(spread)), rawMutable(dw), first, end, N, C, H, W, O, K, P)
            } else {
                direct_convolution_weight_gradient_f64(raw(UnsafePointer(padded)), raw(UnsafePointer(spread)), rawMutable(dw), first, end, N, C, H, W, O, K, P)
            }
        }
    }
}

/// Copies N x planeGroup (H, W) planes into padded planes, samples split between the workers.
private func pad<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, into padded: UnsafeMutablePointer<Scalar>, planes N: Int, planeGroup C: Int,
                                      H: Int, W: Int, K: Int, P: Int) {
    let stride = direct_convolution_plane_stride(H, W, K, P)
    Parallel.forEachChunk(count: N, work: N * C * stride) { samples in
        let offset = samples.lowerBound * C, planes = samples.count * C
        if Scalar.self == Float.self {
            direct_convolution_pad_f32(raw(x + offset * H * W), rawMutable(padded + offset * stride), planes, H, W, K, P)
        } else {
            direct_convolution_pad_f64(raw(x + offset * H * W), rawMutable(padded + offset * stride), planes, H, W, K, P)
        }
    }
}

/// The same memory seen as the C function's element type (the caller checked which one).
@inline(__always) private func raw<Scalar, T>(_ p: UnsafePointer<Scalar>) -> UnsafePointer<T> { UnsafeRawPointer(p).assumingMemoryBound(to: T.self) }
@inline(__always) private func rawMutable<Scalar, T>(_ p: UnsafeMutablePointer<Scalar>) -> UnsafeMutablePointer<T> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
}
