/* Writing PNG files (libpng): a gray or colour byte image, or a grid of float images. */
#ifndef VGAE_IO_PNG_H
#define VGAE_IO_PNG_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/core/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes an 8-bit grayscale PNG of width x height from row-major bytes (0 = black). The file
 * is written to a temporary file beside path and renamed (path "-": standard output), so any
 * failure leaves no file, and an existing file is kept or replaced whole.
 * VGAE_EINVAL: path or pixels NULL, width or height outside 1..1000000 (libpng's limit).
 * VGAE_EIO (naming the path): the folder is missing or unwritable, the path is a directory,
 * a write fails or libpng reports an error. */
VGAE_EXPORT vgae_status vgae_png_write_gray(vgae_ctx *ctx, const char *path, const uint8_t *pixels,
                                int32_t width, int32_t height);

/* The same for a colour image: width x height pixels of 3 bytes (red, green, blue), row-major. */
VGAE_EXPORT vgae_status vgae_png_write_rgb(vgae_ctx *ctx, const char *path, const uint8_t *pixels,
                                           int32_t width, int32_t height);

/* Tiles n images (each h x w floats, row-major, image after image) into a grid cols tiles
 * wide and ceil(n / cols) tall, left to right then top to bottom, with pad pixels of
 * background around and between the tiles (unused tiles of the last row are background too),
 * scales the whole grid by zoom (each pixel becomes a zoom x zoom block) and writes it as
 * vgae_png_write_gray does. The PNG is (cols * (w + pad) + pad) * zoom pixels wide and
 * (rows * (h + pad) + pad) * zoom tall. Values are clamped to [0,1] and rounded to bytes:
 * byte = floor(v * 255 + 0.5), so byte / 255 reads back as the same byte.
 * VGAE_EINVAL: path or images NULL, n, h, w, cols or zoom below 1, pad below 0, background
 * outside [0,1], a NaN value (naming the image and pixel), a PNG side beyond 1000000. The
 * grid is built one row at a time: memory is one PNG row. */
VGAE_EXPORT vgae_status vgae_png_write_grid(vgae_ctx *ctx, const char *path, const float *images, int64_t n,
                                int32_t h, int32_t w, int32_t cols, int32_t pad, float background,
                                int32_t zoom);

#ifdef __cplusplus
}
#endif
#endif
