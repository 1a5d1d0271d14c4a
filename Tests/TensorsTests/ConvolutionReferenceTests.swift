import Testing
import TestSupport
@testable import Tensors

/// The im2col + GEMM convolutions agree with direct loops, in Float and in Double.
@Suite("Convolution against direct loops")
struct ConvolutionReferenceTests {
    static let cases: [(kernel: Int, stride: Int, padding: Int)] = [(1, 1, 0), (3, 1, 1), (3, 2, 1), (5, 2, 2), (2, 3, 0), (3, 1, 0)]

    func convolutions<S: TensorScalar>(_: S.Type, kernel: Int, stride: Int, padding: Int, tolerance: Double) throws {
        var g = SeededGenerator(seed: UInt64(kernel * 100 + stride * 10 + padding))
        let x = Tensor<S>(randomNormal: [2, 3, 9, 8], using: &g)
        let w = Tensor<S>(randomNormal: [4, 3, kernel, kernel], using: &g)
        let b = Tensor<S>(randomNormal: [4], using: &g)
        let y = try Variable(x).conv2d(weight: Variable(w), bias: Variable(b), stride: stride, padding: padding)
        expectClose(y.value, referenceConv2d(x, weight: w, bias: b, stride: stride, padding: padding),
                    absolute: tolerance, relative: tolerance, "conv2d k\(kernel) s\(stride) p\(padding)")

        let wt = Tensor<S>(randomNormal: [3, 2, kernel, kernel], using: &g)
        let bt = Tensor<S>(randomNormal: [2], using: &g)
        let outputPadding = stride > 1 ? 1 : 0
        if (9 - 1) * stride - 2 * padding + kernel + outputPadding >= 1 {
            let yt = try Variable(x).convTranspose2d(weight: Variable(wt), bias: Variable(bt), stride: stride, padding: padding, outputPadding: outputPadding)
            expectClose(yt.value, referenceConvTranspose2d(x, weight: wt, bias: bt, stride: stride, padding: padding, outputPadding: outputPadding),
                        absolute: tolerance, relative: tolerance, "convTranspose2d k\(kernel) s\(stride) p\(padding)")
        }
    }

    // Sums of at most 75 products of N(0,1) values: Float rounding stays near 75 * 6e-8 * |terms| ~ 1e-5.
    @Test(arguments: cases) func float(kernel: Int, stride: Int, padding: Int) throws {
        try convolutions(Float.self, kernel: kernel, stride: stride, padding: padding, tolerance: 1e-4)
    }

    @Test(arguments: cases) func double(kernel: Int, stride: Int, padding: Int) throws {
        try convolutions(Double.self, kernel: kernel, stride: stride, padding: padding, tolerance: 1e-12)
    }
}
