import BenchmarkSupport
import Tensors

/// A 64-byte aligned buffer of floats (the same alignment the C reference uses).
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = max(1, count)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: self.count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: self.count)
        pointer.initialize(repeating: 0, count: self.count)
    }

    /// Uniform values in [-1, 1) from a seeded generator.
    convenience init(count: Int, seed: UInt64) {
        self.init(count: count)
        var rng = SeededGenerator(seed: seed)
        for i in 0..<count { pointer[i] = Float(rng.nextUnitDouble() * 2 - 1) }
    }

    deinit { pointer.deallocate() }
}

/// The three paths, each computing C = op(A) * B with alpha 1, beta 0.
enum GEMMPath: String, CaseIterable {
    case naive, blocked, openBLAS = "OpenBLAS"

    func run(_ shape: GEMMShape, a: FloatBuffer, b: FloatBuffer, c: FloatBuffer) {
        let lda = shape.transposeA ? shape.m : shape.k
        switch self {
        case .naive:
            naiveGEMM(transposeA: shape.transposeA, m: shape.m, n: shape.n, k: shape.k,
                      a: a.pointer, lda: lda, b: b.pointer, ldb: shape.n, c: c.pointer, ldc: shape.n)
        case .blocked:
            blockedGEMM(transposeA: shape.transposeA, m: shape.m, n: shape.n, k: shape.k,
                        a: a.pointer, lda: lda, b: b.pointer, ldb: shape.n, c: c.pointer, ldc: shape.n)
        case .openBLAS:
            BLAS.gemm(transposeA: shape.transposeA, m: shape.m, n: shape.n, k: shape.k,
                      a: a.pointer, lda: lda, b: b.pointer, ldb: shape.n, c: c.pointer, ldc: shape.n)
        }
    }
}



/// What the correctness check compared against, and how badly the worst entry did.
struct CheckResult {
    /// Largest |error| / tolerance over the checked entries; at most 1 passes.
    var worstRatio: Double
    var worstEntry: String
    var passed: Bool { worstRatio <= 1 }
}

/// The reference a path's output is checked against.
///
/// Full: every entry against the naive Float result. Both are Float sums of the same k
/// products, each within gamma_k * S_ij of the exact value, S_ij = sum_p |a_ip| |b_pj|; so
/// they differ by at most about k * eps * S_ij (see Tests/TensorsTests/GEMMKernelTests.swift).
/// Computing S_ij exactly would cost another naive GEMM, so the check uses the
/// Cauchy-Schwarz bound S_ij <= |row i of op(A)|_2 * |column j of B|_2 instead:
/// tolerance (k + 8) * eps * |a_i| |b_j|.
///
/// Sampled: entries at seeded random positions, computed in Double (exact for all
/// practical purposes), with S_ij exact: tolerance (k + 8) * eps * S_ij.
enum Reference {
    case full(naive: FloatBuffer, rowNorms: [Double], columnNorms: [Double])
    case sampled([(i: Int, j: Int, value: Double, magnitude: Double)])

    var label: String {
        switch self {
        case .full: "full vs naive"
        case .sampled(let entries): "\(entries.count) sampled entries vs Double"
        }
    }

    /// op(A)[i][p] for the stored A.
    @inline(__always)
    static func elementA(_ shape: GEMMShape, _ a: FloatBuffer, _ i: Int, _ p: Int) -> Double {
        Double(shape.transposeA ? a.pointer[p * shape.m + i] : a.pointer[i * shape.k + p])
    }

    static func full(_ shape: GEMMShape, a: FloatBuffer, b: FloatBuffer, naive: FloatBuffer) -> Reference {
        var rowNorms = [Double](repeating: 0, count: shape.m)
        for i in 0..<shape.m {
            var sum = 0.0
            for p in 0..<shape.k { let x = elementA(shape, a, i, p); sum += x * x }
            rowNorms[i] = sum.squareRoot()
        }
        var columnSquares = [Double](repeating: 0, count: shape.n)
        for p in 0..<shape.k {
            let row = b.pointer + p * shape.n
            for j in 0..<shape.n { let x = Double(row[j]); columnSquares[j] += x * x }
        }
        return .full(naive: naive, rowNorms: rowNorms, columnNorms: columnSquares.map { $0.squareRoot() })
    }

    static func sampled(_ shape: GEMMShape, a: FloatBuffer, b: FloatBuffer, count: Int, seed: UInt64) -> Reference {
        var rng = SeededGenerator(seed: seed)
        var entries: [(i: Int, j: Int, value: Double, magnitude: Double)] = []
        // Always include the four corners, where edge handling goes wrong first.
        var positions = [(0, 0), (0, shape.n - 1), (shape.m - 1, 0), (shape.m - 1, shape.n - 1)]
        for _ in 0..<max(0, count - positions.count) {
            positions.append((Int(rng.next() % UInt64(shape.m)), Int(rng.next() % UInt64(shape.n))))
        }
        for (i, j) in positions {
            var value = 0.0, magnitude = 0.0
            for p in 0..<shape.k {
                let term = elementA(shape, a, i, p) * Double(b.pointer[p * shape.n + j])
                value += term
                magnitude += abs(term)
            }
            entries.append((i, j, value, magnitude))
        }
        return .sampled(entries)
    }

    func check(_ shape: GEMMShape, result c: FloatBuffer) -> CheckResult {
        let scale = Double(shape.k + 8) * Double(Float.ulpOfOne)
        var worst = 0.0, worstEntry = "none"
        func record(_ i: Int, _ j: Int, _ x: Float, _ expected: Double, _ tolerance: Double) {
            let error = Double(x) - expected
            let ratio: Double
            if !x.isFinite || error.isNaN {
                ratio = .infinity
            } else {
                ratio = tolerance > 0 ? abs(error) / tolerance : (error == 0 ? 0 : .infinity)
            }
            if ratio > worst {
                worst = ratio
                worstEntry = "(\(i), \(j)): got \(x), expected \(expected)"
            }
        }
        switch self {
        case .full(let naive, let rowNorms, let columnNorms):
            for i in 0..<shape.m {
                for j in 0..<shape.n {
                    let index = i * shape.n + j
                    record(i, j, c.pointer[index], Double(naive.pointer[index]), scale * rowNorms[i] * columnNorms[j])
                }
            }
        case .sampled(let entries):
            for entry in entries {
                record(entry.i, entry.j, c.pointer[entry.i * shape.n + entry.j], entry.value, scale * entry.magnitude)
            }
        }
        return CheckResult(worstRatio: worst, worstEntry: worstEntry)
    }
}
