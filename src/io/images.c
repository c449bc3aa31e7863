/* Reading IDX image and label files (MNIST, Fashion-MNIST), plain or gzip-compressed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "io/slurp.h"
#include "vgae/io/images.h"

#define IDX_UBYTE 0x08
/* The most pixels per image, and in all, accepted from a header before it is called absurd. */
#define MAX_IMAGE_PIXELS ((uint64_t)INT32_MAX) /* h * w must fit the int32 sizes of the models */
#define MAX_TOTAL_PIXELS ((uint64_t)1 << 34)

static const char *idx_type_name(unsigned t)
{
    switch (t) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "not an IDX type";
    }
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Checks the magic, type and size of an IDX file of ndims unsigned-byte dimensions (3 for
 * images, 1 for labels) held in b[0..size), and reads the dimensions into dims. *count gets
 * their product, checked against the file's length. */
static vgae_status idx_header(vgae_ctx *ctx, const char *path, const unsigned char *b, size_t size,
                              unsigned ndims, uint32_t dims[3], uint64_t *count)
{
    const char *what = ndims == 3 ? "image" : "label";
    size_t header = 4 + 4 * (size_t)ndims;

    if (size < 4)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "not an IDX %s file (%zu bytes, too short for a magic)",
                            what, size);
    if (b[0] != 0 || b[1] != 0 || b[3] != ndims) {
        const char *hint = "";
        if (b[0] == 0 && b[1] == 0 && ndims == 3 && b[3] == 1)
            hint = ", a label file?";
        else if (b[0] == 0 && b[1] == 0 && ndims == 1 && b[3] == 3)
            hint = ", an image file?";
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "not an IDX %s file (magic 0x%08lx%s; expected 0x%08x)",
                            what, (unsigned long)be32(b), hint, 0x0800u | ndims);
    }
    if (b[2] != IDX_UBYTE)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "data type 0x%02x (%s) is not unsigned byte (0x08)",
                            (unsigned)b[2], idx_type_name(b[2]));
    if (size < header)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "truncated: %zu header bytes expected, %zu present",
                            header, size);
    for (unsigned k = 0; k < ndims; k++)
        dims[k] = be32(b + 4 + 4 * k);

    uint64_t n = dims[0];
    if (ndims == 3) {
        uint64_t h = dims[1], w = dims[2];
        if (n == 0 || h == 0 || w == 0)
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "a dimension is 0 (%llu images of %llu x %llu pixels)",
                                (unsigned long long)n, (unsigned long long)h, (unsigned long long)w);
        if (h * w > MAX_IMAGE_PIXELS || h > INT32_MAX || w > INT32_MAX)
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0,
                                "image size %llu x %llu is absurd (2^31 pixels or more)",
                                (unsigned long long)h, (unsigned long long)w);
        if (n * h * w > MAX_TOTAL_PIXELS)
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0,
                                "%llu images of %llu x %llu pixels are absurd (more than 2^34 pixels in all)",
                                (unsigned long long)n, (unsigned long long)h, (unsigned long long)w);
        *count = n * h * w;
    } else {
        if (n == 0)
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "a dimension is 0 (0 labels)");
        *count = n;
    }
    return VGAE_OK;
}

/* Checks that the data after the header is exactly count bytes. */
static vgae_status idx_length(vgae_ctx *ctx, const char *path, size_t size, unsigned ndims, uint64_t count)
{
    const char *what = ndims == 3 ? "pixel" : "label";
    uint64_t present = size - (4 + 4 * (size_t)ndims);
    if (present < count)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "truncated: %llu %s bytes expected, %llu present",
                            (unsigned long long)count, what, (unsigned long long)present);
    if (present > count)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "trailing garbage: %llu bytes after the %llu %s bytes",
                            (unsigned long long)(present - count), (unsigned long long)count, what);
    return VGAE_OK;
}

/* Reads an IDX file of ndims dimensions and checks its header and length:
 * on success *data (free it) holds the whole file and the *count values
 * start at byte 4 + 4 ndims. */
static vgae_status idx_read(vgae_ctx *ctx, const char *path, unsigned ndims, uint32_t dims[3],
                            uint64_t *count, char **data)
{
    size_t size = 0;
    vgae_status st = vgae_slurp(ctx, path, data, &size);
    if (!st)
        st = idx_header(ctx, path, (const unsigned char *)*data, size, ndims, dims, count);
    if (!st)
        st = idx_length(ctx, path, size, ndims, *count);
    if (st) {
        free(*data);
        *data = NULL;
    }
    return st;
}

static vgae_status read_images(vgae_ctx *ctx, const char *path, vgae_images *im)
{
    char *data = NULL;
    uint32_t dims[3] = {0, 0, 0};
    uint64_t count = 0;
    vgae_status st = idx_read(ctx, path, 3, dims, &count, &data);
    if (st)
        return st;
    im->pixels = vgae_alloc(ctx, (size_t)count, sizeof *im->pixels);
    if (im->pixels) {
        float scale[256];
        for (int v = 0; v < 256; v++)
            scale[v] = (float)v / 255.0f;
        const unsigned char *b = (const unsigned char *)data + 16;
        for (uint64_t i = 0; i < count; i++)
            im->pixels[i] = scale[b[i]];
        im->n = dims[0];
        im->height = (int32_t)dims[1];
        im->width = (int32_t)dims[2];
    }
    free(data);
    return im->pixels ? VGAE_OK : VGAE_ENOMEM;
}

