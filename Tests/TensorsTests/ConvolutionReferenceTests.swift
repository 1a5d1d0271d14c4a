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

/// At larger widths the convolution splits the output rows into bands (so the column
/// matrix stays in cache); forward and both gradients must not depend on the split.
@Test func bandedConvolutionMatchesDirectLoops() throws {
    var g = SeededGenerator(seed: 5)
    let x = Tensor<Double>(randomNormal: [2, 16, 6, 1000], using: &g)
    let w = Tensor<Double>(randomNormal: [3, 16, 5, 5], using: &g)
    let geometry = ConvGeometry(channels: 16, height: 6, width: 1000, kernelHeight: 5, kernelWidth: 5, stride: 1, padding: 2)
    #expect(geometry.workItems(batch: 2, scalarSize: 8).count > 2)  // bands within each sample: the case under test

    let xv = Variable(x, requiresGradient: true), wv = Variable(w, requiresGradient: true)
    let y = try xv.conv2d(weight: wv, padding: 2, workspace: ConvolutionWorkspace())
    expectClose(y.value, referenceConv2d(x, weight: w, bias: nil, stride: 1, padding: 2), absolute: 1e-11, relative: 1e-11, "forward")

    let dy = Tensor<Double>(randomNormal: y.shape, using: &g)
    try y.backward(upstream: dy)
    // dX is the transposed convolution of dY with the same weight.
    expectClose(xv.grad!, referenceConvTranspose2d(dy, weight: w, bias: nil, stride: 1, padding: 2, outputPadding: 0),
                absolute: 1e-11, relative: 1e-11, "dX")
    // dW[o, c, kh, kw] = sum over n, oh, ow of dY[n, o, oh, ow] * x[n, c, oh + kh - 2, ow + kw - 2].
    var dw = Tensor<Double>(zeros: w.shape)
    for n in 0..<2 { for o in 0..<3 { for c in 0..<16 { for kh in 0..<5 { for kw in 0..<5 {
        var sum = 0.0
        for oh in 0..<6 { for ow in 0..<1000 {
            let ih = oh + kh - 2, iw = ow + kw - 2
            guard ih >= 0, ih < 6, iw >= 0, iw < 1000 else { continue }
            sum += dy.scalars[((n * 3 + o) * 6 + oh) * 1000 + ow] * x.scalars[((n * 16 + c) * 6 + ih) * 1000 + iw]
        } }
        dw.scalars[((o * 16 + c) * 5 + kh) * 5 + kw] += sum
    } } } } }
    expectClose(wv.grad!, dw, absolute: 1e-10, relative: 1e-11, "dW")
}

/// A 1x1 stride-1 convolution wide enough to be cut into bands multiplies each band of the
/// image directly (no im2col): forward and gradients still match the direct loops.
@Test func bandedPointwiseConvolutionMatchesDirectLoops() throws {
    var g = SeededGenerator(seed: 6)
    let x = Tensor<Double>(randomNormal: [1, 512, 3, 2100], using: &g)
    let w = Tensor<Double>(randomNormal: [2, 512, 1, 1], using: &g)
    let geometry = ConvGeometry(channels: 512, height: 3, width: 2100, kernelHeight: 1, kernelWidth: 1, stride: 1, padding: 0)
    #expect(geometry.workItems(batch: 1, scalarSize: 8).count == 3)
    let xv = Variable(x, requiresGradient: true), wv = Variable(w, requiresGradient: true)
    let y = try xv.conv2d(weight: wv)
    expectClose(y.value, referenceConv2d(x, weight: w, bias: nil, stride: 1, padding: 0), absolute: 1e-11, relative: 1e-11, "forward")
    let dy = Tensor<Double>(randomNormal: y.shape, using: &g)
    try y.backward(upstream: dy)
    expectClose(xv.grad!, referenceConvTranspose2d(dy, weight: w, bias: nil, stride: 1, padding: 0, outputPadding: 0),
                absolute: 1e-11, relative: 1e-11, "dX")
    var dw = Tensor<Double>(zeros: w.shape)
    for o in 0..<2 { for c in 0..<512 {
        var sum = 0.0
        for i in 0..<(3 * 2100) { sum += dy.scalars[o * 6300 + i] * x.scalars[c * 6300 + i] }
        dw.scalars[o * 512 + c] = sum
    } }
    expectClose(wv.grad!, dw, absolute: 1e-10, relative: 1e-11, "dW")
}

