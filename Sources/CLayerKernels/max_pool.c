#include "max_pool.h"

#include "vector_levels.h"

// Each output row reads two input rows; with selects instead of branches (which element wins
// is a coin toss) the compiler turns the window loop into vector loads, compares and blends.
#define DEFINE_MAX_POOL_2X2(NAME, T)                                                               \
    VECTOR_LEVELS void NAME(const T *x, T *y, unsigned char *winner, long planes, long H, long W) { \
        const long OH = H / 2, OW = W / 2;                                                         \
        for (long p = 0; p < planes; p++) {                                                        \
            for (long oh = 0; oh < OH; oh++) {                                                     \
                const T *top = x + (p * H + 2 * oh) * W, *bottom = top + W;                        \
                T *out = y + (p * OH + oh) * OW;                                                   \
                unsigned char *position = winner + (p * OH + oh) * OW;                             \
                for (long ow = 0; ow < OW; ow++) {                                                 \
                    T best = top[2 * ow], v;                                                       \
                    unsigned char at = 0;                                                          \
                    int wins;                                                                      \
                    v = top[2 * ow + 1]; wins = v > best || v != v;                                \
                    best = wins ? v : best; at = wins ? 1 : at;                                    \
                    v = bottom[2 * ow]; wins = v > best || v != v;                                 \
                    best = wins ? v : best; at = wins ? 2 : at;                                    \
                    v = bottom[2 * ow + 1]; wins = v > best || v != v;                             \
                    best = wins ? v : best; at = wins ? 3 : at;                                    \
                    out[ow] = best;                                                                \
                    position[ow] = at;                                                             \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

DEFINE_MAX_POOL_2X2(max_pool_2x2_forward_f32, float)
DEFINE_MAX_POOL_2X2(max_pool_2x2_forward_f64, double)
