#include "batch_norm.h"

// The Swift loops these replace do not fuse multiply and add; neither may the AVX2 and AVX-512
// variants here, or they would round differently from the baseline one.
#pragma STDC FP_CONTRACT OFF

#include "vector_levels.h"

#define LANES 8
#define COMBINE(a) (((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])))
// Planes are taken four at a time, each with its own eight partial sums: one plane's sums form
// dependency chains one vector add long per step, and four independent planes keep the adders
// busy. Each plane's sum is still combined on its own and added to the total in sample order.
#define PLANES 4

// result = the sum over channel c's planes of TERM(element), in the order described above.
#define CHANNEL_SUM(T, x, N, C, S, c, TERM, result)                                                \
    do {                                                                                           \
        long n = 0;                                                                                \
        for (; n + PLANES <= N; n += PLANES) {                                                     \
            const T *p0 = x + (n * C + c) * S, *p1 = p0 + C * S, *p2 = p1 + C * S, *p3 = p2 + C * S; \
            T a0[LANES] = {0}, a1[LANES] = {0}, a2[LANES] = {0}, a3[LANES] = {0};                  \
            long i = 0;                                                                            \
            for (; i + LANES <= S; i += LANES)                                                     \
                for (int j = 0; j < LANES; j++) {                                                  \
                    a0[j] += TERM(p0[i + j]); a1[j] += TERM(p1[i + j]);                            \
                    a2[j] += TERM(p2[i + j]); a3[j] += TERM(p3[i + j]);                            \
                }                                                                                  \
            for (; i < S; i++) {                                                                   \
                a0[0] += TERM(p0[i]); a1[0] += TERM(p1[i]); a2[0] += TERM(p2[i]); a3[0] += TERM(p3[i]); \
            }                                                                                      \
            result += COMBINE(a0); result += COMBINE(a1); result += COMBINE(a2); result += COMBINE(a3); \
        }                                                                                          \
        for (; n < N; n++) {                                                                       \
            const T *p = x + (n * C + c) * S;                                                      \
            T a[LANES] = {0};                                                                      \
            long i = 0;                                                                            \
            for (; i + LANES <= S; i += LANES)                                                     \
                for (int j = 0; j < LANES; j++) a[j] += TERM(p[i + j]);                            \
            for (; i < S; i++) a[0] += TERM(p[i]);                                                 \
            result += COMBINE(a);                                                                  \
        }                                                                                          \
    } while (0)

#define VALUE(v) (v)
// (v - mu) twice: the compiler computes it once, and the product is the square of one rounding.
#define SQUARED_DEVIATION(v) (((v) - mu) * ((v) - mu))

#define DEFINE_STATISTICS(NAME, T)                                                                 \
    VECTOR_LEVELS void NAME(const T *x, long N, long C, long S, long c, T *mean, T *squares) {     \
        T sum = 0;                                                                                 \
        CHANNEL_SUM(T, x, N, C, S, c, VALUE, sum);                                                 \
        const T mu = sum / (T)(N * S);                                                             \
        T total = 0;                                                                               \
        CHANNEL_SUM(T, x, N, C, S, c, SQUARED_DEVIATION, total);                                   \
        *mean = mu;                                                                                \
        *squares = total;                                                                          \
    }

#define DEFINE_GRADIENT_SUMS(NAME, T)                                                              \
    VECTOR_LEVELS void NAME(const T *dy, const T *x, long N, long C, long S, long c,               \
                            T mean, T inverse_std, T *sum_dy, T *sum_dy_xhat) {                    \
        T total = 0, dot = 0;                                                                      \
        long n = 0;                                                                                \
        for (; n + PLANES <= N; n += PLANES) {                                                     \
            const long o = (n * C + c) * S, step = C * S;                                          \
            const T *g0 = dy + o, *g1 = g0 + step, *g2 = g1 + step, *g3 = g2 + step;               \
            const T *p0 = x + o, *p1 = p0 + step, *p2 = p1 + step, *p3 = p2 + step;                \
            T s0[LANES] = {0}, s1[LANES] = {0}, s2[LANES] = {0}, s3[LANES] = {0};                  \
            T d0[LANES] = {0}, d1[LANES] = {0}, d2[LANES] = {0}, d3[LANES] = {0};                  \
            long i = 0;                                                                            \
            for (; i + LANES <= S; i += LANES)                                                     \
                for (int j = 0; j < LANES; j++) {                                                  \
                    s0[j] += g0[i + j]; d0[j] += g0[i + j] * ((p0[i + j] - mean) * inverse_std);   \
                    s1[j] += g1[i + j]; d1[j] += g1[i + j] * ((p1[i + j] - mean) * inverse_std);   \
                    s2[j] += g2[i + j]; d2[j] += g2[i + j] * ((p2[i + j] - mean) * inverse_std);   \
                    s3[j] += g3[i + j]; d3[j] += g3[i + j] * ((p3[i + j] - mean) * inverse_std);   \
                }                                                                                  \
            for (; i < S; i++) {                                                                   \
                s0[0] += g0[i]; d0[0] += g0[i] * ((p0[i] - mean) * inverse_std);                   \
                s1[0] += g1[i]; d1[0] += g1[i] * ((p1[i] - mean) * inverse_std);                   \
                s2[0] += g2[i]; d2[0] += g2[i] * ((p2[i] - mean) * inverse_std);                   \
                s3[0] += g3[i]; d3[0] += g3[i] * ((p3[i] - mean) * inverse_std);                   \
            }                                                                                      \
            total += COMBINE(s0); dot += COMBINE(d0);                                              \
            total += COMBINE(s1); dot += COMBINE(d1);                                              \
            total += COMBINE(s2); dot += COMBINE(d2);                                              \
            total += COMBINE(s3); dot += COMBINE(d3);                                              \
        }                                                                                          \
        for (; n < N; n++) {                                                                       \
            const T *g = dy + (n * C + c) * S, *p = x + (n * C + c) * S;                           \
            T s[LANES] = {0}, d[LANES] = {0};                                                      \
            long i = 0;                                                                            \
            for (; i + LANES <= S; i += LANES)                                                     \
                for (int j = 0; j < LANES; j++) {                                                  \
                    s[j] += g[i + j];                                                              \
                    d[j] += g[i + j] * ((p[i + j] - mean) * inverse_std);                          \
                }                                                                                  \
            for (; i < S; i++) {                                                                   \
                s[0] += g[i];                                                                      \
                d[0] += g[i] * ((p[i] - mean) * inverse_std);                                      \
            }                                                                                      \
            total += COMBINE(s);                                                                   \
            dot += COMBINE(d);                                                                     \
        }                                                                                          \
        *sum_dy = total;                                                                           \
        *sum_dy_xhat = dot;                                                                        \
    }

DEFINE_STATISTICS(batch_norm_statistics_f32, float)
DEFINE_STATISTICS(batch_norm_statistics_f64, double)
DEFINE_GRADIENT_SUMS(batch_norm_gradient_sums_f32, float)
DEFINE_GRADIENT_SUMS(batch_norm_gradient_sums_f64, double)
