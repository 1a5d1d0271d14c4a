// Debian's libopenblas-dev ships cblas.h (with the openblas_* extensions) and
// liblapacke-dev ships lapacke.h; pkg-config's "openblas" supplies the include path.
#ifndef FER_COPENBLAS_SHIM_H
#define FER_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
