import Testing
import TestSupport
@testable import Tensors

/// The mixed-precision option (``ComputePrecision``) on whole convolutions: forward and both
/// gradients under bf16 against the Float path, what it leaves alone (Double, the direct
/// loops, the bias gradient), and `FER_PRECISION`.
///
/// Tolerance of bf16 against Float, per element: each product a * b reads a(1 + d1) b(1 + d2)
/// with |d1|, |d2| <= 2^-8 (rounding to 8 significant bits: half a unit in the last place,
/// 2^-7, of a value in [1, 2)), so it is off by at most (2^-7 + 2^-16) |a b|; the element, a sum of such products, by at most that times
/// S = sum |a b|, plus Float rounding on both sides (under (k + 8) eps S each; k <= 200 here:
/// 5e-5 S). S is the same convolution run on |x|, |w| and |dY|.
@Suite("Compute precision")
struct ComputePrecisionTests {
    static let tolerance = 1.0 / 128 + 1.0 / 65_536 + 5e-5

    struct Outputs { var y: Tensor<Float>, dx: Tensor<Float>, dw: Tensor<Float>, db: Tensor<Float> }

    /// A convolution (or transposed one), forward and backward, with fixed data.
    struct Case: CustomStringConvertible, Sendable {
        var transposed = false, channels = 5, outputChannels = 6, kernel = 3, stride = 1, padding = 1, height = 9, width = 7
        var algorithm = ConvolutionAlgorithm.im2col
        var description: String {
            "\(transposed ? "convTranspose2d" : "conv2d") \(channels)->\(outputChannels) \(kernel)x\(kernel) s\(stride) p\(padding) @\(height)x\(width) \(algorithm)"
        }

        func inputs<S: TensorScalar>(_: S.Type) -> (x: Tensor<S>, w: Tensor<S>, b: Tensor<S>, seed: UInt64) {
            var g = SeededGenerator(seed: UInt64(channels * 100 + kernel * 10 + stride))
            let wShape = transposed ? [channels, outputChannels, kernel, kernel] : [outputChannels, channels, kernel, kernel]
            return (Tensor(randomNormal: [3, channels, height, width], using: &g), Tensor(randomNormal: wShape, using: &g),
                    Tensor(randomNormal: [outputChannels], using: &g), 77)
        }

        /// Forward under the current precision; backward inside `backward` (default: the same).
        func run<S: TensorScalar>(x: Tensor<S>, w: Tensor<S>, b: Tensor<S>, upstream: (([Int]) -> Tensor<S>),
                                  backward: (() throws -> Void) throws -> Void = { try $0() }) throws
            -> (y: Tensor<S>, dx: Tensor<S>, dw: Tensor<S>, db: Tensor<S>) {
            let xv = Variable(x, requiresGradient: true), wv = Variable(w, requiresGradient: true), bv = Variable(b, requiresGradient: true)
            let y = transposed
                ? try xv.convTranspose2d(weight: wv, bias: bv, stride: stride, padding: padding, outputPadding: stride - 1, workspace: ConvolutionWorkspace())
                : try xv.conv2d(weight: wv, bias: bv, stride: stride, padding: padding, workspace: ConvolutionWorkspace(), algorithm: algorithm)
            let dy = upstream(y.shape)
            try backward { try y.backward(upstream: dy) }
            return (y.value, xv.grad!, wv.grad!, bv.grad!)
        }

        func run(_ precision: ComputePrecision) throws -> Outputs {
            let (x, w, b, seed) = inputs(Float.self)
            let r = try ComputePrecision.$override.withValue(precision) {
                try run(x: x, w: w, b: b, upstream: { var g = SeededGenerator(seed: seed); return Tensor(randomNormal: $0, using: &g) })
            }
            return Outputs(y: r.y, dx: r.dx, dw: r.dw, db: r.db)
        }

        /// S for every output and gradient: the Float path on absolute values.
        func magnitudes() throws -> Outputs {
            let (x, w, b, seed) = inputs(Float.self)
            func absolute(_ t: Tensor<Float>) -> Tensor<Float> { try! Tensor(shape: t.shape, scalars: t.scalars.map { abs($0) }) }
            let r = try ComputePrecision.$override.withValue(.float32) {
                try run(x: absolute(x), w: absolute(w), b: Tensor(zeros: b.shape), upstream: {
                    var g = SeededGenerator(seed: seed); return absolute(Tensor(randomNormal: $0, using: &g))
                })
            }
            return Outputs(y: r.y, dx: r.dx, dw: r.dw, db: r.db)
        }
    }

