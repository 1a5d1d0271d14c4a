// libpng 1.6 (Debian libpng-dev); pkg-config's "libpng" supplies the include path.
//
// Reading uses libpng's classic API, which reports errors by longjmp. A longjmp must never
// cross Swift frames, so the whole decode runs here in C between one setjmp and its return,
// and Swift sees a plain status code. The samples come back exactly as stored (no gamma or
// colour management, as OpenCV and PIL read them); palettes, low bit depths and tRNS are
// expanded. Writing uses the simplified API (png_image_write_to_memory), which never longjmps.
#ifndef FER_CPNG_SHIM_H
#define FER_CPNG_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <png.h>

/// What fer_png_decode hands back. On success `pixels` holds height rows of
/// width * channels samples (channels 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA), of one byte
/// each when bit_depth is 8 and of a native-endian uint16 each when it is 16. It is
/// allocated with malloc: the caller frees it with free(). On failure `pixels` is NULL
/// and `message` says why.
typedef struct {
    int width;
    int height;
    int channels;
    int bit_depth;
    unsigned char *pixels;
    char message[256];
} fer_png_result;

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
    fer_png_result *result;
} fer_png_source;

static inline void fer_png_read_bytes(png_structp png, png_bytep out, size_t length) {
    fer_png_source *source = (fer_png_source *)png_get_io_ptr(png);
    if (length > source->size - source->offset) {
        png_error(png, "the file ends before the image data does (truncated)");
    }
    memcpy(out, source->data + source->offset, length);
    source->offset += length;
}

static inline void fer_png_error(png_structp png, png_const_charp message) {
    fer_png_result *result = (fer_png_result *)png_get_error_ptr(png);
    snprintf(result->message, sizeof result->message, "%s", message);
    png_longjmp(png, 1);
}

// Warnings (an unknown ancillary chunk, a bad CRC in a text chunk) do not spoil the pixels.
static inline void fer_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

/// Decodes a whole PNG held in memory. Returns 1 on success, 0 on failure.
/// Images with more than `max_pixels` pixels are refused before any allocation.
static inline int fer_png_decode(const unsigned char *data, size_t size, unsigned long max_pixels,
                                 fer_png_result *result) {
    memset(result, 0, sizeof *result);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(result->message, sizeof result->message, "no PNG signature in the first 8 bytes");
        return 0;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, result, fer_png_error, fer_png_warning);
    if (png == NULL) {
        snprintf(result->message, sizeof result->message, "libpng could not start (out of memory)");
        return 0;
    }
    png_infop info = png_create_info_struct(png);
    // volatile: both are read after a longjmp back into this frame.
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    fer_png_source source = {data, size, 0, result};
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(pixels);
        return 0;
    }
    if (info == NULL) png_error(png, "libpng could not start (out of memory)");
    png_set_read_fn(png, &source, fer_png_read_bytes);
    png_read_info(png, info);
    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    if ((unsigned long)width * (unsigned long)height > max_pixels) {
        png_error(png, "the image has more pixels than the reader's limit");
    }
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bit_depth == 16) png_set_swap(png);  // PNG stores 16-bit samples big-endian
#endif
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    pixels = (unsigned char *)malloc(row_bytes * height);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (pixels == NULL || rows == NULL) png_error(png, "out of memory for the pixels");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);  // checks the chunks after the image up to IEND
    result->width = (int)width;
    result->height = (int)height;
    result->channels = png_get_channels(png, info);
    result->bit_depth = png_get_bit_depth(png, info);
    result->pixels = pixels;
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    return 1;
}
#endif