static vgae_status read_labels(vgae_ctx *ctx, const char *path, vgae_images *im)
{
    char *data = NULL;
    uint32_t dims[3] = {0, 0, 0};
    uint64_t count = 0;
    vgae_status st = idx_read(ctx, path, 1, dims, &count, &data);
    if (!st && count != (uint64_t)im->n)
        st = vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "%llu labels for %lld images", (unsigned long long)count,
                          (long long)im->n);
    if (!st && !(im->labels = vgae_alloc(ctx, (size_t)count, 1)))
        st = VGAE_ENOMEM;
    if (!st)
        memcpy(im->labels, data + 8, (size_t)count);
    free(data);
    return st;
}

vgae_status vgae_images_read(vgae_ctx *ctx, const char *images_path, const char *labels_path, vgae_images **out)
{
    vgae_status st;
    *out = NULL;
    if (!images_path)
        return vgae_fail(ctx, VGAE_EINVAL, "no image file given");
    vgae_images *im = vgae_calloc(ctx, 1, sizeof *im);
    if (!im)
        return VGAE_ENOMEM;
    st = read_images(ctx, images_path, im);
    if (!st && labels_path)
        st = read_labels(ctx, labels_path, im);
    if (st) {
        vgae_images_free(im);
        return st;
    }
    *out = im;
    return VGAE_OK;
}

void vgae_images_free(vgae_images *im)
{
    if (!im)
        return;
    free(im->pixels);
    free(im->labels);
    free(im->folder);
    free(im);
}

/* Finds DIR/WHICH-KIND-idxD-ubyte, then with ".gz", then spelled "WHICH-KIND.idxD-ubyte"[.gz];
 * *path gets a malloc'ed path. */
static vgae_status find_file(vgae_ctx *ctx, const char *dir, const char *which, const char *kind, int dims,
                             char **path)
{
    /* the separator before "idx" and the suffix, in the order tried */
    static const struct {
        char dot;
        const char *gz;
    } forms[] = {{'-', ""}, {'-', ".gz"}, {'.', ""}, {'.', ".gz"}};
    size_t len = strlen(dir);
    const char *sep = len > 0 && dir[len - 1] == '/' ? "" : "/";
    size_t cap = len + strlen(which) + strlen(kind) + 32;
    *path = NULL;
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
        char *p = vgae_alloc(ctx, cap, 1);
        struct stat sb;
        if (!p)
            return VGAE_ENOMEM;
        snprintf(p, cap, "%s%s%s-%s%cidx%d-ubyte%s", dir, sep, which, kind, forms[k].dot, dims, forms[k].gz);
        if (stat(p, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
            *path = p;
            return VGAE_OK;
        }
        free(p);
    }
    return vgae_fail_at(ctx, VGAE_ENOTFOUND, dir, 0, "no %s-%s-idx%d-ubyte[.gz] (nor %s-%s.idx%d-ubyte[.gz])",
                        which, kind, dims, which, kind, dims);
}

vgae_status vgae_images_read_split(vgae_ctx *ctx, const char *dir, const char *which, vgae_images **out)
{
    char *images = NULL, *labels = NULL;
    struct stat sb;
    vgae_status st;
    *out = NULL;
    if (!dir)
        return vgae_fail(ctx, VGAE_EINVAL, "no image folder given");
    if (!which || (strcmp(which, "train") != 0 && strcmp(which, "t10k") != 0 && strcmp(which, "test") != 0))
        return vgae_fail(ctx, VGAE_EINVAL, "image split '%s' is not train, t10k or test", which ? which : "(null)");
    if (strcmp(which, "test") == 0)
        which = "t10k";
    if (stat(dir, &sb) != 0)
        return vgae_fail_at(ctx, errno == ENOENT ? VGAE_ENOTFOUND : VGAE_EIO, dir, 0, "cannot open: %s",
                            strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return vgae_fail_at(ctx, VGAE_EINVAL, dir, 0, "not a folder");
    st = find_file(ctx, dir, which, "images", 3, &images);
    if (!st)
        st = find_file(ctx, dir, which, "labels", 1, &labels);
    if (!st)
        st = vgae_images_read(ctx, images, labels, out);
    if (!st && !((*out)->folder = vgae_absolute_path(ctx, dir))) {
        st = vgae_ctx_status(ctx);
        vgae_images_free(*out);
        *out = NULL;
    }
    free(images);
    free(labels);
    return st;
}

int vgae_images_classes(const vgae_images *im)
{
    int top = -1;
    for (int64_t i = 0; im->labels && i < im->n; i++)
        if (im->labels[i] > top)
            top = im->labels[i];
    return top + 1;
}

void vgae_images_binarize(vgae_images *im, uint64_t seed)
{
    vgae_rng r;
    vgae_rng_init(&r, seed, VGAE_STREAM_DATA);
    vgae_rng_substream(&r, 1);
    const int64_t n = im->n * im->height * im->width;
    for (int64_t k = 0; k < n; k++)
        im->pixels[k] = vgae_rng_uniform(&r) < im->pixels[k] ? 1.0f : 0.0f;
}
