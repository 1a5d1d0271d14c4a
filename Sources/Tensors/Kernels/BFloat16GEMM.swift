import CBFloat16GEMM

/// The matrix product of the mixed-precision option (``ComputePrecision/bfloat16``): inputs
/// rounded to bfloat16, products summed in Float.
///
/// C = alpha * op(A) * op(B) + beta * C, row-major, with the argument convention of
/// ``BLAS/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``. Every element of
/// op(A) and op(B) is rounded to bfloat16 (8 significant bits, round to nearest, ties to even;
/// magnitudes below Float's normal range, 1.2e-38, become zero), each product of two bfloat16
/// values is exact in Float, and the k products of an element are added in Float, in order.
/// Against the exact product of the rounded inputs, an element is off by at most about
/// k * 2^-24 * sum_p |a_ip b_pj|; against the Float inputs, each input adds up to 2^-8 of
/// relative error.
///
/// The C kernel (`Sources/CBFloat16GEMM`) runs AVX512-BF16's `vdpbf16ps` where the CPU has it
/// and, elsewhere, portable C that adds the same products in the same order: on this project's
/// machine the two agree bit for bit. Single-threaded: the convolutions call it from each worker.
/// Debian's OpenBLAS 0.3.21 declares `cblas_sbgemm` but does not export it, hence this kernel.
public enum BFloat16GEMM {
    /// Which C kernel runs (the tests compare them on any machine).
    package enum Kernel: Sendable, CaseIterable {
        /// `vdpbf16ps` where the CPU has AVX512-BF16, the portable kernel elsewhere.
        case automatic
        /// The portable kernel, even where `vdpbf16ps` is available.
        case portable
    }

    /// Whether this CPU runs the `vdpbf16ps` kernel (AVX512-BF16); elsewhere the portable
    /// kernel gives the same results, more slowly.
    public static let hasVectorKernel: Bool = bf16_gemm_has_vector_kernel() != 0

    /// A Float rounded to bfloat16 and back (exact in Float): what the product reads.
    public static func rounded(_ x: Float) -> Float { bf16_to_float(bf16_from_float(x)) }

    /// C = alpha * op(A) * op(B) + beta * C from bfloat16-rounded A and B (see the type).
    /// alpha = 0 or k = 0 reads neither A nor B; beta = 0 never reads C.
    public static func gemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
             b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, kernel: .automatic)
    }

    /// The same with a chosen kernel.
    package static func gemm(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, kernel: Kernel
    ) {
        guard m > 0, n > 0 else { return }
        // The packed operands: a few hundred kilobytes for a convolution's product. Freed
        // buffers of this size stay in the heap (AllocatorPolicy), so the next call reuses them.
        let bytes = bf16_gemm_workspace_bytes(m, n, k)
        let workspace = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        defer { workspace.deallocate() }
        bf16_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workspace,
                  Int32(kernel == .portable ? BF16_GEMM_PORTABLE : BF16_GEMM_AUTOMATIC))
    }
}

/// The reference for ``BFloat16GEMM``: the inputs rounded to bfloat16 as it rounds them, then
/// a plain triple loop in Double (``naiveGEMM(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``),
/// written to C in Double: what the kernel computes, without its Float rounding.
package func naiveBFloat16GEMM(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: [Float], ldc: Int
) -> [Double] {
    // The stored matrices' extents: the last row ends at its last column, not at ld.
    let (aRows, aColumns) = transposeA ? (k, m) : (m, k), (bRows, bColumns) = transposeB ? (n, k) : (k, n)
    let roundedA = (0..<max(0, (aRows - 1) * lda + aColumns)).map { Double(BFloat16GEMM.rounded(a[$0])) }
    let roundedB = (0..<max(0, (bRows - 1) * ldb + bColumns)).map { Double(BFloat16GEMM.rounded(b[$0])) }
    var result = c.map(Double.init)
    naiveGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: Double(alpha), a: roundedA, lda: lda,
              b: roundedB, ldb: ldb, beta: Double(beta), c: &result, ldc: ldc)
    return result
}
