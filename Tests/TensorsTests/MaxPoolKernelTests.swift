import Testing
import TestSupport
@testable import Tensors

/// The 2x2, stride-2 max pool runs CLayerKernels' vector loop; every other window runs the
/// general Swift loop. Both must keep PyTorch's rules: the first maximum of a window in
/// row-major order wins a tie, and a NaN wins (the last NaN of the window, as each candidate
/// is compared with the best so far).
@Suite("2x2 max pool kernel")
struct MaxPoolKernelTests {
    /// Window by window: the winner's flat index in the input, by the rules above.
    static func referenceWinners<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> [Int] {
        let (P, H, W) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        var winners: [Int] = []
        for p in 0..<P {
            for oh in 0..<(H / 2) {
                for ow in 0..<(W / 2) {
                    let window = [0, 1, W, W + 1].map { p * H * W + 2 * oh * W + 2 * ow + $0 }
                    var best = window[0]
                    for j in window.dropFirst() where x.scalars[j] > x.scalars[best] || x.scalars[j].isNaN { best = j }
                    winners.append(best)
                }
            }
        }
        return winners
    }

    /// Values drawn from five levels (ties in most windows), some NaN, odd sides (the last row
    /// and column fall outside every window).
    static func input<Scalar: TensorScalar>(_: Scalar.Type, shape: [Int], seed: UInt64) -> Tensor<Scalar> {
        var generator = SeededGenerator(seed: seed)
        var x = Tensor<Scalar>(zeros: shape)
        x.scalars = (0..<x.count).map { _ in
            Int.random(in: 0..<40, using: &generator) == 0 ? .nan : Scalar(Int.random(in: -2...2, using: &generator))
        }
        return x
    }

    func check<Scalar: TensorScalar>(_ type: Scalar.Type, shape: [Int], seed: UInt64) throws {
        let x = Self.input(type, shape: shape, seed: seed)
        let winners = Self.referenceWinners(x)
        let input = Variable(x, requiresGradient: true)
        let y = try input.maxPool2d(kernelSize: 2)
        #expect(y.shape == [shape[0], shape[1], shape[2] / 2, shape[3] / 2])
        let wrongOutputs = winners.indices.filter { o in
            let (got, want) = (y.value.scalars[o], x.scalars[winners[o]])
            return !(got == want || (got.isNaN && want.isNaN))
        }
        #expect(wrongOutputs.isEmpty, "\(wrongOutputs.count) of \(winners.count) outputs differ, the first at \(wrongOutputs.first ?? -1)")
        // The gradient of output o lands on its winner, and nowhere else.
        let upstream = Tensor<Scalar>(uncheckedShape: y.shape, scalars: (0..<y.value.count).map { Scalar($0 + 1) })
        try y.backward(upstream: upstream)
        var expected = [Scalar](repeating: 0, count: x.count)
        for (o, w) in winners.enumerated() { expected[w] += Scalar(o + 1) }
        let wrongGradients = expected.indices.filter { input.grad!.scalars[$0] != expected[$0] }
        #expect(wrongGradients.isEmpty, "\(wrongGradients.count) of \(expected.count) input gradients differ, the first at \(wrongGradients.first ?? -1)")
    }

    @Test("ties and NaN as the general loop, Float", arguments: [[2, 3, 8, 8], [3, 2, 7, 9], [1, 1, 2, 2], [2, 4, 33, 31]])
    func float(shape: [Int]) throws { try check(Float.self, shape: shape, seed: 5) }

    @Test("ties and NaN as the general loop, Double", arguments: [[2, 3, 8, 8], [3, 2, 7, 9], [1, 1, 2, 2], [2, 4, 33, 31]])
    func double(shape: [Int]) throws { try check(Double.self, shape: shape, seed: 6) }

    /// The general loop (any other window) is held to the same rules, on one 3x3 window.
    @Test func generalLoopKeepsTheSameRules() throws {
        // One 3x3 window: a tie between positions 1 and 4 (the first wins), then one with NaN.
        let tie = Variable(Tensor<Float>(uncheckedShape: [1, 1, 3, 3], scalars: [0, 5, 1, 2, 5, 3, 4, 0, 1]), requiresGradient: true)
        let y = try tie.maxPool2d(kernelSize: 3)
        try y.backward(upstream: Tensor(uncheckedShape: [1, 1, 1, 1], scalars: [1]))
        #expect(tie.grad!.scalars == [0, 1, 0, 0, 0, 0, 0, 0, 0])
        let nan = Variable(Tensor<Float>(uncheckedShape: [1, 1, 3, 3], scalars: [0, 5, .nan, 2, 9, 3, 4, 0, 1]))
        #expect(try nan.maxPool2d(kernelSize: 3).value.scalars[0].isNaN)
    }
}
