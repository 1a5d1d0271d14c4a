import Testing
@testable import Tensors

// The three GEMM paths (naive reference, cache-blocked Swift, OpenBLAS) must agree on
// every transpose combination, on odd and non-square shapes, on shapes that span more
// than one cache block in each dimension, with padded leading dimensions and with
// alpha and beta other than 1 and 0.
//
// Tolerance. Each path sums the same k products a_ip * b_pj in its own order (blocked
// splits the sum into blocks of KC and applies alpha per block; OpenBLAS may use FMA).
// The standard bound for a floating-point sum of k products (Higham, Accuracy and
// Stability of Numerical Algorithms, section 3.1) is
//     |computed - exact| <= gamma_k * sum_p |a_ip| |b_pj|,  gamma_k = k u / (1 - k u),
// with u = eps / 2; scaling by alpha, adding beta * c and the per-block combination add a
// few more roundings, each at most u * (|alpha| S + |beta| |c|) where S = sum_p |a_ip||b_pj|.
// Two results each within that bound of the exact value differ by at most twice it, so
//     |x - naive| <= (k + 8) * eps * (|alpha| S + |beta| |c_ij|)
// holds for every entry (k u doubled is k eps; 8 eps covers the extra roundings with room).
// For Float this grows like k * eps * |a||b|, as expected. The bound is still tight enough
// to catch indexing mistakes: a wrong or missing term changes an entry by about S / k,
// far above (k + 8) * eps * S for the k used here (k * (k + 8) * eps < 0.01).

/// One GEMM problem: shape, transposes, extra leading-dimension padding, scalars.
struct GEMMCase: Sendable, CustomTestStringConvertible {
    var m: Int, n: Int, k: Int
    var transposeA: Bool, transposeB: Bool
    /// Added to each leading dimension beyond the stored row length.
    var pad: Int
    var alpha: Double, beta: Double

    var testDescription: String {
        "\(m)x\(n)x\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N") ld+\(pad) alpha \(alpha) beta \(beta)"
    }

    /// Shapes: tiny, odd, more than one micro-tile, more than one MC/KC block (m > 120,
    /// k > 256), more than one NC block for both scalars (n > 4096), and an empty inner
    /// dimension.
    static let shapes = [(1, 1, 1), (7, 13, 5), (33, 17, 65), (125, 20, 270), (5, 4099, 2), (9, 11, 0)]

    static let all: [GEMMCase] = shapes.flatMap { m, n, k in
        [(false, false), (true, false), (false, true), (true, true)].flatMap { ta, tb in
            [GEMMCase(m: m, n: n, k: k, transposeA: ta, transposeB: tb, pad: 0, alpha: 1, beta: 0),
             GEMMCase(m: m, n: n, k: k, transposeA: ta, transposeB: tb, pad: 3, alpha: -0.75, beta: 1.25),
             GEMMCase(m: m, n: n, k: k, transposeA: ta, transposeB: tb, pad: 5, alpha: 0.5, beta: 0)]
        }
    }
}

/// A row-major matrix of uniform values in [-1, 1) stored with leading dimension `ld`;
/// the entries past each row's end hold `padding`.
func seededMatrix<Scalar: TensorScalar>(rows: Int, columns: Int, ld: Int, padding: Scalar,
                                        using rng: inout SeededGenerator) -> [Scalar] {
    var storage = [Scalar](repeating: padding, count: max(1, rows * ld))
    for i in 0..<rows {
        for j in 0..<columns { storage[i * ld + j] = Scalar(rng.nextUnitDouble() * 2 - 1) }
    }
    return storage
}

