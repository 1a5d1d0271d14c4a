// libjpeg-turbo through its libjpeg API (Debian libjpeg62-turbo-dev; pkg-config "libjpeg").
//
// libjpeg reports fatal errors by calling error_exit, which must not return: the only way
// out is longjmp, and a longjmp must never cross Swift frames. So the whole decode runs
// here in C, between one setjmp and its return, and Swift sees a plain status code.
#ifndef FER_CJPEG_SHIM_H
#define FER_CJPEG_SHIM_H
#include <stdio.h>   // jpeglib.h uses FILE and size_t without including their headers
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

/// What fer_jpeg_decode hands back. On success `pixels` holds height rows of
/// width * channels bytes (channels 1 = gray, 3 = RGB), allocated with malloc: the caller
/// frees it with free(). On failure `pixels` is NULL and `message` says why.
typedef struct {
    int width;
    int height;
    int channels;
    unsigned char *pixels;
    char message[JMSG_LENGTH_MAX];
} fer_jpeg_result;

struct fer_jpeg_error_manager {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    int truncated;
};

static inline void fer_jpeg_error_exit(j_common_ptr info) {
    struct fer_jpeg_error_manager *manager = (struct fer_jpeg_error_manager *)info->err;
    longjmp(manager->escape, 1);
}

// libjpeg only warns about a file that ends early (it pads the image with gray); a
// truncated file is a corrupt sample here, so the warning is remembered and turned into a failure.
static inline void fer_jpeg_emit_message(j_common_ptr info, int level) {
    struct fer_jpeg_error_manager *manager = (struct fer_jpeg_error_manager *)info->err;
    if (level < 0) {
        if (info->err->msg_code == JWRN_JPEG_EOF) manager->truncated = 1;
        info->err->num_warnings++;
    }
}

/// Decodes a whole JPEG held in memory. Returns 1 on success, 0 on failure.
/// Images with more than `max_pixels` pixels are refused before any allocation.
static inline int fer_jpeg_decode(const unsigned char *data, unsigned long size,
                                  unsigned long max_pixels, fer_jpeg_result *result) {
    struct jpeg_decompress_struct info;
    struct fer_jpeg_error_manager manager;
    unsigned char *volatile pixels = NULL;  // volatile: read after longjmp
    memset(result, 0, sizeof *result);
    info.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = fer_jpeg_error_exit;
    manager.base.emit_message = fer_jpeg_emit_message;
    manager.truncated = 0;
    if (setjmp(manager.escape)) {
        (*info.err->format_message)((j_common_ptr)&info, result->message);
        jpeg_destroy_decompress(&info);
        free(pixels);
        return 0;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    if (info.num_components == 1) {
        info.out_color_space = JCS_GRAYSCALE;
    } else if (info.jpeg_color_space == JCS_YCbCr || info.jpeg_color_space == JCS_RGB) {
        info.out_color_space = JCS_RGB;
    } else {
        snprintf(result->message, sizeof result->message,
                 "unsupported JPEG colour space %d with %d components (CMYK/YCCK are not read)",
                 (int)info.jpeg_color_space, info.num_components);
        jpeg_destroy_decompress(&info);
        return 0;
    }
    if ((unsigned long)info.image_width * info.image_height > max_pixels) {
        snprintf(result->message, sizeof result->message, "image of %ux%u pixels is larger than the limit of %lu pixels",
                 info.image_width, info.image_height, max_pixels);
        jpeg_destroy_decompress(&info);
        return 0;
    }
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * (size_t)info.output_components;
    pixels = (unsigned char *)malloc(stride * info.output_height);
    if (pixels == NULL) {
        snprintf(result->message, sizeof result->message, "out of memory for %zu bytes", stride * info.output_height);
        jpeg_destroy_decompress(&info);
        return 0;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + (size_t)info.output_scanline * stride;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    if (manager.truncated) {
        snprintf(result->message, sizeof result->message, "the file ends before the image data does (truncated)");
        jpeg_destroy_decompress(&info);
        free(pixels);
        return 0;
    }
    result->width = (int)info.output_width;
    result->height = (int)info.output_height;
    result->channels = info.output_components;
    result->pixels = pixels;
    jpeg_destroy_decompress(&info);
    return 1;
}
/// Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels, rows of width * channels
/// bytes, at `quality` (1-100). Returns 1 on success with a malloc'd buffer in *out (the
/// caller frees it) and its length in *out_size; 0 on failure with `message` (at least
/// JMSG_LENGTH_MAX bytes) saying why.
static inline int fer_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                                  unsigned char **out, unsigned long *out_size, char *message) {
    struct jpeg_compress_struct info;
    struct fer_jpeg_error_manager manager;
    unsigned char *buffer = NULL;  // its address goes to libjpeg, so it lives in memory across the longjmp
    unsigned long size = 0;
    *out = NULL;
    *out_size = 0;
    message[0] = 0;
    if (channels != 1 && channels != 3) {
        snprintf(message, JMSG_LENGTH_MAX, "JPEG encoding takes 1 or 3 channels, got %d", channels);
        return 0;
    }
    info.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = fer_jpeg_error_exit;
    manager.base.emit_message = fer_jpeg_emit_message;
    manager.truncated = 0;
    if (setjmp(manager.escape)) {
        (*info.err->format_message)((j_common_ptr)&info, message);
        jpeg_destroy_compress(&info);
        free(buffer);
        return 0;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, &buffer, &size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * stride);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *out = buffer;
    *out_size = size;
    return 1;
}
#endif
