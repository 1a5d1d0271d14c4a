import Testing
import TestSupport
@testable import Tensors

/// Batch norm's channel sums run in C (CLayerKernels), four samples' planes at a time, built
/// for several vector widths. Their order is fixed so that every machine gets the same bits:
/// eight partial sums per plane combined as ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)),
/// planes added in sample order. This holds them to that order, written out in Swift.
@Suite("Batch norm channel sums")
struct BatchNormSumsTests {
    /// The fixed-order sum of term(x) over one plane.
    static func planeSum<Scalar: TensorScalar>(_ p: ArraySlice<Scalar>, _ term: (Scalar) -> Scalar) -> Scalar {
        var a = [Scalar](repeating: 0, count: 8)
        let values = Array(p)
        var i = 0
        while i + 8 <= values.count {
            for j in 0..<8 { a[j] += term(values[i + j]) }
            i += 8
        }
        while i < values.count { a[0] += term(values[i]); i += 1 }
        return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
    }

    /// Channel c's sum of term(x) over the planes of x (N, C, S), in sample order.
    static func channelSum<Scalar: TensorScalar>(_ x: [Scalar], N: Int, C: Int, S: Int, c: Int, _ term: (Scalar) -> Scalar) -> Scalar {
        var total: Scalar = 0
        for n in 0..<N { total += planeSum(x[((n * C + c) * S)..<((n * C + c + 1) * S)], term) }
        return total
    }

    func check<Scalar: TensorScalar>(_: Scalar.Type, N: Int, C: Int, H: Int, W: Int, seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let S = H * W, M = Scalar(N * S)
        let x = Tensor<Scalar>(randomNormal: [N, C, H, W], using: &g)
        let gamma = Tensor<Scalar>(randomNormal: [C], using: &g), beta = Tensor<Scalar>(randomNormal: [C], using: &g)
        let input = Variable(x, requiresGradient: true), weight = Variable(gamma, requiresGradient: true)
        let bias = Variable(beta, requiresGradient: true)
        var runningMean = Tensor<Scalar>(zeros: [C]), runningVariance = Tensor<Scalar>(repeating: 1, shape: [C])
        let y = try input.batchNorm(weight: weight, bias: bias, runningMean: &runningMean, runningVariance: &runningVariance, training: true)
        let dy = Tensor<Scalar>(randomNormal: y.shape, using: &g)
        try y.backward(upstream: dy)

        for c in 0..<C {
            let mu = Self.channelSum(x.scalars, N: N, C: C, S: S, c: c) { $0 } / M
            let squares = Self.channelSum(x.scalars, N: N, C: C, S: S, c: c) { ($0 - mu) * ($0 - mu) }
            let inverseStd = 1 / (squares / M + Scalar(1e-5)).squareRoot()
            #expect(runningMean.scalars[c] == Scalar(0.9) * 0 + Scalar(0.1) * mu, "running mean of channel \(c)")
            #expect(runningVariance.scalars[c] == Scalar(0.9) * 1 + Scalar(0.1) * squares / (M - 1), "running variance of channel \(c)")
            // The gradient sums: dy over the channel, and dy * x-hat.
            var sumDy: Scalar = 0, sumDyXHat: Scalar = 0
            for n in 0..<N {
                let range = ((n * C + c) * S)..<((n * C + c + 1) * S)
                sumDy += Self.planeSum(dy.scalars[range]) { $0 }
                let products = zip(dy.scalars[range], x.scalars[range]).map { g, v in g * ((v - mu) * inverseStd) }
                sumDyXHat += Self.planeSum(products[...]) { $0 }
            }
            #expect(bias.grad!.scalars[c] == sumDy, "bias gradient of channel \(c)")
            #expect(weight.grad!.scalars[c] == sumDyXHat, "weight gradient of channel \(c)")
        }
    }

    /// Batches that are and are not multiples of four samples; planes shorter than, equal to and
    /// longer than eight, with a remainder.
    @Test("Float: the fixed order, bit for bit", arguments: [(7, 3, 3, 3), (8, 2, 4, 4), (5, 4, 1, 1), (9, 2, 5, 7)])
    func float(shape: (Int, Int, Int, Int)) throws { try check(Float.self, N: shape.0, C: shape.1, H: shape.2, W: shape.3, seed: 31) }

    @Test("Double: the fixed order, bit for bit", arguments: [(7, 3, 3, 3), (8, 2, 4, 4), (5, 4, 1, 1), (9, 2, 5, 7)])
    func double(shape: (Int, Int, Int, Int)) throws { try check(Double.self, N: shape.0, C: shape.1, H: shape.2, W: shape.3, seed: 32) }
}
