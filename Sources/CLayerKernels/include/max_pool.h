// The 2x2 max pool's vector loop. CLayerKernels holds the layers between convolutions, each
// compiled once per x86-64 level (AVX-512, AVX2, baseline) and picked at load time, as in
// CDirectConvolution: Swift is built for the SSE2 baseline, and there this pool ran one window
// at a time (14x slower, measured).
#ifndef MAX_POOL_H
#define MAX_POOL_H

// 2x2 max pooling with stride 2 over `planes` (H, W) planes: y (planes, H / 2, W / 2) and, per
// output, the winner's position in its window (0 top left, 1 top right, 2 bottom left, 3 bottom
// right). Candidates are taken in that order and a later one wins when it is greater or NaN,
// so the result and the positions are those of Variable.maxPool2d's general loop.
void max_pool_2x2_forward_f32(const float *x, float *y, unsigned char *winner, long planes, long H, long W);
void max_pool_2x2_forward_f64(const double *x, double *y, unsigned char *winner, long planes, long H, long W);

#endif