/// A transposed convolution wide enough to be cut into bands of input rows.
@Test func bandedTransposedConvolutionMatchesDirectLoops() throws {
    var g = SeededGenerator(seed: 7)
    let x = Tensor<Double>(randomNormal: [1, 2, 3, 2000], using: &g)
    let w = Tensor<Double>(randomNormal: [2, 64, 3, 3], using: &g)
    let geometry = ConvGeometry(channels: 64, height: 3, width: 2000, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
    #expect(geometry.workItems(batch: 1, scalarSize: 8).count > 1)
    let xv = Variable(x, requiresGradient: true), wv = Variable(w, requiresGradient: true)
    let y = try xv.convTranspose2d(weight: wv, stride: 1, padding: 1)
    expectClose(y.value, referenceConvTranspose2d(x, weight: w, bias: nil, stride: 1, padding: 1, outputPadding: 0),
                absolute: 1e-11, relative: 1e-11, "forward")
    let dy = Tensor<Double>(randomNormal: y.shape, using: &g)
    try y.backward(upstream: dy)
    // dX is the convolution of dY with the same weight read as (C, O, KH, KW).
    expectClose(xv.grad!, referenceConv2d(dy, weight: w, bias: nil, stride: 1, padding: 1), absolute: 1e-10, relative: 1e-11, "dX")
    var dw = Tensor<Double>(zeros: w.shape)
    for c in 0..<2 { for o in 0..<64 { for kh in 0..<3 { for kw in 0..<3 {
        var sum = 0.0
        for ih in 0..<3 { for iw in 0..<2000 {
            let oh = ih - 1 + kh, ow = iw - 1 + kw
            guard oh >= 0, oh < 3, ow >= 0, ow < 2000 else { continue }
            sum += x.scalars[(c * 3 + ih) * 2000 + iw] * dy.scalars[(o * 3 + oh) * 2000 + ow]
        } }
        dw.scalars[((c * 64 + o) * 3 + kh) * 3 + kw] = sum
    } } } }
    expectClose(wv.grad!, dw, absolute: 1e-10, relative: 1e-11, "dW")
}

/// The convolutions split a batch between workers (whole samples each, or all bands of one);
/// forward and every gradient must not depend on how many workers there are.
@Suite("Convolution split between workers")
struct ConvolutionWorkerTests {
    /// Forward output and the gradients of input, weight and bias for one split.
    func run(workers: Int, transposed: Bool, x: Tensor<Double>, w: Tensor<Double>, b: Tensor<Double>, stride: Int, padding: Int,
             upstream: inout SeededGenerator) throws -> [Tensor<Double>] {
        try Parallel.$workerOverride.withValue(workers) {
            let (xv, wv, bv) = (Variable(x, requiresGradient: true), Variable(w, requiresGradient: true), Variable(b, requiresGradient: true))
            let y = transposed ? try xv.convTranspose2d(weight: wv, bias: bv, stride: stride, padding: padding, outputPadding: stride > 1 ? 1 : 0)
                               : try xv.conv2d(weight: wv, bias: bv, stride: stride, padding: padding)
            var generator = upstream
            try y.backward(upstream: Tensor<Double>(randomNormal: y.shape, using: &generator))
            return [y.value, xv.grad!, wv.grad!, bv.grad!]
        }
    }

    @Test("1, 2 and 3 workers agree, small images batched and large ones banded",
          arguments: [(7, 10, 3, 1, 1), (5, 9, 3, 2, 1), (3, 400, 5, 1, 2), (2, 300, 3, 2, 1)])
    func workersAgree(_ setting: (batch: Int, side: Int, kernel: Int, stride: Int, padding: Int)) throws {
        var g = SeededGenerator(seed: UInt64(setting.batch * 1000 + setting.side))
        let x = Tensor<Double>(randomNormal: [setting.batch, 3, setting.side / 10 + 4, setting.side], using: &g)
        for transposed in [false, true] {
            let w = Tensor<Double>(randomNormal: transposed ? [3, 4, setting.kernel, setting.kernel] : [4, 3, setting.kernel, setting.kernel], using: &g)
            let b = Tensor<Double>(randomNormal: [4], using: &g)
            var upstream = SeededGenerator(seed: 7)
            let serial = try run(workers: 1, transposed: transposed, x: x, w: w, b: b, stride: setting.stride, padding: setting.padding, upstream: &upstream)
            if !transposed {
                expectClose(serial[0], referenceConv2d(x, weight: w, bias: b, stride: setting.stride, padding: setting.padding),
                            absolute: 1e-10, relative: 1e-10, "serial forward against direct loops")
            }
            for workers in [2, 3] {
                let split = try run(workers: workers, transposed: transposed, x: x, w: w, b: b, stride: setting.stride, padding: setting.padding, upstream: &upstream)
                // Double sums of a few hundred terms in another order: 1e-10 is far above their rounding.
                for (name, (a, c)) in zip(["y", "dx", "dw", "db"], zip(serial, split)) {
                    expectClose(c, a, absolute: 1e-10, relative: 1e-10, "\(transposed ? "convTranspose2d" : "conv2d") \(name), \(workers) workers")
                }
            }
        }
    }

    @Test("a sample's bands are never split between workers")
    func partitionKeepsSamplesWhole() {
        let g = ConvGeometry(channels: 2, height: 50, width: 50, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1)
        let banded = g.workItems(batch: 3, scalarSize: 8, targetBytes: 2_000, workers: 2)
        #expect(banded.count > 3)
        for workers in 1...5 {
            let groups = ConvGeometry.partition(banded, workers: workers)
            #expect(groups.first?.lowerBound == 0 && groups.last?.upperBound == banded.count)
            #expect(groups.count <= min(workers, 3))
            for (a, b) in zip(groups, groups.dropFirst()) {
                #expect(a.upperBound == b.lowerBound)
                #expect(banded[a.upperBound - 1].samples.upperBound <= banded[b.lowerBound].samples.lowerBound, "sample split at \(a)")
            }
        }
        let batched = g.workItems(batch: 10, scalarSize: 8, targetBytes: 1 << 30, workers: 4)
        #expect(batched.count >= 4, "a small batch is cut so that every worker has samples")
        #expect(ConvGeometry.partition(batched, workers: 4).count == 4)
    }
}
