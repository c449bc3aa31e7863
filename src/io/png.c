/* Writing 8-bit grayscale PNG files with libpng, atomically: a byte image, or a grid of float images. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "core/internal.h"
#include "vgae/io/outfile.h"
#include "vgae/io/png.h"

/* libpng's default limit on either side (PNG_USER_WIDTH_MAX, PNG_USER_HEIGHT_MAX). */
#define PNG_SIDE_MAX 1000000

/* Gives the row y of the image (width bytes), in a buffer of its own or the source's. */
typedef const uint8_t *(*row_fn)(void *arg, int32_t y);

/* What one write needs, reached through a pointer so that nothing the error path uses lives
 * in a local variable that longjmp could leave stale. */
typedef struct png_job {
    vgae_ctx *ctx;
    const char *path;
    FILE *f;
    png_structp png;
    png_infop info;
    int32_t width, height;
    int channels; /* 1: gray, 3: RGB */
    row_fn row;
    void *arg;
    int write_errno; /* errno of a failed write, 0 for another libpng error */
    char msg[200];   /* libpng's reason */
} png_job;

/* libpng's error callback: records the reason and jumps back to encode(); never returns. */
static void on_error(png_structp png, png_const_charp msg)
{
    png_job *job = png_get_error_ptr(png);
    int err = errno;
    if (job->f && ferror(job->f))
        job->write_errno = err ? err : EIO;
    snprintf(job->msg, sizeof job->msg, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

/* libpng's warnings go to the context's log instead of stderr. */
static void on_warning(png_structp png, png_const_charp msg)
{
    png_job *job = png_get_error_ptr(png);
    vgae_log(job->ctx, VGAE_LOG_WARN, "%s: libpng: %s", job->path, msg ? msg : "");
}

/* Runs libpng over job->f; 0 when done, 1 after a libpng error (job->msg says which). Every
 * object libpng allocates hangs off job->png, which the caller destroys either way. */
static int encode(png_job *job)
{
    if (setjmp(png_jmpbuf(job->png)))
        return 1;
    png_init_io(job->png, job->f);
    png_set_IHDR(job->png, job->info, (png_uint_32)job->width, (png_uint_32)job->height, 8,
                 job->channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(job->png, job->info);
    for (int32_t y = 0; y < job->height; y++)
        png_write_row(job->png, job->row(job->arg, y));
    png_write_end(job->png, NULL);
    return 0;
}

/* Writes a width x height PNG of `channels` bytes a pixel (1 gray, 3 RGB), row by row from
 * row(arg, y), to path through a temporary file. */
static vgae_status write_png(vgae_ctx *ctx, const char *path, int32_t width, int32_t height, int channels,
                             row_fn row, void *arg)
{
    vgae_outfile *out;
    png_job job = {.ctx = ctx, .path = path, .width = width, .height = height, .channels = channels,
                   .row = row, .arg = arg};
    vgae_status st = vgae_outfile_open(ctx, path, &out);
    if (st)
        return st;
    job.f = vgae_outfile_stream(out);
    job.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &job, on_error, on_warning);
    if (job.png)
        job.info = png_create_info_struct(job.png);
    if (!job.png || !job.info) {
        png_destroy_write_struct(&job.png, &job.info);
        vgae_outfile_abort(out);
        return vgae_fail_at(ctx, VGAE_ENOMEM, path, 0, "cannot write PNG: out of memory");
    }
    int failed = encode(&job);
    png_destroy_write_struct(&job.png, &job.info);
    if (failed) {
        vgae_outfile_abort(out);
        if (job.write_errno)
            return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s", strerror(job.write_errno));
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write PNG: libpng: %s", job.msg);
    }
    return vgae_outfile_commit(ctx, out);
}

typedef struct bytes_src {
    const uint8_t *pixels;
    size_t row_bytes;
} bytes_src;

static const uint8_t *bytes_row(void *arg, int32_t y)
{
    const bytes_src *s = arg;
    return s->pixels + (size_t)y * s->row_bytes;
}

static vgae_status write_bytes(vgae_ctx *ctx, const char *path, const uint8_t *pixels, int32_t width,
                               int32_t height, int channels)
{
    if (!path)
        return vgae_fail(ctx, VGAE_EINVAL, "no output path given");
    if (width < 1 || height < 1 || width > PNG_SIDE_MAX || height > PNG_SIDE_MAX)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "PNG size %ld x %ld is invalid (1..%d a side)", (long)width,
                            (long)height, PNG_SIDE_MAX);
    if (!pixels)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "pixels are NULL for a %ld x %ld PNG", (long)width,
                            (long)height);
    bytes_src src = {pixels, (size_t)width * (size_t)channels};
    return write_png(ctx, path, width, height, channels, bytes_row, &src);
}

