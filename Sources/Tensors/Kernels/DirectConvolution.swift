import CDirectConvolution

// Legend as in Ops/Conv2D.swift. The loops themselves are C (CDirectConvolution), compiled
// for AVX-512, AVX2 + FMA and the baseline, and picked at load time.

/// Stride-1 correlation by direct loops, samples split between the workers: for layers with
/// few channels, where im2col's column matrix costs more than the products.
/// y (N, O, OH, OW), OH = H + 2P - K + 1; every element is written.
func directCorrelation<Scalar: TensorScalar>(
    _ x: UnsafePointer<Scalar>, batch N: Int, channels C: Int, height H: Int, width W: Int,
    weight: UnsafePointer<Scalar>, outputChannels O: Int, kernel K: Int, padding P: Int, into y: UnsafeMutablePointer<Scalar>
) {
    let OH = H + 2 * P - K + 1, OW = W + 2 * P - K + 1
    guard N > 0, OH > 0, OW > 0 else { return }
    let workers = min(N, Parallel.workers(forWork: N * O * C * OH * OW * K * K))
    Parallel.run(workers: workers) { w in
        let first = N * w / workers, end = N * (w + 1) / workers
        if Scalar.self == Float.self {
            direct_convolution_forward_f32(raw(x), raw(weight), raw(y), first, end, C, H, W, O, K, P)
        } else {
            direct_convolution_forward_f64(raw(x), raw(weight), raw(y), first, end, C, H, W, O, K, P)
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
    guard OH > 0, OW > 0 else { dw.update(repeating: 0, count: O * C * K * K); return }
    let workers = min(O, Parallel.workers(forWork: N * O * C * OH * OW * K * K))
    withScratch(workspace, count: K * K * OW, workers: workers) { scratches in
        Parallel.run(workers: workers) { w in
            let first = O * w / workers, end = O * (w + 1) / workers
            if Scalar.self == Float.self {
                direct_convolution_weight_gradient_f32(raw(x), raw(dy), raw(dw), raw(scratches[w]), first, end, N, C, H, W, O, K, P)
            } else {
                direct_convolution_weight_gradient_f64(raw(x), raw(dy), raw(dw), raw(scratches[w]), first, end, N, C, H, W, O, K, P)
            }
        }
    }
}

/// The same memory seen as the C function's element type (the caller checked which one).
@inline(__always) private func raw<Scalar, T>(_ p: UnsafePointer<Scalar>) -> UnsafePointer<T> { UnsafeRawPointer(p).assumingMemoryBound(to: T.self) }
@inline(__always) private func raw<Scalar, T>(_ p: UnsafeMutablePointer<Scalar>) -> UnsafeMutablePointer<T> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self) }
