// Legend: m x n output C, k the inner dimension, kp = ceil(k / 2) pairs of it; MR x NR the
// register tile. Packed layouts (one 32-bit word holds a pair: element 2p in the low half,
// 2p + 1 in the high half, the order vdpbf16ps reads):
//   A, all of it:  (ceil(m / MR), kp, MR) words; rows past m and the element past an odd k are 0
//   B, one panel:  (ceil(cols / NR), kp, NR) words; columns past the panel's end are 0
// A panel of B holds as many NR-column slivers as fit in PANEL_BYTES (the core's L2 keeps it
// while every sliver of A passes over it); each sliver of A (MR x k) is reused across the
// panel's slivers. There is no blocking of k: each element of C is one sum over all of k, held
// in a register from start to end, so alpha and beta are applied once.
#include "bfloat16_gemm.h"
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Products of two bfloat16 values are exact in Float, so contracting a multiply and an add
// would change nothing there; but alpha * sum + beta * c must round twice in both kernels.
#pragma clang fp contract(off)

#include "vector_levels.h"

#if defined(__x86_64__) && defined(__linux__)
#define HAS_BF16_KERNEL 1
#define BF16_TARGET __attribute__((target("avx512bf16,avx512f,avx512bw,avx512vl,avx512dq")))
#else
#define HAS_BF16_KERNEL 0
#endif

#define MR 8
#define NR 32
#define PANEL_BYTES (256L * 1024L)

int bf16_gemm_has_vector_kernel(void) {
#if HAS_BF16_KERNEL
    // The loader's CPU model checks the operating system's support for the AVX-512 state too.
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") ? 1 : 0;
#else
    return 0;
#endif
}

static inline uint16_t round_to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    const uint32_t magnitude = u & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u) return (uint16_t)((u >> 16) | 0x0040u);  // NaN stays a (quiet) NaN
    if (magnitude < 0x00800000u) return (uint16_t)((u >> 16) & 0x8000u);  // zero, subnormal: signed zero
    u += 0x7FFFu + ((u >> 16) & 1u);                                         // nearest, ties to even
    return (uint16_t)(u >> 16);
}

static inline uint32_t pair(float low, float high) {
    return (uint32_t)round_to_bf16(low) | (uint32_t)round_to_bf16(high) << 16;
}