vgae_status vgae_png_write_gray(vgae_ctx *ctx, const char *path, const uint8_t *pixels, int32_t width,
                                int32_t height)
{
    return write_bytes(ctx, path, pixels, width, height, 1);
}

vgae_status vgae_png_write_rgb(vgae_ctx *ctx, const char *path, const uint8_t *pixels, int32_t width,
                               int32_t height)
{
    return write_bytes(ctx, path, pixels, width, height, 3);
}

/* v clamped to [0,1], then floor(v * 255 + 0.5). */
static uint8_t to_byte(float v)
{
    if (!(v > 0.0f))
        return 0;
    if (v >= 1.0f)
        return 255;
    return (uint8_t)((double)v * 255.0 + 0.5);
}

typedef struct grid_src {
    const float *images;
    int64_t n;
    int32_t h, w, cols, pad, zoom;
    uint8_t background;
    int64_t grid_width;   /* before the zoom */
    int64_t built;        /* the grid row held in row, -1 for none */
    uint8_t *plain, *row; /* grid_width bytes; grid_width * zoom bytes */
} grid_src;

static const uint8_t *grid_row(void *arg, int32_t y)
{
    grid_src *g = arg;
    int64_t gy = y / g->zoom, period = (int64_t)g->h + g->pad;
    if (gy == g->built)
        return g->row;
    memset(g->plain, g->background, (size_t)g->grid_width);
    if (gy >= g->pad && (gy - g->pad) % period < g->h) {
        int64_t tile_row = (gy - g->pad) / period, iy = (gy - g->pad) % period;
        for (int64_t c = 0; c < g->cols; c++) {
            int64_t k = tile_row * g->cols + c;
            if (k >= g->n)
                break;
            const float *src = g->images + (k * g->h + iy) * g->w;
            uint8_t *dst = g->plain + g->pad + c * ((int64_t)g->w + g->pad);
            for (int32_t x = 0; x < g->w; x++)
                dst[x] = to_byte(src[x]);
        }
    }
    for (int64_t x = 0; x < g->grid_width * g->zoom; x++)
        g->row[x] = g->plain[x / g->zoom];
    g->built = gy;
    return g->row;
}

vgae_status vgae_png_write_grid(vgae_ctx *ctx, const char *path, const float *images, int64_t n, int32_t h,
                                int32_t w, int32_t cols, int32_t pad, float background, int32_t zoom)
{
    if (!path)
        return vgae_fail(ctx, VGAE_EINVAL, "no output path given");
    if (n < 1 || h < 1 || w < 1)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "%lld images of %ld x %ld pixels: need at least one pixel",
                            (long long)n, (long)h, (long)w);
    if (cols < 1 || pad < 0 || zoom < 1)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                            "grid of %ld columns, padding %ld, zoom %ld is invalid (columns and zoom 1 or more, "
                            "padding 0 or more)",
                            (long)cols, (long)pad, (long)zoom);
    if (!(background >= 0.0f && background <= 1.0f))
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "background %g is not in [0, 1]", (double)background);
    int64_t rows = n / cols + (n % cols != 0);
    double png_w = ((double)cols * ((double)w + pad) + pad) * zoom;
    double png_h = ((double)rows * ((double)h + pad) + pad) * zoom;
    if (png_w > PNG_SIDE_MAX || png_h > PNG_SIDE_MAX)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                            "a grid of %lld images of %ld x %ld, %ld wide, would be a %.0f x %.0f PNG "
                            "(at most %d a side)",
                            (long long)n, (long)h, (long)w, (long)cols, png_w, png_h, PNG_SIDE_MAX);
    if (!images)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "images are NULL for %lld images of %ld x %ld", (long long)n,
                            (long)h, (long)w);
    /* the sizes are now small enough for int64 throughout */
    int64_t per_image = (int64_t)h * w;
    for (int64_t i = 0; i < n * per_image; i++)
        if (isnan(images[i]))
            return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "image %lld, pixel (%lld, %lld) is nan",
                                (long long)(i / per_image), (long long)(i % per_image / w),
                                (long long)(i % w));

    grid_src g = {.images = images, .n = n, .h = h, .w = w, .cols = cols, .pad = pad, .zoom = zoom,
                  .background = to_byte(background), .built = -1};
    g.grid_width = (int64_t)cols * ((int64_t)w + pad) + pad;
    g.plain = vgae_alloc(ctx, (size_t)g.grid_width, 1);
    g.row = g.plain ? vgae_alloc(ctx, (size_t)g.grid_width, (size_t)zoom) : NULL;
    vgae_status st = VGAE_ENOMEM;
    if (g.row)
        st = write_png(ctx, path, (int32_t)png_w, (int32_t)png_h, 1, grid_row, &g);
    free(g.plain);
    free(g.row);
    return st;
}
