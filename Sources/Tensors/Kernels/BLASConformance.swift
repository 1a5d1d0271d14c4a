/// Checks that ``BLAS/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
/// keeps its contract with the OpenBLAS kernels loaded in this process: every transpose,
/// odd shapes, padded leading dimensions, and the reference-BLAS meaning of the special
/// scalars (alpha = 0 reads neither A nor B; beta = 0 never reads C).
///
/// OpenBLAS picks its kernels once, when it loads, so a check covers one core per process;
/// the tests run it in a child process for every core the CPU supports
/// (`OPENBLAS_CORETYPE`), and the `blas-check` program runs it on demand.
///
/// Tolerance: each entry may differ from the plain loop (`naiveGEMM`) by
/// (k + 8) * eps * (|alpha| S + |beta| |c|), S = sum_p |a_ip b_pj| (Higham's bound for a sum
/// of k products, doubled, with room for the scaling roundings); special-scalar cases must
/// match exactly.
public enum BLASConformance {
    /// One failed case: what was computed and why it is wrong.
    public struct Failure: Sendable, CustomStringConvertible {
        public let scalar: String
        public let problem: String
        public let detail: String
        public var description: String { "\(scalar) \(problem): \(detail)" }
    }

    /// The outcome for the loaded core.
    public struct Report: Sendable {
        public let core: String
        public let casesRun: Int
        public let failures: [Failure]
        public var passed: Bool { failures.isEmpty }
    }

    /// Runs every case in Float and in Double.
    public static func run() -> Report {
        var failures: [Failure] = []
        var count = 0
        for problem in problems {
            count += 2
            failures += check(problem, as: Float.self)
            failures += check(problem, as: Double.self)
        }
        return Report(core: BLAS.coreName, casesRun: count, failures: failures)
    }

    struct Problem: CustomStringConvertible {
        var m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, pad: Int
        var alpha: Double, beta: Double
        /// NaN in A and B (alpha = 0 must not read them) or in C (beta = 0 must not read it).
        var poisonInputs = false
        var description: String {
            "\(m)x\(n)x\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N") ld+\(pad) alpha \(alpha) beta \(beta)\(poisonInputs ? " NaN inputs" : "")"
        }
    }

    static let problems: [Problem] = {
        var list: [Problem] = []
        let shapes = [(1, 1, 1), (7, 13, 5), (33, 17, 65), (64, 96, 150), (5, 300, 2), (9, 11, 0)]
        for (m, n, k) in shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                for (alpha, beta) in [(1.0, 0.0), (-0.75, 1.25), (0.5, 1.0), (0.0, 2.0), (0.0, 0.0)] {
                    list.append(Problem(m: m, n: n, k: k, transposeA: ta, transposeB: tb, pad: 3, alpha: alpha, beta: beta,
                                        poisonInputs: alpha == 0))
                }
            }
        }
        return list
    }()

    static func check<Scalar: TensorScalar>(_ t: Problem, as _: Scalar.Type) -> [Failure] {
        let (m, n, k) = (t.m, t.n, t.k)
        var rng = SeededGenerator(seed: UInt64(m * 1_000_003 + n * 1_009 + k * 31) &+ (t.transposeA ? 2 : 0) &+ (t.transposeB ? 1 : 0))
        let (aRows, aColumns) = t.transposeA ? (k, m) : (m, k)
        let (bRows, bColumns) = t.transposeB ? (n, k) : (k, n)
        let lda = max(1, aColumns) + t.pad, ldb = max(1, bColumns) + t.pad, ldc = max(1, n) + t.pad
        func matrix(_ rows: Int, _ columns: Int, _ ld: Int, padding: Scalar, fill: Scalar? = nil) -> [Scalar] {
            var storage = [Scalar](repeating: padding, count: max(1, rows * ld))
            for i in 0..<rows { for j in 0..<columns { storage[i * ld + j] = fill ?? Scalar(rng.nextUnitDouble() * 2 - 1) } }
            return storage
        }
        let poisonAB = t.poisonInputs && t.alpha == 0
        // NaN in the padding of A and B: reading past a row's end would poison the result.
        let a = matrix(aRows, aColumns, lda, padding: .nan, fill: poisonAB ? .nan : nil)
        let b = matrix(bRows, bColumns, ldb, padding: .nan, fill: poisonAB ? .infinity : nil)
        // A sentinel in C's padding must survive; with beta = 0, C starts as NaN.
        let sentinel: Scalar = 12345
        var initial = matrix(m, n, ldc, padding: sentinel)
        if t.beta == 0 { for i in 0..<m { for j in 0..<n { initial[i * ldc + j] = .nan } } }
        let alpha = Scalar(t.alpha), beta = Scalar(t.beta)

        var result = initial
        BLAS.gemm(transposeA: t.transposeA, transposeB: t.transposeB, m: m, n: n, k: k,
                  alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &result, ldc: ldc)
        var reference = initial
        naiveGEMM(transposeA: t.transposeA, transposeB: t.transposeB, m: m, n: n, k: k,
                  alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &reference, ldc: ldc)
        let absA = a.map { $0.isFinite ? Double(abs($0)) : 0 }, absB = b.map { $0.isFinite ? Double(abs($0)) : 0 }
        var magnitude = [Double](repeating: 0, count: max(1, m * ldc))
        naiveGEMM(transposeA: t.transposeA, transposeB: t.transposeB, m: m, n: n, k: k,
                  a: absA, lda: lda, b: absB, ldb: ldb, c: &magnitude, ldc: ldc)

        let eps = Double(Scalar.ulpOfOne)
        var failures: [Failure] = []
        func fail(_ detail: String) {
            failures.append(Failure(scalar: "\(Scalar.self)", problem: t.description, detail: detail))
        }
        for i in 0..<m {
            for j in 0..<ldc {
                let x = result[i * ldc + j]
                if j >= n {
                    if x != sentinel { fail("wrote C's padding at (\(i), \(j))"); return failures }
                    continue
                }
                let expected = reference[i * ldc + j]
                guard x.isFinite else { fail("\(x) at (\(i), \(j)), expected \(expected)"); return failures }
                let old = t.beta == 0 ? 0 : abs(Double(initial[i * ldc + j]))
                let special = t.alpha == 0 || k == 0
                let tolerance = special ? 0 : Double(k + 8) * eps * (abs(t.alpha) * magnitude[i * ldc + j] + abs(t.beta) * old)
                if abs(Double(x) - Double(expected)) > tolerance {
                    fail("\(x) at (\(i), \(j)), expected \(expected) within \(tolerance)")
                    return failures
                }
            }
        }
        return failures
    }
}
