import Foundation
import Testing
import TestSupport
@testable import Tensors

/// Winograd's F(2x2, 3x3) and F(2x2, 5x5), and the direct loops, against direct reference
/// loops and im2col + GEMM: the output and every gradient, edge tiles cut by odd sizes, every
/// padding the layers use, Float and Double; and the rule that picks among them.
@Suite("Convolution algorithms")
struct ConvolutionAlgorithmTests {
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

    @Test("The layers' workspace is one per thread, grown to the largest call")
    func workspacePerThread() throws {
        let workspace = ConvolutionWorkspace<Double>.forCurrentThread
        #expect(ConvolutionWorkspace<Double>.forCurrentThread === workspace)
        var g = SeededGenerator(seed: 5)
        for (channels, side) in [(2, 9), (1, 4)] {
            let x = Variable(Tensor<Double>(randomNormal: [2, channels, side, side], using: &g))
            let w = Variable(Tensor<Double>(randomNormal: [3, channels, 3, 3], using: &g))
            let y = try x.conv2d(weight: w, padding: 1, workspace: .forCurrentThread, algorithm: .im2col)
            expectClose(y.value, referenceConv2d(x.value, weight: w.value, bias: nil, stride: 1, padding: 1), absolute: 1e-12, relative: 1e-12)
        }
        let grown = workspace.capacity
        #expect(grown > 0)
        #expect(ConvolutionWorkspace<Double>.forCurrentThread.capacity == grown)  // the smaller call did not shrink it
        final class Box: @unchecked Sendable { var other: ObjectIdentifier? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.other = ObjectIdentifier(ConvolutionWorkspace<Double>.forCurrentThread)
            done.signal()
        }
        done.wait()
        #expect(box.other != ObjectIdentifier(workspace))
    }

    static let shapes: [(kernel: Int, padding: Int, height: Int, width: Int)] = [
        (3, 1, 7, 9), (3, 0, 8, 6), (3, 2, 5, 5), (5, 2, 9, 7), (5, 0, 6, 11), (5, 4, 4, 4), (3, 1, 1, 3),
    ]

    /// Output and input gradient against direct loops, and all three gradients against im2col + GEMM
    /// (itself checked against direct loops in ConvolutionReferenceTests).
    func check<S: TensorScalar>(_: S.Type, _ algorithm: ConvolutionAlgorithm, kernel: Int, padding: Int, height: Int, width: Int,
                                tolerance: Double) throws {
        var g = SeededGenerator(seed: UInt64(kernel * 1000 + padding * 100 + height * 10 + width))
        let x = Tensor<S>(randomNormal: [3, 5, height, width], using: &g)
        let w = Tensor<S>(randomNormal: [6, 5, kernel, kernel], using: &g)
        let b = Tensor<S>(randomNormal: [6], using: &g)
        func run(_ algorithm: ConvolutionAlgorithm) throws -> (y: Tensor<S>, dx: Tensor<S>, dw: Tensor<S>, db: Tensor<S>) {
            let xv = Variable(x, requiresGradient: true), wv = Variable(w, requiresGradient: true), bv = Variable(b, requiresGradient: true)
            let y = try xv.conv2d(weight: wv, bias: bv, padding: padding, workspace: ConvolutionWorkspace(), algorithm: algorithm)
            var h = SeededGenerator(seed: 77)
            try y.backward(upstream: Tensor<S>(randomNormal: y.shape, using: &h))
            return (y.value, xv.grad!, wv.grad!, bv.grad!)
        }
        let tested = try run(algorithm), reference = try run(.im2col)
        let label = "\(algorithm) k\(kernel) p\(padding) \(height)x\(width)"
        expectClose(tested.y, referenceConv2d(x, weight: w, bias: b, stride: 1, padding: padding), absolute: tolerance, relative: tolerance, "forward \(label)")
        expectClose(tested.dx, reference.dx, absolute: tolerance, relative: tolerance, "dX \(label)")
        expectClose(tested.dw, reference.dw, absolute: tolerance, relative: tolerance, "dW \(label)")
        expectClose(tested.db, reference.db, absolute: tolerance, relative: tolerance, "dB \(label)")
    }

