import Testing
import TestSupport
@testable import Tensors

/// The bf16 GEMM (``BFloat16GEMM``) against a Double reference computed from the same
/// bfloat16-rounded inputs (``naiveBFloat16GEMM``), for both C kernels: `vdpbf16ps` where
/// this CPU has AVX512-BF16 (the portable kernel elsewhere) and the portable kernel forced.
/// The tolerance is Float accumulation's, not an instruction sequence's, so the tests hold on
/// any CPU: each element within (k + 8) * eps * (|alpha| S + |beta| |c|), S = sum_p |a_ip b_pj|
/// of the rounded inputs (a sum of k products loses at most about k * eps / 2 * S; the rest
/// covers alpha's and beta's roundings), as BLASConformance allows OpenBLAS.
@Suite("bf16 GEMM")
struct BFloat16GEMMTests {
    struct Problem: CustomStringConvertible, Sendable {
        var m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float
        var description: String { "\(m)x\(n)x\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N") alpha \(alpha) beta \(beta)" }
    }

    /// Odd k, rows past a multiple of the 8-row tile, columns past the 32-column tile, a k
    /// long enough (2049) that B is packed in several panels, and every transpose.
    static let problems: [Problem] = {
        var list: [Problem] = []
        let shapes = [(1, 1, 1), (7, 13, 5), (33, 17, 65), (9, 40, 3), (5, 70, 2), (16, 32, 8), (3, 70, 2049)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let (alpha, beta): (Float, Float) = [(1, 0), (-0.75, 1.25), (0.5, 1)][(index + (ta ? 1 : 0) + (tb ? 2 : 0)) % 3]
                list.append(Problem(m: m, n: n, k: k, transposeA: ta, transposeB: tb, alpha: alpha, beta: beta))
            }
        }
        return list
    }()

    /// Stored operands with padded rows: NaN in A's and B's padding (a kernel that reads past a
    /// row's end gets NaN), a sentinel in C's (which must survive).
    struct Operands {
        var a: [Float], b: [Float], c: [Float]
        var lda: Int, ldb: Int, ldc: Int
        static let sentinel: Float = 12345

        init(_ t: Problem, seed: UInt64) {
            var g = SeededGenerator(seed: seed)
            let (aRows, aColumns) = t.transposeA ? (t.k, t.m) : (t.m, t.k), (bRows, bColumns) = t.transposeB ? (t.n, t.k) : (t.k, t.n)
            (lda, ldb, ldc) = (aColumns + 3, bColumns + 2, t.n + 5)
            func matrix(_ rows: Int, _ columns: Int, _ ld: Int, padding: Float) -> [Float] {
                var storage = [Float](repeating: padding, count: rows * ld)
                for i in 0..<rows { for j in 0..<columns { storage[i * ld + j] = Float(g.nextUnitDouble() * 4 - 2) } }
                return storage
            }
            (a, b, c) = (matrix(aRows, aColumns, lda, padding: .nan), matrix(bRows, bColumns, ldb, padding: .nan),
                         matrix(t.m, t.n, ldc, padding: Self.sentinel))
        }

        func run(_ t: Problem, kernel: BFloat16GEMM.Kernel) -> [Float] {
            var result = c
            BFloat16GEMM.gemm(transposeA: t.transposeA, transposeB: t.transposeB, m: t.m, n: t.n, k: t.k, alpha: t.alpha, a: a, lda: lda,
                              b: b, ldb: ldb, beta: t.beta, c: &result, ldc: ldc, kernel: kernel)
            return result
        }
    }

    /// Checks `result` against the reference; returns the worst |error| / tolerance.
    func check(_ result: [Float], _ t: Problem, _ o: Operands, label: String, sourceLocation: SourceLocation = #_sourceLocation) -> Double {
        let reference = naiveBFloat16GEMM(transposeA: t.transposeA, transposeB: t.transposeB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
                                          a: o.a, lda: o.lda, b: o.b, ldb: o.ldb, beta: t.beta, c: o.c, ldc: o.ldc)
        // S = sum |a b| of the rounded inputs: the same reference on absolute values.
        let magnitude = naiveBFloat16GEMM(transposeA: t.transposeA, transposeB: t.transposeB, m: t.m, n: t.n, k: t.k,
                                          a: o.a.map { $0.isNaN ? 0 : abs($0) }, lda: o.lda, b: o.b.map { $0.isNaN ? 0 : abs($0) }, ldb: o.ldb,
                                          c: [Float](repeating: 0, count: o.c.count), ldc: o.ldc)
        var worst = 0.0
        for i in 0..<t.m {
            for j in 0..<o.ldc {
                let index = i * o.ldc + j
                guard j < t.n else {
                    #expect(result[index] == Operands.sentinel, "\(label) \(t): wrote C's padding at (\(i), \(j))", sourceLocation: sourceLocation)
                    continue
                }
                let tolerance = Double(t.k + 8) * Double(Float.ulpOfOne) * (Double(abs(t.alpha)) * magnitude[index] + Double(abs(t.beta * o.c[index])))
                let error = abs(Double(result[index]) - reference[index])
                guard error <= tolerance else {
                    Issue.record("\(label) \(t): \(result[index]) at (\(i), \(j)), expected \(reference[index]) within \(tolerance)", sourceLocation: sourceLocation)
                    return .infinity
                }
                worst = max(worst, tolerance > 0 ? error / tolerance : 0)
            }
        }
        return worst
    }

    @Test("Both kernels match the Double reference on bf16-rounded inputs", arguments: problems)
    func againstReference(_ t: Problem) {
        let operands = Operands(t, seed: UInt64(t.m * 10_007 + t.n * 101 + t.k))
        let vector = operands.run(t, kernel: .automatic), portable = operands.run(t, kernel: .portable)
        _ = check(vector, t, operands, label: BFloat16GEMM.hasVectorKernel ? "vdpbf16ps" : "automatic (portable)")
        _ = check(portable, t, operands, label: "portable")
        // The same call twice gives the same bits: nothing depends on timing or memory.
        #expect(operands.run(t, kernel: .automatic) == vector)
    }

    /// The kernels agree with each other within the tolerance of either (on this project's
    /// machine they agree bit for bit; the test does not ask that of other CPUs).
    @Test func theKernelsAgree() {
        let t = Problem(m: 19, n: 45, k: 37, transposeA: false, transposeB: true, alpha: 1, beta: 0)
        let operands = Operands(t, seed: 5)
        let vector = operands.run(t, kernel: .automatic), portable = operands.run(t, kernel: .portable)
        for (x, y) in zip(vector, portable) where x != Operands.sentinel {
            #expect(abs(x - y) <= Float(t.k + 8) * Float.ulpOfOne * 2 * max(1, abs(x)), "\(x) against \(y)")
        }
    }

    /// The reference BLAS's special scalars: alpha = 0 (or k = 0) reads neither A nor B,
    /// beta = 0 never reads C; and the result is exact there.
    @Test(arguments: [BFloat16GEMM.Kernel.automatic, .portable])
    func specialScalars(_ kernel: BFloat16GEMM.Kernel) {
        let a = [Float](repeating: .nan, count: 12), b = [Float](repeating: .infinity, count: 12)
        for (alpha, k) in [(Float(0), 3), (Float(1), 0)] {
            var c: [Float] = [1, -2, 3, 4, 5, 6]
            BFloat16GEMM.gemm(m: 2, n: 3, k: k, alpha: alpha, a: a, lda: max(1, k), b: b, ldb: 3, beta: 2, c: &c, ldc: 3, kernel: kernel)
            #expect(c == [2, -4, 6, 8, 10, 12], "alpha \(alpha), k \(k)")
            c = [Float](repeating: .nan, count: 6)
            BFloat16GEMM.gemm(m: 2, n: 3, k: k, alpha: alpha, a: a, lda: max(1, k), b: b, ldb: 3, beta: 0, c: &c, ldc: 3, kernel: kernel)
            #expect(c == [0, 0, 0, 0, 0, 0], "alpha \(alpha), k \(k), beta 0")
        }
        // beta = 0 with NaN in C: the product alone.
        var c = [Float](repeating: .nan, count: 4)
        BFloat16GEMM.gemm(m: 2, n: 2, k: 1, a: [1, 2], lda: 1, b: [3, 4], ldb: 2, c: &c, ldc: 2, kernel: kernel)
        #expect(c == [3, 4, 6, 8])
    }

    /// Round to nearest, ties to even, at 8 significant bits; zeros and subnormals become a
    /// signed zero; overflow goes to infinity; NaN stays NaN.
    @Test func roundingToBFloat16() {
        let p8 = Float(1) / 256, p7 = Float(1) / 128, p6 = Float(1) / 64
        #expect(BFloat16GEMM.rounded(1) == 1)
        #expect(BFloat16GEMM.rounded(1 + p8) == 1, "a tie goes to the even neighbour, 1")
        #expect(BFloat16GEMM.rounded(1 + 3 * p8) == 1 + p6, "a tie goes to the even neighbour, 1 + 2^-6")
        #expect(BFloat16GEMM.rounded(1 + p8 + Float(1) / 1_048_576) == 1 + p7, "past the tie: up")
        #expect(BFloat16GEMM.rounded(-1 - p8) == -1)
        #expect(BFloat16GEMM.rounded(Float.greatestFiniteMagnitude) == .infinity)
        #expect(BFloat16GEMM.rounded(-.infinity) == -.infinity)
        #expect(BFloat16GEMM.rounded(.nan).isNaN)
        #expect(BFloat16GEMM.rounded(Float.leastNormalMagnitude) == Float.leastNormalMagnitude)
        let tiny = BFloat16GEMM.rounded(-Float.leastNonzeroMagnitude)
        #expect(tiny == 0 && tiny.sign == .minus, "a subnormal becomes a zero of its sign")
        var g = SeededGenerator(seed: 3)
        for _ in 0..<1000 {
            let x = Float(g.nextUnitDouble() * 2 - 1) * Float(1 << Int(g.next() % 20))
            let r = BFloat16GEMM.rounded(x)
            #expect(abs(r - x) <= abs(x) / 256, "\(x) rounds to \(r): more than 2^-8 off")
            #expect(BFloat16GEMM.rounded(r) == r, "a bfloat16 value rounds to itself")
        }
    }
}
