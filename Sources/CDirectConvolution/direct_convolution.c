#include "direct_convolution.h"
#include "vector_levels.h"
#include <string.h>

// Outputs are computed 32 flat positions at a time (two AVX-512 vectors, four AVX2 ones)
// whatever the row width, and the forward loop takes 4 output channels at once: 8 independent
// sums, enough to keep both multiply-add units busy through each one's 4-cycle latency.
#define CHUNK 32
#define OUTPUT_BLOCK 4

long direct_convolution_plane_stride(long H, long W, long K, long P) {
    const long Hp = H + 2 * P, Wp = W + 2 * P;
    // Reads reach (K - 1) * Wp + (K - 1) past the last chunk's start, rounded up to a chunk.
    return Hp * Wp + K + CHUNK;
}

// Each element of a padded plane is written once: the zeros between rows and at both ends,
// then the rows (a memset of the whole plane followed by the copies wrote the image twice:
// 2% of a demo-sized step).
#define DEFINE_PAD(NAME, T)                                                                        \
    void NAME(const T *x, T *padded, long planes, long H, long W, long K, long P) {                \
        const long Wp = W + 2 * P, stride = direct_convolution_plane_stride(H, W, K, P);           \
        for (long p = 0; p < planes; p++) {                                                        \
            T *target = padded + p * stride;                                                       \
            /* the top P rows and the first row's left padding */                                  \
            memset(target, 0, (size_t)(P * Wp + P) * sizeof(T));                                   \
            for (long i = 0; i < H; i++) {                                                         \
                T *row = target + (i + P) * Wp + P;                                                \
                memcpy(row, x + (p * H + i) * W, (size_t)W * sizeof(T));                           \
                /* this row's right padding and the next row's left padding */                     \
                if (i + 1 < H) memset(row + W, 0, (size_t)(2 * P) * sizeof(T));                    \
            }                                                                                      \
            /* the last row's right padding, the bottom P rows and the zeros past the plane */     \
            const long end = (H - 1 + P) * Wp + P + W;                                             \
            memset(target + end, 0, (size_t)(stride - end) * sizeof(T));                           \
        }                                                                                          \
    }

// As the pad: each element written once, the rows of dY and the zeros after each.
#define DEFINE_SPREAD(NAME, T)                                                                     \
    void NAME(const T *dy, T *spread, long planes, long H, long W, long K, long P) {               \
        const long Wp = W + 2 * P, OH = H + 2 * P - K + 1, OW = Wp - K + 1;                        \
        const long stride = direct_convolution_plane_stride(H, W, K, P);                           \
        for (long p = 0; p < planes; p++) {                                                        \
            T *target = spread + p * stride;                                                       \
            for (long i = 0; i < OH; i++) {                                                        \
                memcpy(target + i * Wp, dy + (p * OH + i) * OW, (size_t)OW * sizeof(T));           \
                if (i + 1 < OH) memset(target + i * Wp + OW, 0, (size_t)(Wp - OW) * sizeof(T));    \
            }                                                                                      \
            const long end = OH > 0 ? (OH - 1) * Wp + OW : 0;                                      \
            memset(target + end, 0, (size_t)(stride - end) * sizeof(T));                           \
        }                                                                                          \
    }

