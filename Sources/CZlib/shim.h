// zlib (Debian zlib1g-dev); pkg-config's "zlib" supplies any flags.
#ifndef FER_CZLIB_SHIM_H
#define FER_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro (it passes ZLIB_VERSION and sizeof(z_stream)), which Swift cannot
// call; this wrapper makes it a function. windowBits 16 + MAX_WBITS accepts a gzip header only.
static inline int fer_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}

// deflateInit2 is a macro too. windowBits 16 + MAX_WBITS writes a gzip header and trailer.
static inline int fer_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
#endif