    static let cases: [Case] = [
        Case(),                                                    // stride 1: dX by the flipped weight's im2col product
        Case(kernel: 5, padding: 2, height: 8, width: 11),
        Case(stride: 2, padding: 1),                               // stride 2: dX by W^T dY and col2im
        Case(channels: 7, outputChannels: 9, kernel: 1, padding: 0), // 1x1: the image is its own column matrix
        Case(transposed: true, stride: 2, height: 5, width: 4),
        Case(algorithm: .winograd),                                // Winograd's weight gradient is an im2col product
    ]

    @Test("bf16 against Float within the rounding of the inputs", arguments: cases)
    func againstFloat(_ c: Case) throws {
        let float = try c.run(.float32), bf16 = try c.run(.bfloat16), s = try c.magnitudes()
        var changed = false
        for (name, tested, reference, magnitude) in [("y", bf16.y, float.y, s.y), ("dX", bf16.dx, float.dx, s.dx), ("dW", bf16.dw, float.dw, s.dw)] {
            for i in 0..<tested.count {
                let error = abs(Double(tested.scalars[i]) - Double(reference.scalars[i]))
                #expect(error <= Self.tolerance * Double(magnitude.scalars[i]) + 1e-6,
                        "\(c) \(name)[\(i)]: bf16 \(tested.scalars[i]), Float \(reference.scalars[i]), S \(magnitude.scalars[i])")
                changed = changed || error > 0
            }
        }
        // Under bf16 the products did change (the setting was not ignored); the bias gradient,
        // a plain sum of dY, did not.
        let winogradOutput = c.algorithm == .winograd
        #expect(changed, "\(c): bf16 gave Float's results bit for bit")
        #expect(bf16.db.scalars == float.db.scalars)
        if winogradOutput {
            // Winograd's output and input gradient stay Float; only dW went through bf16.
            #expect(bf16.y.scalars == float.y.scalars && bf16.dx.scalars == float.dx.scalars)
        }
    }

    /// The direct loops stay Float, as do Double tensors.
    @Test func whatBFloat16LeavesAlone() throws {
        let direct = Case(algorithm: .direct)
        let float = try direct.run(.float32), bf16 = try direct.run(.bfloat16)
        #expect(float.y.scalars == bf16.y.scalars && float.dx.scalars == bf16.dx.scalars && float.dw.scalars == bf16.dw.scalars)

        let c = Case()
        let (x, w, b, seed) = c.inputs(Double.self)
        func run(_ precision: ComputePrecision) throws -> (y: Tensor<Double>, dx: Tensor<Double>, dw: Tensor<Double>, db: Tensor<Double>) {
            try ComputePrecision.$override.withValue(precision) {
                try c.run(x: x, w: w, b: b, upstream: { var g = SeededGenerator(seed: seed); return Tensor(randomNormal: $0, using: &g) })
            }
        }
        let d32 = try run(.float32), d16 = try run(.bfloat16)
        #expect(d32.y.scalars == d16.y.scalars && d32.dx.scalars == d16.dx.scalars && d32.dw.scalars == d16.dw.scalars)
        #expect(ComputePrecision.$override.withValue(.bfloat16) { ComputePrecision.current(for: Double.self) } == .float32)
    }

    /// The precision is read when the convolution runs forward: a backward pass run outside
    /// the block keeps it.
    @Test func theBackwardPassKeepsTheForwardPrecision() throws {
        let c = Case()
        let (x, w, b, seed) = c.inputs(Float.self)
        let upstream: ([Int]) -> Tensor<Float> = { var g = SeededGenerator(seed: seed); return Tensor(randomNormal: $0, using: &g) }
        let inside = try ComputePrecision.$override.withValue(.bfloat16) { try c.run(x: x, w: w, b: b, upstream: upstream) }
        let split = try ComputePrecision.$override.withValue(.bfloat16) {
            try c.run(x: x, w: w, b: b, upstream: upstream, backward: { body in
                try ComputePrecision.$override.withValue(.float32) { try body() }
            })
        }
        #expect(inside.dx.scalars == split.dx.scalars && inside.dw.scalars == split.dw.scalars)
    }

    @Test func environmentVariable() throws {
        #expect(try ComputePrecision.environmentValue([:]) == nil)
        #expect(try ComputePrecision.environmentValue(["FER_PRECISION": ""]) == nil)
        #expect(try ComputePrecision.environmentValue(["FER_PRECISION": "bf16"]) == .bfloat16)
        #expect(try ComputePrecision.environmentValue(["FER_PRECISION": "float32"]) == .float32)
        #expect(ComputePrecision.names == "float32, bf16")
        #expect {
            try ComputePrecision.environmentValue(["FER_PRECISION": "fp16"])
        } throws: { error in
            guard case TensorError.invalidArgument(let op, let message) = error else { return false }
            return op == "FER_PRECISION" && message.contains("float32, bf16") && message.contains("'fp16'")
        }
    }
}
