#include "batch_norm.h"

// The Swift loops these replace do not fuse multiply and add; neither may the AVX2 and AVX-512
// variants here, or they would round differently from the baseline one.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && defined(__linux__)
#define VECTOR_LEVELS __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VECTOR_LEVELS
#endif

#define LANES 8
#define COMBINE(a) (((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])))

#define DEFINE_STATISTICS(NAME, T)                                                                 \
    VECTOR_LEVELS void NAME(const T *x, long N, long C, long S, long c, T *mean, T *squares) {     \
        T sum = 0;                                                                                 \
        for (long n = 0; n < N; n++) {                                                             \
            const T *p = x + (n * C + c) * S;                                                      \
            T a[LANES] = {0};                                                                      \
            long i = 0;                                                                            \
            for (; i + LANES <= S; i += LANES)                                                     \
                for (int j = 0; j < LANES; j++) a[j] += p[i + j];                                  \
            for (; i < S; i++) a[0] += p[i];                                                       \
            sum += COMBINE(a);                                                                     \
        }                                                                                          \
        const T mu = sum / (T)(N * S);                                                             \
        T total = 0;                                                                               \
        for (long n = 0; n < N; n++) {                                                             \
            const T *p = x + (n * C + c) * S;                                                      \
            T a[LANES] = {0};                                                                      \
            long i = 0;                                                                            \
            for (; i + LANES <= S; i += LANES)                                                     \
                for (int j = 0; j < LANES; j++) {                                                  \
                    const T d = p[i + j] - mu;                                                     \
                    a[j] += d * d;                                                                 \
                }                                                                                  \
            for (; i < S; i++) {                                                                   \
                const T d = p[i] - mu;                                                             \
                a[0] += d * d;                                                                     \
            }                                                                                      \
            total += COMBINE(a);                                                                   \
        }                                                                                          \
        *mean = mu;                                                                                \
        *squares = total;                                                                          \
    }

#define DEFINE_GRADIENT_SUMS(NAME, T)                                                              \
    VECTOR_LEVELS void NAME(const T *dy, const T *x, long N, long C, long S, long c,               \
                            T mean, T inverse_std, T *sum_dy, T *sum_dy_xhat) {                    \
        T total = 0, dot = 0;                                                                      \
        for (long n = 0; n < N; n++) {                                                             \
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