static inline float low_half(uint32_t w) {
    const uint32_t u = w << 16;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static inline float high_half(uint32_t w) {
    const uint32_t u = w & 0xFFFF0000u;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

uint16_t bf16_from_float(float x) { return round_to_bf16(x); }

float bf16_to_float(uint16_t h) { return low_half(h); }

static long round_up(long x, long to) { return (x + to - 1) / to * to; }

static long aligned(long bytes) { return round_up(bytes, 64); }

// Columns of B per packed panel: whole slivers, at least one, no more than n needs.
static long panel_columns(long n, long kp) {
    long columns = PANEL_BYTES / (kp * 4 * NR) * NR;
    if (columns < NR) columns = NR;
    if (columns > round_up(n, NR)) columns = round_up(n, NR);
    return columns;
}

long bf16_gemm_workspace_bytes(long m, long n, long k) {
    if (m <= 0 || n <= 0 || k <= 0) return 64;
    const long kp = (k + 1) / 2;
    return aligned(round_up(m, MR) * kp * 4) + aligned(panel_columns(n, kp) * kp * 4);
}

// op(A) (m x k) into (ceil(m / MR), kp, MR) words.
VECTOR_LEVELS static void pack_a(int transposed, long m, long k, const float *a, long lda, uint32_t *packed) {
    const long kp = (k + 1) / 2, pairs = k / 2;
    for (long s = 0; s < m; s += MR) {
        uint32_t *sliver = packed + s * kp;
        for (long r = 0; r < MR; r++) {
            const long i = s + r;
            if (i >= m) {
                for (long p = 0; p < kp; p++) sliver[p * MR + r] = 0;
            } else if (!transposed) {
                const float *row = a + i * lda;
                for (long p = 0; p < pairs; p++) sliver[p * MR + r] = pair(row[2 * p], row[2 * p + 1]);
                if (k % 2) sliver[pairs * MR + r] = pair(row[k - 1], 0);
            } else {
                for (long p = 0; p < pairs; p++) sliver[p * MR + r] = pair(a[2 * p * lda + i], a[(2 * p + 1) * lda + i]);
                if (k % 2) sliver[pairs * MR + r] = pair(a[(k - 1) * lda + i], 0);
            }
        }
    }
}

// Columns first..<first + columns of op(B) (k x n) into (ceil(columns / NR), kp, NR) words.
VECTOR_LEVELS static void pack_b(int transposed, long k, long first, long columns, const float *b, long ldb, uint32_t *packed) {
    const long kp = (k + 1) / 2, pairs = k / 2;
    for (long s = 0; s < columns; s += NR) {
        uint32_t *sliver = packed + s * kp;
        const long width = columns - s < NR ? columns - s : NR;
        const long j0 = first + s;
        if (!transposed) {
            for (long p = 0; p < kp; p++) {
                const float *even = b + 2 * p * ldb + j0, *odd = even + ldb;
                uint32_t *target = sliver + p * NR;
                if (p < pairs && width == NR) {
                    for (long j = 0; j < NR; j++) target[j] = pair(even[j], odd[j]);
                } else {
                    for (long j = 0; j < NR; j++) target[j] = j < width ? pair(even[j], p < pairs ? odd[j] : 0) : 0;
                }
            }
        } else {
            for (long j = 0; j < NR; j++) {
                if (j >= width) {
                    for (long p = 0; p < kp; p++) sliver[p * NR + j] = 0;
                    continue;
                }
                const float *row = b + (j0 + j) * ldb;
                for (long p = 0; p < pairs; p++) sliver[p * NR + j] = pair(row[2 * p], row[2 * p + 1]);
                if (k % 2) sliver[pairs * NR + j] = pair(row[k - 1], 0);
            }
        }
    }
}

// One MR x NR tile of C from an A sliver and a B sliver, in plain C: the sums of vdpbf16ps,
// added in its order (product 2p + 1, then 2p), then t = alpha * sum, t + beta * c.
static inline __attribute__((always_inline)) void tile_portable(long kp, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                                                                long rows, long columns, float alpha, float beta) {
    float sum[MR][NR];
    for (int r = 0; r < MR; r++)
        for (int j = 0; j < NR; j++) sum[r][j] = 0;
    for (long p = 0; p < kp; p++) {
        float low[NR], high[NR];
        for (int j = 0; j < NR; j++) {
            low[j] = low_half(b[p * NR + j]);
            high[j] = high_half(b[p * NR + j]);
        }
        for (int r = 0; r < MR; r++) {
            const float al = low_half(a[p * MR + r]), ah = high_half(a[p * MR + r]);
            for (int j = 0; j < NR; j++) {
                float s = sum[r][j] + ah * high[j];
                sum[r][j] = s + al * low[j];
            }
        }
    }
    for (long r = 0; r < rows; r++) {
        float *target = c + r * ldc;
        for (long j = 0; j < columns; j++) {
            const float t = alpha * sum[r][j];
            target[j] = beta == 0 ? t : t + beta * target[j];
        }
    }
}

// The loop over one panel's tiles (MR x NR, the last ones partial), for each tile kernel. A
// macro, because each copy needs its kernel's target attribute to inline that kernel.
#define DEFINE_TILES(attributes, name, tile)                                                                       \
    attributes static void name(long m, long columns, long kp, const uint32_t *packed_a, const uint32_t *packed_b, \
                                float *c, long ldc, float alpha, float beta) {                                     \
        for (long i = 0; i < m; i += MR) {                                                                         \
            const long rows = m - i < MR ? m - i : MR;                                                             \
            for (long j = 0; j < columns; j += NR) {                                                               \
                const long width = columns - j < NR ? columns - j : NR;                                            \
                tile(kp, packed_a + i * kp, packed_b + j * kp, c + i * ldc + j, ldc, rows, width, alpha, beta);   \
            }                                                                                                      \
        }                                                                                                          \
    }

DEFINE_TILES(VECTOR_LEVELS, tiles_portable, tile_portable)

#if HAS_BF16_KERNEL
// The same tile with vdpbf16ps: 16 accumulators (MR rows x two vectors of 16 columns), each
// step two loads of B and MR broadcasts of a pair of A.
BF16_TARGET static inline __attribute__((always_inline)) void tile_vector(long kp, const uint32_t *a, const uint32_t *b, float *c, long ldc,
                                                                          long rows, long columns, float alpha, float beta) {
    __m512 sum[MR][2];
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
        sum[r][0] = _mm512_setzero_ps();
        sum[r][1] = _mm512_setzero_ps();
    }
    for (long p = 0; p < kp; p++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + p * NR), b1 = (__m512bh)_mm512_loadu_si512(b + p * NR + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < MR; r++) {
            const __m512bh ar = (__m512bh)_mm512_set1_epi32((int)a[p * MR + r]);
            sum[r][0] = _mm512_dpbf16_ps(sum[r][0], ar, b0);
            sum[r][1] = _mm512_dpbf16_ps(sum[r][1], ar, b1);
        }
    }
    const __mmask16 mask0 = columns >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << columns) - 1);
    const __mmask16 mask1 = columns >= 32 ? (__mmask16)0xFFFF : columns <= 16 ? (__mmask16)0 : (__mmask16)((1u << (columns - 16)) - 1);
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma clang loop unroll(full)
    for (int r = 0; r < MR; r++) {
        if (r >= rows) break;
        float *target = c + r * ldc;
        __m512 t0 = _mm512_mul_ps(va, sum[r][0]), t1 = _mm512_mul_ps(va, sum[r][1]);
        if (beta != 0) {
            t0 = _mm512_add_ps(t0, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(mask0, target)));
            t1 = _mm512_add_ps(t1, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(mask1, target + 16)));
        }
        _mm512_mask_storeu_ps(target, mask0, t0);
        _mm512_mask_storeu_ps(target + 16, mask1, t1);
    }
}

