// A GEMM whose inputs are rounded to bfloat16 and whose sums are Float:
//
//   C = alpha * op(A) * op(B) + beta * C     (row-major; op(A) m x k, op(B) k x n, C m x n)
//
// the mixed-precision path of the convolutions (ComputePrecision in Tensors). Every element of
// op(A) and op(B) is rounded to bfloat16 (8 significant bits: round to nearest, ties to even;
// zeros and subnormals become a signed zero, as AVX512-BF16 reads them; NaN stays NaN); each
// product of two bfloat16 values is exact in Float, and the products are added in Float.
//
// Two kernels share one packed layout and one order of operations:
// - vectorised: AVX512-BF16's vdpbf16ps (16 Float sums, each adding two products per
//   instruction), compiled with a target attribute and used only where the CPU has it;
// - portable: plain C (compiled with target_clones for AVX-512, AVX2 and the baseline) that
//   adds the same products in the same order, for every other CPU.
// Each sum runs over k in order, the pair (2p, 2p + 1) added as vdpbf16ps adds it (product
// 2p + 1 first, then 2p, each addition rounded to Float), then alpha and beta are applied with
// separate roundings. The two kernels therefore agree bit for bit unless a sum falls below
// Float's normal range (vdpbf16ps flushes such results to zero).
//
// Special scalars mean what the reference BLAS defines: alpha = 0 or k = 0 reads neither A
// nor B (C becomes beta * C); beta = 0 never reads C.
#ifndef BFLOAT16_GEMM_H
#define BFLOAT16_GEMM_H

#include <stdint.h>

// Which kernel runs.
enum {
    BF16_GEMM_AUTOMATIC = 0,  // vectorised where the CPU has AVX512-BF16, portable elsewhere
    BF16_GEMM_PORTABLE = 1    // portable everywhere (the tests compare the two)
};

// 1 when this CPU (and its operating system) runs AVX512-BF16 instructions.
int bf16_gemm_has_vector_kernel(void);

// The bfloat16 a Float rounds to, as its 16 bits, and back to Float (exact).
uint16_t bf16_from_float(float x);
float bf16_to_float(uint16_t h);

// Bytes of scratch bf16_gemm needs for these sizes (the packed operands; 64-byte aligned).
long bf16_gemm_workspace_bytes(long m, long n, long k);

// C = alpha * op(A) * op(B) + beta * C as described above. op(A) = A (m x k, row stride lda)
// or, when transpose_a is not 0, A stored k x m; likewise op(B) = B (k x n, stride ldb) or B
// stored n x k. `workspace` holds bf16_gemm_workspace_bytes(m, n, k) bytes, 64-byte aligned.
void bf16_gemm(int transpose_a, int transpose_b, long m, long n, long k,
               float alpha, const float *a, long lda, const float *b, long ldb,
               float beta, float *c, long ldc, void *workspace, int kernel);

#endif
