// Direct stride-1 convolution loops for layers with few channels, where im2col + GEMM spends
// its time building and packing a column matrix K^2 times the input's size (Docs/Performance.md).
// Compiled once per x86-64 level (AVX-512, AVX2 + FMA, baseline) and picked at load time, so
// the vector loops use the widest instructions the machine has; Swift cannot ask for them.
//
// The loops work on padded planes: each (H, W) plane is copied with P zeros on every side into
// a (H + 2P) x (W + 2P) plane followed by zeros, so that output row i, column j reads padded
// element (i + kh) * Wp + (j + kw): one flat index q = i * Wp + j for the whole plane, which
// runs in 32-element chunks. Columns j >= OW of a row are computed and thrown away.
#ifndef DIRECT_CONVOLUTION_H
#define DIRECT_CONVOLUTION_H

// Elements per padded plane, zeros past the end included, for the given geometry.
long direct_convolution_plane_stride(long H, long W, long K, long P);

// Copies `planes` (H, W) planes into padded planes of direct_convolution_plane_stride elements.
void direct_convolution_pad_f32(const float *x, float *padded, long planes, long H, long W, long K, long P);
void direct_convolution_pad_f64(const double *x, double *padded, long planes, long H, long W, long K, long P);

// y[o] = sum over c of x[c] correlated with w[o, c] (K x K, stride 1) for one sample, from its
// C padded input planes; y is (O, OH, OW). `row` is scratch of 4 x direct_convolution_plane_stride
// elements.
void direct_convolution_forward_f32(const float *padded, const float *w, float *y, float *row,
                                    long C, long H, long W, long O, long K, long P);
void direct_convolution_forward_f64(const double *padded, const double *w, double *y, double *row,
                                    long C, long H, long W, long O, long K, long P);

// dw[o, c, kh, kw] = sum over n, i, j of dy[n, o, i, j] x[n, c, i + kh - P, j + kw - P] over
// N samples, from padded input planes (N * C) and dY laid out like the
// padded planes' first OH rows (N * O planes of direct_convolution_plane_stride elements, zero
// past column OW - 1 of each row and past the last row); dw (O, C, K, K) is overwritten there,
// or added to when `accumulate` is not 0.
void direct_convolution_weight_gradient_f32(const float *padded, const float *dy, float *dw, long accumulate,
                                            long N, long C, long H, long W, long O, long K, long P);
void direct_convolution_weight_gradient_f64(const double *padded, const double *dy, double *dw, long accumulate,
                                            long N, long C, long H, long W, long O, long K, long P);

// Lays dY (N * O planes of OH x OW) out as the weight gradient reads it (see above).
void direct_convolution_spread_f32(const float *dy, float *spread, long planes, long H, long W, long K, long P);
void direct_convolution_spread_f64(const double *dy, double *spread, long planes, long H, long W, long K, long P);

#endif
