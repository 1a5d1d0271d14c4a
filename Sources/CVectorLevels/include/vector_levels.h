// The x86-64 levels the C kernels (CDirectConvolution, CBFloat16GEMM, CLayerKernels) are built
// for, picked at load time by the CPU: AVX-512, AVX2 + FMA and the baseline (Swift itself is
// built for the SSE2 baseline only). One header, so the three targets cannot drift apart.
#ifndef VECTOR_LEVELS_H
#define VECTOR_LEVELS_H

#if defined(__x86_64__) && defined(__linux__)
#define VECTOR_LEVELS __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VECTOR_LEVELS
#endif

#endif
