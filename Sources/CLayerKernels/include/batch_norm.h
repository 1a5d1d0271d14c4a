// Batch norm's per-channel sums, in C so that the eight partial sums become one vector register
// (Swift's build for the SSE2 baseline shuffled them between registers on every step). The
// arithmetic and its order are those of the Swift loops they replace: eight partial sums per
// plane, combined as ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)), the planes of a channel
// added in sample order, and no fused multiply-add, so the results are the same bits on every
// machine and at every vector width.
#ifndef BATCH_NORM_H
#define BATCH_NORM_H

// Channel c of x (N, C, S): its mean over N * S values, and the sum of squared deviations from
// that mean (two passes: no cancellation from E[x^2] - E[x]^2).
void batch_norm_statistics_f32(const float *x, long N, long C, long S, long c, float *mean, float *squares);
void batch_norm_statistics_f64(const double *x, long N, long C, long S, long c, double *mean, double *squares);

// Channel c of dy and x (N, C, S): the sum of dy and the sum of dy * x-hat, with
// x-hat = (x - mean) * inverse_std.
void batch_norm_gradient_sums_f32(const float *dy, const float *x, long N, long C, long S, long c,
                                  float mean, float inverse_std, float *sum_dy, float *sum_dy_xhat);
void batch_norm_gradient_sums_f64(const double *dy, const double *x, long N, long C, long S, long c,
                                  double mean, double inverse_std, double *sum_dy, double *sum_dy_xhat);

#endif
