/// One GEMM to time: C (m x n) = op(A) (m x k) * B (k x n), row-major, B never transposed.
struct GEMMShape {
    var name: String
    var m: Int, n: Int, k: Int
    /// A stored k x m (the weight of a transposed convolution, read transposed).
    var transposeA = false

    var multiplyAdds: Double { Double(m) * Double(n) * Double(k) }
    var flops: Double { 2 * multiplyAdds }

    static func square(_ size: Int) -> GEMMShape {
        GEMMShape(name: "square \(size)", m: size, n: size, k: size)
    }

    /// Forward convolution as im2col + GEMM, per sample: weights (out x in*KH*KW) times
    /// columns (in*KH*KW x OH*OW).
    static func convolution(_ name: String, input: Int, output: Int, kernel: Int,
                            side: Int, stride: Int = 1, padding: Int) -> GEMMShape {
        let outputSide = (side + 2 * padding - kernel) / stride + 1
        return GEMMShape(name: name, m: output, n: outputSide * outputSide, k: input * kernel * kernel)
    }

    /// Transposed convolution as GEMM + col2im, per sample: the weight stored
    /// (in x out*KH*KW), read transposed, times the input (in x H*W) gives the columns
    /// (out*KH*KW x H*W) that col2im folds into the larger output.
    static func transposedConvolution(_ name: String, input: Int, output: Int, kernel: Int, side: Int) -> GEMMShape {
        GEMMShape(name: name, m: output * kernel * kernel, n: side * side, k: input, transposeA: true)
    }

    /// Table II, branch 'Ori' (112 x 112 input), 'same' padding, stride 1.
    static let tableII: [GEMMShape] = [
        convolution("TableII Ori-Conv1-a", input: 1, output: 64, kernel: 5, side: 112, padding: 2),
        convolution("TableII Ori-Conv1-b", input: 64, output: 64, kernel: 5, side: 112, padding: 2),
        convolution("TableII Ori-Conv2-a", input: 64, output: 128, kernel: 3, side: 56, padding: 1),
        convolution("TableII Ori-Conv2-b", input: 128, output: 128, kernel: 3, side: 56, padding: 1),
        convolution("TableII Ori-Conv3-a", input: 128, output: 256, kernel: 3, side: 28, padding: 1),
        convolution("TableII Ori-Conv3-b", input: 256, output: 256, kernel: 3, side: 28, padding: 1),
        convolution("TableII Ori-Conv4", input: 256, output: 512, kernel: 3, side: 14, padding: 1),
        convolution("TableII Ori-Conv5", input: 512, output: 128, kernel: 1, side: 7, padding: 0),
    ]

    /// Table I autoencoder at side 112: the stride-2 encoder, then each decoder stage's
    /// transposed convolution (3x3, stride 2) and the 3x3 stride-1 convolution of the
    /// ResBlock that follows it.
    static let tableI: [GEMMShape] = [
        convolution("TableI Enc1 1->16 s2", input: 1, output: 16, kernel: 3, side: 112, stride: 2, padding: 1),
        convolution("TableI Enc2 16->32 s2", input: 16, output: 32, kernel: 3, side: 56, stride: 2, padding: 1),
        convolution("TableI Enc3 32->64 s2", input: 32, output: 64, kernel: 3, side: 28, stride: 2, padding: 1),
        convolution("TableI Enc4 64->80 s2", input: 64, output: 80, kernel: 3, side: 14, stride: 2, padding: 1),
        transposedConvolution("TableI Dec1 ConvT 80->64", input: 80, output: 64, kernel: 3, side: 7),
        convolution("TableI Dec1 Res 64@14", input: 64, output: 64, kernel: 3, side: 14, padding: 1),
        transposedConvolution("TableI Dec2 ConvT 64->32", input: 64, output: 32, kernel: 3, side: 14),
        convolution("TableI Dec2 Res 32@28", input: 32, output: 32, kernel: 3, side: 28, padding: 1),
        transposedConvolution("TableI Dec3 ConvT 32->16", input: 32, output: 16, kernel: 3, side: 28),
        convolution("TableI Dec3 Res 16@56", input: 16, output: 16, kernel: 3, side: 56, padding: 1),
        transposedConvolution("TableI Dec4 ConvT 16->16", input: 16, output: 16, kernel: 3, side: 56),
        convolution("TableI Dec4 Res 16@112", input: 16, output: 16, kernel: 3, side: 112, padding: 1),
    ]
}
