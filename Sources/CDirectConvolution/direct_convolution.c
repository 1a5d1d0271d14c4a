#include "direct_convolution.h"

#if defined(__x86_64__) && defined(__linux__)
#define VECTOR_LEVELS __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VECTOR_LEVELS
#endif

// Rows here are short (8 to 112 columns). Left alone, the vectoriser unrolls 16-wide vectors
// four times and the whole row falls to the scalar remainder; 8 lanes, once, keep it vector.
#if defined(__clang__)
#define SHORT_ROW_LOOP _Pragma("clang loop vectorize_width(8) interleave_count(1)")
#else
#define SHORT_ROW_LOOP
#endif

static inline long max_long(long a, long b) { return a > b ? a : b; }
static inline long min_long(long a, long b) { return a < b ? a : b; }

// One body per scalar type. Output columns j read input columns j + kw - P: for each kernel
// column the valid j form one contiguous range, the loop the compiler vectorises.
#define DEFINE_FORWARD(NAME, T)                                                                    \
    VECTOR_LEVELS void NAME(const T *x, const T *w, T *y, long first, long end,                  \
                            long C, long H, long W, long O, long K, long P) {                     \
        const long OH = H + 2 * P - K + 1, OW = W + 2 * P - K + 1;                                 \
        for (long n = first; n < end; n++) {                                                       \
            for (long o = 0; o < O; o++) {                                                         \
                for (long i = 0; i < OH; i++) {                                                    \
                    T *restrict row = y + ((n * O + o) * OH + i) * OW;                             \
                    for (long j = 0; j < OW; j++) row[j] = 0;                                      \
                    for (long c = 0; c < C; c++) {                                                 \
                        const T *plane = x + (n * C + c) * H * W;                                  \
                        const T *kernel = w + (o * C + c) * K * K;                                 \
                        for (long kh = 0; kh < K; kh++) {                                          \
                            const long ih = i + kh - P;                                            \
                            if (ih < 0 || ih >= H) continue;                                       \
                            const T *restrict source = plane + ih * W - P;                         \
                            const T *taps = kernel + kh * K;                                       \
                            /* Columns whose every tap is inside the row: 3 and 5 taps at once. */ \
                            const long inLo = min_long(OW, P), inHi = max_long(inLo, min_long(OW, W + P - K + 1)); \
                            if (K == 5) {                                                          \
                                const T t0 = taps[0], t1 = taps[1], t2 = taps[2], t3 = taps[3], t4 = taps[4]; \
                                SHORT_ROW_LOOP                                                     \
                                for (long j = inLo; j < inHi; j++)                                 \
                                    row[j] += t0 * source[j] + t1 * source[j + 1] + t2 * source[j + 2] \
                                            + t3 * source[j + 3] + t4 * source[j + 4];             \
                            } else if (K == 3) {                                                   \
                                const T t0 = taps[0], t1 = taps[1], t2 = taps[2];                  \
                                SHORT_ROW_LOOP                                                     \
                                for (long j = inLo; j < inHi; j++)                                 \
                                    row[j] += t0 * source[j] + t1 * source[j + 1] + t2 * source[j + 2]; \
                            } else {                                                               \
                                for (long kw = 0; kw < K; kw++) {                                  \
                                    const T t = taps[kw];                                          \
                                    const T *restrict shifted = source + kw;                       \
                                    SHORT_ROW_LOOP                                                 \
                                    for (long j = inLo; j < inHi; j++) row[j] += t * shifted[j];   \
                                }                                                                  \
                            }                                                                      \
                            /* The edge columns, tap by tap inside the row. */                     \
                            for (long j = 0; j < OW; j++) {                                        \
                                if (j == inLo) j = inHi;                                           \
                                if (j >= OW) break;                                                \
                                T sum = 0;                                                         \
                                for (long kw = 0; kw < K; kw++) {                                  \
                                    const long column = j + kw - P;                                \
                                    if (column >= 0 && column < W) sum += taps[kw] * source[j + kw]; \
                                }                                                                  \
                                row[j] += sum;                                                     \
                            }                                                                      \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

#define DEFINE_WEIGHT_GRADIENT(NAME, T)                                                            \
    VECTOR_LEVELS void NAME(const T *x, const T *dy, T *dw, T *partial, long firstO, long endO,  \
                            long N, long C, long H, long W, long O, long K, long P) {             \
        const long OH = H + 2 * P - K + 1, OW = W + 2 * P - K + 1;                                 \
        const long width = OW > 0 ? OW : 1;                                                        \
        for (long o = firstO; o < endO; o++) {                                                     \
            for (long c = 0; c < C; c++) {                                                         \
                for (long e = 0; e < K * K * width; e++) partial[e] = 0;                           \
                for (long n = 0; n < N; n++) {                                                     \
                    for (long kh = 0; kh < K; kh++) {                                              \
                        const long iFirst = max_long(0, P - kh), iEnd = min_long(OH, H + P - kh);  \
                        for (long i = iFirst; i < iEnd; i++) {                                     \
                            const T *restrict g = dy + ((n * O + o) * OH + i) * OW;                \
                            const T *source = x + ((n * C + c) * H + i + kh - P) * W;              \
                            for (long kw = 0; kw < K; kw++) {                                      \
                                const long lo = max_long(0, P - kw), hi = min_long(OW, W + P - kw); \
                                const T *restrict shifted = source + kw - P;                       \
                                T *restrict target = partial + (kh * K + kw) * width;              \
                                SHORT_ROW_LOOP                                                     \
                                for (long j = lo; j < hi; j++) target[j] += g[j] * shifted[j];     \
                            }                                                                      \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
                for (long kh = 0; kh < K; kh++) {                                                  \
                    for (long kw = 0; kw < K; kw++) {                                              \
                        const T *row = partial + (kh * K + kw) * width;                            \
                        T sum = 0;                                                                 \
                        for (long j = 0; j < OW; j++) sum += row[j];                               \
                        dw[((o * C + c) * K + kh) * K + kw] = sum;                                 \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

DEFINE_FORWARD(direct_convolution_forward_f32, float)
DEFINE_FORWARD(direct_convolution_forward_f64, double)
DEFINE_WEIGHT_GRADIENT(direct_convolution_weight_gradient_f32, float)
DEFINE_WEIGHT_GRADIENT(direct_convolution_weight_gradient_f64, double)