/// Runs naive, blocked and OpenBLAS GEMM on one problem and checks that they agree.
func checkGEMMPaths<Scalar: TensorScalar>(_ t: GEMMCase, as _: Scalar.Type) {
    let (m, n, k) = (t.m, t.n, t.k)
    var rng = SeededGenerator(seed: UInt64(m * 1_000_003 + n * 1_009 + k * 31 + t.pad * 7
                                           + (t.transposeA ? 2 : 0) + (t.transposeB ? 1 : 0)))
    let (aRows, aColumns) = t.transposeA ? (k, m) : (m, k)
    let (bRows, bColumns) = t.transposeB ? (n, k) : (k, n)
    let lda = max(1, aColumns) + t.pad, ldb = max(1, bColumns) + t.pad, ldc = max(1, n) + t.pad
    // NaN in the padding of A and B: reading past a row's end would poison the result.
    let a: [Scalar] = seededMatrix(rows: aRows, columns: aColumns, ld: lda, padding: .nan, using: &rng)
    let b: [Scalar] = seededMatrix(rows: bRows, columns: bColumns, ld: ldb, padding: .nan, using: &rng)
    // A sentinel in the padding of C must survive. With beta == 0, C starts as NaN: BLAS
    // semantics say it is not read.
    let sentinel: Scalar = 12345
    var initial: [Scalar] = seededMatrix(rows: m, columns: n, ld: ldc, padding: sentinel, using: &rng)
    if t.beta == 0 {
        for i in 0..<m { for j in 0..<n { initial[i * ldc + j] = .nan } }
    }
    let alpha = Scalar(t.alpha), beta = Scalar(t.beta)

    typealias Path = (name: String, run: (UnsafeMutablePointer<Scalar>) -> Void)
    let paths: [Path] = [
        ("naive", { c in naiveGEMM(transposeA: t.transposeA, transposeB: t.transposeB, m: m, n: n, k: k,
                                   alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc) }),
        ("blocked", { c in blockedGEMM(transposeA: t.transposeA, transposeB: t.transposeB, m: m, n: n, k: k,
                                       alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc) }),
        ("OpenBLAS", { c in BLAS.gemm(transposeA: t.transposeA, transposeB: t.transposeB, m: m, n: n, k: k,
                                      alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc) }),
    ]
    let results: [[Scalar]] = paths.map { path in
        var c = initial
        c.withUnsafeMutableBufferPointer { path.run($0.baseAddress!) }
        return c
    }

    // S_ij = sum_p |a_ip| |b_pj| in Double, for the per-entry tolerance.
    let absA = a.map { $0.isNaN ? 0 : Double(abs($0)) }, absB = b.map { $0.isNaN ? 0 : Double(abs($0)) }
    var magnitude = [Double](repeating: 0, count: max(1, m * ldc))
    naiveGEMM(transposeA: t.transposeA, transposeB: t.transposeB, m: m, n: n, k: k,
              a: absA, lda: lda, b: absB, ldb: ldb, c: &magnitude, ldc: ldc)

    let eps = Double(Scalar.ulpOfOne)
    let reference = results[0]
    for (path, result) in zip(paths, results) {
        var worst = 0.0, worstEntry = "", paddingChanged = 0, nonFinite = 0
        for i in 0..<m {
            for j in 0..<ldc {
                let x = result[i * ldc + j]
                if j >= n {
                    if x != sentinel { paddingChanged += 1 }
                    continue
                }
                guard x.isFinite else { nonFinite += 1; continue }
                let old = t.beta == 0 ? 0 : abs(Double(initial[i * ldc + j]))
                let tolerance = Double(k + 8) * eps * (abs(t.alpha) * magnitude[i * ldc + j] + abs(t.beta) * old)
                let error = abs(Double(x) - Double(reference[i * ldc + j]))
                // Ratio of error to tolerance; a zero tolerance allows only an exact match.
                let ratio = tolerance > 0 ? error / tolerance : (error == 0 ? 0 : .infinity)
                if ratio > worst { worst = ratio; worstEntry = "(\(i), \(j)): \(x) vs \(reference[i * ldc + j])" }
            }
        }
        #expect(nonFinite == 0, "\(path.name): \(nonFinite) non-finite entries")
        #expect(paddingChanged == 0, "\(path.name): wrote \(paddingChanged) entries of C's padding")
        #expect(worst <= 1, "\(path.name): error \(worst) x tolerance at \(worstEntry)")
    }
}

@Suite("GEMM kernels")
struct GEMMKernelTests {
    @Test("Float: blocked and OpenBLAS agree with naive", arguments: GEMMCase.all)
    func floatPathsAgree(_ t: GEMMCase) {
        checkGEMMPaths(t, as: Float.self)
    }

