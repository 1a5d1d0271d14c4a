import Testing
import TestSupport
@testable import Tensors

/// Winograd's F(2x2, 3x3) and F(2x2, 5x5) against direct loops: the output and the input
/// gradient (the weight gradient always takes im2col + GEMM), edge tiles cut by odd sizes,
/// every padding the layers use, Float and Double.
@Suite("Winograd convolution")
struct WinogradTests {
    @Test("The Toom-Cook matrices compute a 1-D correlation exactly", arguments: [(2, 3), (4, 3), (2, 5), (3, 2)])
    func oneDimensional(m: Int, r: Int) {
        let t = WinogradTransform(outputTile: m, kernel: r)
        let alpha = t.inputTile
        let d = (0..<alpha).map { Double($0 * $0 % 7) - 2.5 }, g = (0..<r).map { 1.5 - Double($0 * 3 % 5) }
        let transformedInput = (0..<alpha).map { i in (0..<alpha).reduce(0.0) { $0 + t.inputTransform[i * alpha + $1] * d[$1] } }
        let transformedKernel = (0..<alpha).map { i in (0..<r).reduce(0.0) { $0 + t.kernelTransform[i * r + $1] * g[$1] } }
        for i in 0..<m {
            let winograd = (0..<alpha).reduce(0.0) { $0 + t.outputTransform[i * alpha + $1] * transformedInput[$1] * transformedKernel[$1] }
            let direct = (0..<r).reduce(0.0) { $0 + g[$1] * d[i + $1] }
            #expect(abs(winograd - direct) < 1e-12, "F(\(m), \(r)) output \(i): \(winograd) against \(direct)")
        }
    }

    static let shapes: [(kernel: Int, padding: Int, height: Int, width: Int)] = [
        (3, 1, 7, 9), (3, 0, 8, 6), (3, 2, 5, 5), (5, 2, 9, 7), (5, 0, 6, 11), (5, 4, 4, 4), (3, 1, 1, 3),
    ]

    func check<S: TensorScalar>(_: S.Type, kernel: Int, padding: Int, height: Int, width: Int, tolerance: Double) throws {
        var g = SeededGenerator(seed: UInt64(kernel * 1000 + padding * 100 + height * 10 + width))
        let x = Tensor<S>(randomNormal: [3, 5, height, width], using: &g)
        let w = Tensor<S>(randomNormal: [6, 5, kernel, kernel], using: &g)
        let b = Tensor<S>(randomNormal: [6], using: &g)
        let xv = Variable(x, requiresGradient: true)
        let y = try xv.conv2d(weight: Variable(w), bias: Variable(b), padding: padding, algorithm: .winograd)
        let label = "k\(kernel) p\(padding) \(height)x\(width)"
        expectClose(y.value, referenceConv2d(x, weight: w, bias: b, stride: 1, padding: padding), absolute: tolerance, relative: tolerance, "forward \(label)")
        let dy = Tensor<S>(randomNormal: y.shape, using: &g)
        try y.backward(upstream: dy)
        expectClose(xv.grad!, referenceConvTranspose2d(dy, weight: w, bias: nil, stride: 1, padding: padding, outputPadding: 0),
                    absolute: tolerance, relative: tolerance, "dX \(label)")
    }

    // Double: sums of at most 125 products, each through transforms with entries up to 4 in
    // magnitude (F(2, 5)'s points +-2): rounding stays far below 1e-11.
    @Test(arguments: shapes) func double(kernel: Int, padding: Int, height: Int, width: Int) throws {
        try check(Double.self, kernel: kernel, padding: padding, height: height, width: width, tolerance: 1e-11)
    }

    // Float: the same sums, with the transforms' growth (up to about 20x the magnitude of a
    // product for F(2, 5)) on top of 6e-8 per operation.
    @Test(arguments: shapes) func float(kernel: Int, padding: Int, height: Int, width: Int) throws {
        try check(Float.self, kernel: kernel, padding: padding, height: height, width: width, tolerance: 2e-4)
    }

    @Test("The automatic rule takes Winograd only for stride-1 5x5 kernels between wide layers and 3x3 ones on large planes")
    func rule() {
        let a = ConvolutionAlgorithm.automatic
        func transform(_ algorithm: ConvolutionAlgorithm, kernel: Int, stride: Int = 1, channels: Int, size: Int) -> Int? {
            algorithm.winogradTransform(kernelHeight: kernel, kernelWidth: kernel, stride: stride, channels: channels,
                                        outputChannels: channels, outputSize: size * size)?.kernel
        }
        #expect(transform(a, kernel: 5, channels: 64, size: 112) == 5)
        #expect(transform(a, kernel: 5, channels: 16, size: 112) == nil)
        #expect(transform(a, kernel: 3, channels: 128, size: 56) == 3)
        #expect(transform(a, kernel: 3, channels: 256, size: 28) == nil)
        #expect(transform(a, kernel: 3, channels: 64, size: 112) == nil)
        #expect(transform(a, kernel: 3, stride: 2, channels: 128, size: 56) == nil)
        #expect(transform(a, kernel: 1, channels: 128, size: 56) == nil)
        #expect(transform(.im2col, kernel: 5, channels: 64, size: 112) == nil)
        #expect(transform(.winograd, kernel: 3, channels: 1, size: 4) == 3)
        #expect(ConvolutionAlgorithm.winogradApplies(kernel: 5, channels: 1, outputChannels: 64, outputSize: 12544) == false)
    }
}
