// Legend: N batch, C input channels, O output channels, H x W input, OH x OW output,
// KH x KW kernel, S stride, P padding. Direct loops, no im2col: slow but obviously right.

/// Naive direct convolution (N, C, H, W) * (O, C, KH, KW) -> (N, O, OH, OW), the reference
/// that the im2col + GEMM path is tested against.
public func referenceConv2d<Scalar: TensorScalar>(
    _ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?, stride S: Int, padding P: Int
) -> Tensor<Scalar> {
    let (N, C, H, W) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (O, KH, KW) = (weight.shape[0], weight.shape[2], weight.shape[3])
    let OH = (H + 2 * P - KH) / S + 1, OW = (W + 2 * P - KW) / S + 1
    var y = Tensor<Scalar>(zeros: [N, O, OH, OW])
    for n in 0..<N { for o in 0..<O { for oh in 0..<OH { for ow in 0..<OW {
        var sum: Scalar = bias?.scalars[o] ?? 0
        for c in 0..<C { for kh in 0..<KH { for kw in 0..<KW {
            let ih = oh * S - P + kh, iw = ow * S - P + kw
            guard ih >= 0, ih < H, iw >= 0, iw < W else { continue }
            sum += x.scalars[((n * C + c) * H + ih) * W + iw] * weight.scalars[((o * C + c) * KH + kh) * KW + kw]
        } } }
        y.scalars[((n * O + o) * OH + oh) * OW + ow] = sum
    } } } }
    return y
}

/// Naive transposed convolution (N, C, H, W) with weight (C, O, KH, KW): every input
/// element scatters weight * value into the output window it maps to.
public func referenceConvTranspose2d<Scalar: TensorScalar>(
    _ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?, stride S: Int, padding P: Int, outputPadding: Int
) -> Tensor<Scalar> {
    let (N, C, H, W) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (O, KH, KW) = (weight.shape[1], weight.shape[2], weight.shape[3])
    let OH = (H - 1) * S - 2 * P + KH + outputPadding, OW = (W - 1) * S - 2 * P + KW + outputPadding
    var y = Tensor<Scalar>(zeros: [N, O, OH, OW])
    for n in 0..<N { for c in 0..<C { for ih in 0..<H { for iw in 0..<W {
        let v = x.scalars[((n * C + c) * H + ih) * W + iw]
        for o in 0..<O { for kh in 0..<KH { for kw in 0..<KW {
            let oh = ih * S - P + kh, ow = iw * S - P + kw
            guard oh >= 0, oh < OH, ow >= 0, ow < OW else { continue }
            y.scalars[((n * O + o) * OH + oh) * OW + ow] += v * weight.scalars[((c * O + o) * KH + kh) * KW + kw]
        } } }
    } } } }
    if let bias {
        for n in 0..<N { for o in 0..<O { for i in 0..<(OH * OW) { y.scalars[(n * O + o) * OH * OW + i] += bias.scalars[o] } } }
    }
    return y
}