    @Test("Double: blocked and OpenBLAS agree with naive", arguments: GEMMCase.all)
    func doublePathsAgree(_ t: GEMMCase) {
        checkGEMMPaths(t, as: Double.self)
    }

    /// A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]]: A * B = [[58, 64], [139, 154]].
    /// Each transpose flag reads the same logical matrices from transposed storage.
    @Test("naive matches a product worked by hand", arguments: [(false, false), (true, false), (false, true), (true, true)])
    func naiveByHand(_ flags: (Bool, Bool)) {
        let (ta, tb) = flags
        let a: [Double] = ta ? [1, 4, 2, 5, 3, 6] : [1, 2, 3, 4, 5, 6]
        let b: [Double] = tb ? [7, 9, 11, 8, 10, 12] : [7, 8, 9, 10, 11, 12]
        var c: [Double] = [1, 1, 1, 1]
        naiveGEMM(transposeA: ta, transposeB: tb, m: 2, n: 2, k: 3, alpha: 2, a: a, lda: ta ? 2 : 3,
                  b: b, ldb: tb ? 3 : 2, beta: -1, c: &c, ldc: 2)
        #expect(c == [115, 127, 277, 307])
        var blocked: [Double] = [1, 1, 1, 1]
        blockedGEMM(transposeA: ta, transposeB: tb, m: 2, n: 2, k: 3, alpha: 2, a: a, lda: ta ? 2 : 3,
                    b: b, ldb: tb ? 3 : 2, beta: -1, c: &blocked, ldc: 2)
        #expect(blocked == [115, 127, 277, 307])
    }

    @Test("alpha = 0 only scales C by beta and reads neither A nor B, for every path")
    func alphaZero() {
        let a: [Float] = [.nan, 1], b: [Float] = [2, .infinity]
        var naive: [Float] = [3, 4], blocked: [Float] = [3, 4], openBLAS: [Float] = [3, 4]
        naiveGEMM(m: 1, n: 2, k: 1, alpha: 0, a: a, lda: 1, b: b, ldb: 2, beta: 2, c: &naive, ldc: 2)
        blockedGEMM(m: 1, n: 2, k: 1, alpha: 0, a: a, lda: 1, b: b, ldb: 2, beta: 2, c: &blocked, ldc: 2)
        BLAS.gemm(m: 1, n: 2, k: 1, alpha: 0, a: a, lda: 1, b: b, ldb: 2, beta: 2, c: &openBLAS, ldc: 2)
        #expect(naive == [6, 8])
        #expect(blocked == [6, 8])
        #expect(openBLAS == [6, 8])
    }

    @Test("beta = 0 never reads C and k = 0 scales C by beta, for every path")
    func betaZeroAndEmptyInner() {
        let a: [Float] = [1, 2], b: [Float] = [3, 4]
        var naive: [Float] = [.nan, .nan, .nan, .nan], blocked = naive, openBLAS = naive
        naiveGEMM(m: 2, n: 2, k: 1, a: a, lda: 1, b: b, ldb: 2, beta: 0, c: &naive, ldc: 2)
        blockedGEMM(m: 2, n: 2, k: 1, a: a, lda: 1, b: b, ldb: 2, beta: 0, c: &blocked, ldc: 2)
        BLAS.gemm(m: 2, n: 2, k: 1, a: a, lda: 1, b: b, ldb: 2, beta: 0, c: &openBLAS, ldc: 2)
        #expect(naive == [3, 4, 6, 8])
        #expect(blocked == [3, 4, 6, 8])
        #expect(openBLAS == [3, 4, 6, 8])
        var empty: [Float] = [1, 2]
        BLAS.gemm(m: 1, n: 2, k: 0, alpha: 1, a: a, lda: 1, b: b, ldb: 2, beta: 3, c: &empty, ldc: 2)
        #expect(empty == [3, 6])
    }

    @Test("the conformance check passes on the core this process loaded")
    func conformanceOnLoadedCore() {
        let report = BLASConformance.run()
        #expect(report.casesRun > 200)
        #expect(report.passed, "core \(report.core): \(report.failures.prefix(5))")
    }
}