    // Double: sums of at most 125 products (a few thousand for dW), each through transforms
    // with entries up to 4 in magnitude (F(2, 5)'s points +-2): rounding stays far below 1e-11.
    @Test(arguments: [ConvolutionAlgorithm.winograd, .direct], shapes)
    func double(_ algorithm: ConvolutionAlgorithm, shape: (kernel: Int, padding: Int, height: Int, width: Int)) throws {
        try check(Double.self, algorithm, kernel: shape.kernel, padding: shape.padding, height: shape.height, width: shape.width, tolerance: 1e-11)
    }

    // Float: the same sums, with the transforms' growth (up to about 20x the magnitude of a
    // product for F(2, 5)) on top of 6e-8 per operation.
    @Test(arguments: [ConvolutionAlgorithm.winograd, .direct], shapes)
    func float(_ algorithm: ConvolutionAlgorithm, shape: (kernel: Int, padding: Int, height: Int, width: Int)) throws {
        try check(Float.self, algorithm, kernel: shape.kernel, padding: shape.padding, height: shape.height, width: shape.width, tolerance: 2e-4)
    }

    @Test("The automatic rule: direct loops for narrow layers, Winograd for wide 5x5 and for 3x3 on large planes, im2col elsewhere")
    func rule() {
        let a = ConvolutionAlgorithm.automatic
        func plan(_ algorithm: ConvolutionAlgorithm, kernel: Int, stride: Int = 1, channels: Int, outputChannels: Int? = nil, size: Int) -> String {
            switch algorithm.plan(kernelHeight: kernel, kernelWidth: kernel, stride: stride, channels: channels,
                                  outputChannels: outputChannels ?? channels, outputSize: size * size) {
            case .im2col: return "im2col"
            case .direct: return "direct"
            case .winograd(let t): return "winograd\(t.kernel)"
            }
        }
        #expect(plan(a, kernel: 5, channels: 64, size: 112) == "winograd5")
        #expect(plan(a, kernel: 5, channels: 1, outputChannels: 16, size: 32) == "direct")
        #expect(plan(a, kernel: 5, channels: 16, size: 32) == "direct")
        #expect(plan(a, kernel: 3, channels: 16, size: 32) == "direct")
        #expect(plan(a, kernel: 3, channels: 16, outputChannels: 32, size: 16) == "direct")
        #expect(plan(a, kernel: 5, channels: 32, size: 56) == "direct")
        #expect(plan(a, kernel: 3, channels: 32, outputChannels: 64, size: 8) == "im2col")
        #expect(plan(a, kernel: 5, channels: 1, outputChannels: 64, size: 112) == "direct")
        #expect(plan(a, kernel: 3, channels: 128, size: 56) == "winograd3")
        #expect(plan(a, kernel: 3, channels: 256, size: 28) == "im2col")
        #expect(plan(a, kernel: 3, channels: 64, size: 112) == "im2col")
        #expect(plan(a, kernel: 3, stride: 2, channels: 128, size: 56) == "im2col")
        #expect(plan(a, kernel: 3, stride: 2, channels: 16, size: 56) == "im2col")
        #expect(plan(a, kernel: 1, channels: 128, size: 56) == "im2col")
        #expect(plan(.im2col, kernel: 5, channels: 16, size: 32) == "im2col")
        #expect(plan(.winograd, kernel: 3, channels: 1, size: 4) == "winograd3")
        #expect(plan(.direct, kernel: 7, channels: 256, size: 4) == "direct")
        #expect(plan(.winograd, kernel: 7, channels: 256, size: 4) == "im2col")
    }
}
