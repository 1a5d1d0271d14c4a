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
    // Per worker, one sample at a time: its padded input planes, then the 4 output planes of
    // the C loop's block of output channels.
    withScratch(workspace, count: (C + 4) * stride, workers: workers) { scratches in
        Parallel.run(workers: workers) { w in
            let padded = scratches[w], rows = scratches[w] + C * stride
            for n in (N * w / workers)..<(N * (w + 1) / workers) {
                pad(x + n * C * H * W, into: padded, planes: C, H: H, W: W, K: K, P: P)
                let sampleOutput = y + n * O * OH * OW
                if Scalar.self == Float.self {
                    direct_convolution_forward_f32(raw(UnsafePointer(padded)), raw(weight), rawMutable(sampleOutput), rawMutable(rows), C, H, W, O, K, P)
                } else {
                    direct_convolution_forward_f64(raw(UnsafePointer(padded)), raw(weight), rawMutable(sampleOutput), rawMutable(rows), C, H, W, O, K, P)
                }
            }
        }
    }
}

/// dW (O, C, K, K) of a stride-1 correlation by direct loops. Samples are split between the
/// workers, each summing its samples into its own (O, C, K, K) share; the shares are added in
/// worker order, so the result does not depend on timing.
func directWeightGradient<Scalar: TensorScalar>(
    _ x: UnsafePointer<Scalar>, upstream dy: UnsafePointer<Scalar>, batch N: Int, channels C: Int, height H: Int, width W: Int,
    outputChannels O: Int, kernel K: Int, padding P: Int, into dw: UnsafeMutablePointer<Scalar>, workspace: ConvolutionWorkspace<Scalar>?
) {
    let OH = H + 2 * P - K + 1, OW = W + 2 * P - K + 1
    let weights = O * C * K * K
    dw.update(repeating: 0, count: weights)
    guard N > 0, OH > 0, OW > 0 else { return }
    let stride = direct_convolution_plane_stride(H, W, K, P)
    let workers = min(N, Parallel.workers(forWork: N * O * C * OH * OW * K * K))
    // Per worker, a group of samples at a time: their padded input planes, their dY spread to
    // the planes' row stride, then the worker's share of dW. A group of 8 keeps the scratch to
    // a few megabytes at the paper's sizes while the C loop adds up 8 samples before it reduces.
    let group = 8
    withScratch(workspace, count: group * (C + O) * stride + weights, workers: workers) { scratches in
        Parallel.run(workers: workers) { w in
            let padded = scratches[w], spread = scratches[w] + group * C * stride, share = spread + group * O * stride
            let samples = (N * w / workers)..<(N * (w + 1) / workers)
            for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: group) {
                let count = min(group, samples.upperBound - first)
                pad(x + first * C * H * W, into: padded, planes: count * C, H: H, W: W, K: K, P: P)
                let accumulate = first == samples.lowerBound ? 0 : 1
                if Scalar.self == Float.self {
                    direct_convolution_spread_f32(raw(dy + first * O * OH * OW), rawMutable(spread), count * O, H, W, K, P)
                    direct_convolution_weight_gradient_f32(raw(UnsafePointer(padded)), raw(UnsafePointer(spread)), rawMutable(share),
                                                           accumulate, count, C, H, W, O, K, P)
                } else {
                    direct_convolution_spread_f64(raw(dy + first * O * OH * OW), rawMutable(spread), count * O, H, W, K, P)
                    direct_convolution_weight_gradient_f64(raw(UnsafePointer(padded)), raw(UnsafePointer(spread)), rawMutable(share),
                                                           accumulate, count, C, H, W, O, K, P)
                }
            }
        }
        for w in 0..<workers where N * (w + 1) / workers > N * w / workers {
            addInPlace(dw, UnsafePointer(scratches[w] + group * (C + O) * stride), count: weights)
        }
    }
}

/// Copies `planes` (H, W) planes into padded planes (direct_convolution.h).
private func pad<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, into padded: UnsafeMutablePointer<Scalar>, planes: Int,
                                      H: Int, W: Int, K: Int, P: Int) {
    if Scalar.self == Float.self {
        direct_convolution_pad_f32(raw(x), rawMutable(padded), planes, H, W, K, P)
    } else {
        direct_convolution_pad_f64(raw(x), rawMutable(padded), planes, H, W, K, P)
    }
}

