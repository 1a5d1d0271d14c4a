/// A plain triple-loop GEMM: the reference that faster paths are checked against.
///
/// Computes C = alpha * op(A) * op(B) + beta * C in row-major storage, with the same
/// argument convention as ``BLAS/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
/// op(A) is m x k (A is stored k x m when `transposeA`), op(B) is k x n (B is stored
/// n x k when `transposeB`), and C is m x n. Each entry is one dot product accumulated
/// in `Scalar`, in order p = 0, 1, ..., k - 1, with no blocking and no SIMD.
///
/// As in BLAS, when `beta` is zero C is not read, so it may hold NaN or garbage, and when
/// `alpha` is zero (or `k` is zero) A and B are not read: C just becomes beta * C.
///
/// - Parameters:
///   - transposeA: Whether A is stored transposed (k x m); default false.
///   - transposeB: Whether B is stored transposed (n x k); default false.
///   - m: Rows of op(A) and of C (at least 0).
///   - n: Columns of op(B) and of C (at least 0).
///   - k: Columns of op(A), rows of op(B): the length of each dot product (at least 0).
///   - alpha: Scale of the product op(A) * op(B); default 1.
///   - a: The stored A, row-major with row stride `lda`.
///   - lda: Row stride of the stored A (at least k, or m when `transposeA`).
///   - b: The stored B, row-major with row stride `ldb`.
///   - ldb: Row stride of the stored B (at least n, or k when `transposeB`).
///   - beta: Scale of the old C; default 0 (C is then overwritten without being read).
///   - c: The m x n output, row-major with row stride `ldc`, updated in place.
///   - ldc: Row stride of C (at least n).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
package func naiveGEMM<Scalar: TensorScalar>(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Scalar = 1, a: UnsafePointer<Scalar>, lda: Int,
    b: UnsafePointer<Scalar>, ldb: Int,
    beta: Scalar = 0, c: UnsafeMutablePointer<Scalar>, ldc: Int
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "naiveGEMM: negative dimension")
    if alpha == 0 {
        for i in 0..<m {
            for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
        }
        return
    }
    // Element strides: op(A)[i][p] = a[i * aI + p * aP], op(B)[p][j] = b[p * bP + j * bJ].
    let (aI, aP) = transposeA ? (1, lda) : (lda, 1)
    let (bP, bJ) = transposeB ? (1, ldb) : (ldb, 1)
    for i in 0..<m {
        for j in 0..<n {
            var sum: Scalar = 0
            var pa = a + i * aI
            var pb = b + j * bJ
            for _ in 0..<k {
                sum += pa.pointee * pb.pointee
                pa += aP
                pb += bP
            }
            let target = c + i * ldc + j
            target.pointee = beta == 0 ? alpha * sum : alpha * sum + beta * target.pointee
        }
    }
}
