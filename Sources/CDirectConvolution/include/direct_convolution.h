// Direct stride-1 convolution loops for layers with few channels, where im2col + GEMM spends
// its time building and packing a column matrix 25 times the input's size (Docs/Performance.md).
// Compiled once per x86-64 level (AVX-512, AVX2 + FMA, baseline) and picked at load time, so
// the vector loops use the widest instructions the machine has; Swift cannot ask for them.
#ifndef DIRECT_CONVOLUTION_H
#define DIRECT_CONVOLUTION_H

// y[n, o] = sum over c of x[n, c] correlated with w[o, c] (K x K, stride 1, zero padding P),
// for samples first..<end; y is (N, O, OH, OW) with OH = H + 2P - K + 1. Every element of
// those samples is written.
void direct_convolution_forward_f32(const float *x, const float *w, float *y, long first, long end,
                                    long C, long H, long W, long O, long K, long P);
void direct_convolution_forward_f64(const double *x, const double *w, double *y, long first, long end,
                                    long C, long H, long W, long O, long K, long P);

// dw[o, c, kh, kw] = sum over n, i, j of dy[n, o, i, j] x[n, c, i + kh - P, j + kw - P], for
// output channels firstO..<endO over all N samples; dw (O, C, K, K) is overwritten there.
// partial: scratch of K * K * OW elements (the caller's, so no thread stack has to hold it).
void direct_convolution_weight_gradient_f32(const float *x, const float *dy, float *dw, float *partial, long firstO, long endO,
                                            long N, long C, long H, long W, long O, long K, long P);
void direct_convolution_weight_gradient_f64(const double *x, const double *dy, double *dw, double *partial, long firstO, long endO,
                                            long N, long C, long H, long W, long O, long K, long P);

#endif