// For each block of output channels, 32 flat positions at a time: the sums over c, kh, kw
// stay in vector registers, each tap a broadcast multiply-add of 32 neighbouring padded elements.
#define DEFINE_FORWARD(NAME, T)                                                                    \
    VECTOR_LEVELS void NAME(const T *padded, const T *w, T *y, T *row,                             \
                            long C, long H, long W, long O, long K, long P) {                      \
        const long Wp = W + 2 * P, OH = H + 2 * P - K + 1, OW = Wp - K + 1;                        \
        const long stride = direct_convolution_plane_stride(H, W, K, P), flat = OH * Wp;           \
        const long taps = C * K * K;                                                               \
        for (long o0 = 0; o0 < O; o0 += OUTPUT_BLOCK) {                                            \
            const long block = O - o0 < OUTPUT_BLOCK ? O - o0 : OUTPUT_BLOCK;                      \
            for (long q = 0; q < flat; q += CHUNK) {                                               \
                T sum[OUTPUT_BLOCK][CHUNK] = {{0}};                                                \
                for (long c = 0; c < C; c++) {                                                     \
                    for (long kh = 0; kh < K; kh++) {                                              \
                        const T *source = padded + c * stride + kh * Wp + q;                       \
                        const T *kernel = w + o0 * taps + (c * K + kh) * K;                        \
                        for (long kw = 0; kw < K; kw++) {                                          \
                            if (block == OUTPUT_BLOCK) {                                           \
                                const T t0 = kernel[kw], t1 = kernel[taps + kw];                   \
                                const T t2 = kernel[2 * taps + kw], t3 = kernel[3 * taps + kw];    \
                                for (int l = 0; l < CHUNK; l++) {                                  \
                                    const T v = source[kw + l];                                    \
                                    sum[0][l] += t0 * v; sum[1][l] += t1 * v;                      \
                                    sum[2][l] += t2 * v; sum[3][l] += t3 * v;                      \
                                }                                                                  \
                            } else {                                                               \
                                for (long b = 0; b < block; b++) {                                 \
                                    const T t = kernel[b * taps + kw];                             \
                                    for (int l = 0; l < CHUNK; l++) sum[b][l] += t * source[kw + l]; \
                                }                                                                  \
                            }                                                                      \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
                for (long b = 0; b < block; b++)                                                   \
                    for (int l = 0; l < CHUNK; l++) row[b * stride + q + l] = sum[b][l];           \
            }                                                                                      \
            for (long b = 0; b < block; b++) {                                                     \
                T *out = y + (o0 + b) * OH * OW;                                                   \
                for (long i = 0; i < OH; i++)                                                      \
                    memcpy(out + i * OW, row + b * stride + i * Wp, (size_t)OW * sizeof(T));       \
            }                                                                                      \
        }                                                                                          \
    }

// Otherwise, per (o, c, kh): the K taps of a kernel row share each 32-element chunk of dY;
// each tap keeps 32 partial sums (dY is zero at the thrown-away columns, so they add nothing), added up once.
#define MAX_TAPS 16
#define TAP_LOOP(TAPS)                                                                             \
    {                                                                                              \
        for (long q = 0; q < flat; q += CHUNK) {                                                   \
            for (long kw = 0; kw < (TAPS); kw++)                                                   \
                for (int l = 0; l < CHUNK; l++) lanes[kw][l] += g[q + l] * source[q + kw + l];     \
        }                                                                                          \
    }
// With 3 or 5 taps and 4 output channels left, the 4 channels share each load of the input:
// 4 x taps sums of 16 lanes in registers, each chunk loading 4 rows of dY and `taps` shifted
// input rows for 4 x taps multiply-adds.
#define BLOCK_LANES 16
#define BLOCK_LOOP(T, TAPS)                                                                        \
    {                                                                                              \
        T sums[OUTPUT_BLOCK][TAPS][BLOCK_LANES] = {{{0}}};                                         \
        for (long n = 0; n < N; n++) {                                                             \
            const T *g = dy + (n * O + o) * stride;                                                \
            const T *source = padded + (n * C + c) * stride + kh * Wp;                             \
            for (long q = 0; q < flat; q += BLOCK_LANES) {                                         \
                for (long kw = 0; kw < (TAPS); kw++)                                               \
                    for (int l = 0; l < BLOCK_LANES; l++) {                                        \
                        const T v = source[q + kw + l];                                            \
                        sums[0][kw][l] += g[q + l] * v;                                            \
                        sums[1][kw][l] += g[stride + q + l] * v;                                   \
                        sums[2][kw][l] += g[2 * stride + q + l] * v;                               \
                        sums[3][kw][l] += g[3 * stride + q + l] * v;                               \
                    }                                                                              \
            }                                                                                      \
        }                                                                                          \
        for (long b = 0; b < OUTPUT_BLOCK; b++)                                                    \
            for (long kw = 0; kw < (TAPS); kw++) {                                                 \
                T total = 0;                                                                       \
                for (int l = 0; l < BLOCK_LANES; l++) total += sums[b][kw][l];                     \
                T *target = dw + (((o + b) * C + c) * K + kh) * K + kw;                            \
                *target = accumulate ? *target + total : total;                                    \
            }                                                                                      \
    }

#define DEFINE_WEIGHT_GRADIENT(NAME, T)                                                            \
    VECTOR_LEVELS void NAME(const T *padded, const T *dy, T *dw, long accumulate,                  \
                            long N, long C, long H, long W, long O, long K, long P) {              \
        const long Wp = W + 2 * P, OH = H + 2 * P - K + 1;                                         \
        const long stride = direct_convolution_plane_stride(H, W, K, P), flat = OH * Wp;           \
        long o = 0;                                                                                \
        for (; (K == 5 || K == 3) && O - o >= OUTPUT_BLOCK; o += OUTPUT_BLOCK)                     \
            for (long c = 0; c < C; c++)                                                           \
                for (long kh = 0; kh < K; kh++) {                                                  \
                    if (K == 5) BLOCK_LOOP(T, 5)                                                   \
                    else BLOCK_LOOP(T, 3)                                                          \
                }                                                                                  \
        for (; o < O; o++) {                                                                       \
            for (long c = 0; c < C; c++) {                                                         \
                for (long kh = 0; kh < K; kh++) {                                                  \
                    for (long kw0 = 0; kw0 < K; kw0 += MAX_TAPS) {                                 \
                        const long taps = K - kw0 < MAX_TAPS ? K - kw0 : MAX_TAPS;                 \
                        T lanes[MAX_TAPS][CHUNK] = {{0}};                                          \
                        for (long n = 0; n < N; n++) {                                             \
                            const T *g = dy + (n * O + o) * stride;                                \
                            const T *source = padded + (n * C + c) * stride + kh * Wp + kw0;       \
                            TAP_LOOP(taps)                                                         \
                        }                                                                          \
                        for (long kw = 0; kw < taps; kw++) {                                       \
                            T total = 0;                                                           \
                            for (int l = 0; l < CHUNK; l++) total += lanes[kw][l];                 \
                            T *target = dw + ((o * C + c) * K + kh) * K + kw0 + kw;                \
                            *target = accumulate ? *target + total : total;                        \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

DEFINE_PAD(direct_convolution_pad_f32, float)
DEFINE_PAD(direct_convolution_pad_f64, double)
DEFINE_SPREAD(direct_convolution_spread_f32, float)
DEFINE_SPREAD(direct_convolution_spread_f64, double)
DEFINE_FORWARD(direct_convolution_forward_f32, float)
DEFINE_FORWARD(direct_convolution_forward_f64, double)
DEFINE_WEIGHT_GRADIENT(direct_convolution_weight_gradient_f32, float)
DEFINE_WEIGHT_GRADIENT(direct_convolution_weight_gradient_f64, double)