DEFINE_TILES(BF16_TARGET, tiles_vector, tile_vector)
#endif

void bf16_gemm(int transpose_a, int transpose_b, long m, long n, long k,
               float alpha, const float *a, long lda, const float *b, long ldb,
               float beta, float *c, long ldc, void *workspace, int kernel) {
    if (m <= 0 || n <= 0) return;
    if (alpha == 0 || k <= 0) {
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++) c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j];
        return;
    }
    int vector = 0;
#if HAS_BF16_KERNEL
    // Every thread that finds it unset computes the same value.
    static int available = -1;
    int known = __atomic_load_n(&available, __ATOMIC_RELAXED);
    if (known < 0) {
        known = bf16_gemm_has_vector_kernel();
        __atomic_store_n(&available, known, __ATOMIC_RELAXED);
    }
    vector = kernel != BF16_GEMM_PORTABLE && known;
#else
    (void)kernel;
#endif
    const long kp = (k + 1) / 2, panel = panel_columns(n, kp);
    uint32_t *packed_a = (uint32_t *)workspace;
    uint32_t *packed_b = (uint32_t *)((char *)workspace + aligned(round_up(m, MR) * kp * 4));
    pack_a(transpose_a, m, k, a, lda, packed_a);
    for (long first = 0; first < n; first += panel) {
        const long columns = n - first < panel ? n - first : panel;
        pack_b(transpose_b, k, first, columns, b, ldb, packed_b);
#if HAS_BF16_KERNEL
        if (vector) {
            tiles_vector(m, columns, kp, packed_a, packed_b, c + first, ldc, alpha, beta);
            continue;
        }
#endif
        tiles_portable(m, columns, kp, packed_a, packed_b, c + first, ldc, alpha, beta);
    }
}
