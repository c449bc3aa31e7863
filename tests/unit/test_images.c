/* Tests of the IDX image reader and the PNG writer: exact values, each error's message, no file left on failure. */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <png.h>
#include <zlib.h>

#include "testutil.h"
#include "tmpdir.h"

/* ---- a fresh folder under /tmp per test, removed afterwards ---- */



static void write_plain(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_gz(const char *path, const void *data, size_t len)
{
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
}

/* ---- IDX files built byte by byte ---- */

/* 3 images of 2 x 3 pixels: the extremes, the middle and its neighbours */
static const uint8_t good_pixels[18] = {0, 1, 2, 127, 128, 129, 254, 255, 3, 51, 85, 170, 200, 100, 50, 25, 12, 6};
static const uint8_t good_labels[3] = {7, 0, 255};

/* An IDX header (magic type byte, dims) then data; returns the length written to buf. */
static size_t idx_bytes(uint8_t *buf, uint8_t type, uint8_t ndims, const uint32_t *dims, const uint8_t *data,
                        size_t len)
{
    size_t at = 0;
    buf[at++] = 0;
    buf[at++] = 0;
    buf[at++] = type;
    buf[at++] = ndims;
    for (int k = 0; k < ndims; k++) {
        buf[at++] = (uint8_t)(dims[k] >> 24);
        buf[at++] = (uint8_t)(dims[k] >> 16);
        buf[at++] = (uint8_t)(dims[k] >> 8);
        buf[at++] = (uint8_t)dims[k];
    }
    if (len)
        memcpy(buf + at, data, len);
    return at + len;
}

static size_t good_images_file(uint8_t *buf)
{
    static const uint32_t dims[3] = {3, 2, 3};
    return idx_bytes(buf, 0x08, 3, dims, good_pixels, sizeof good_pixels);
}

static size_t good_labels_file(uint8_t *buf)
{
    static const uint32_t dims[1] = {3};
    return idx_bytes(buf, 0x08, 1, dims, good_labels, sizeof good_labels);
}

static void check_good(const vgae_images *im, int with_labels)
{
    assert_non_null(im);
    assert_int_equal(im->n, 3);
    assert_int_equal(im->height, 2);
    assert_int_equal(im->width, 3);
    for (int i = 0; i < 18; i++) {
        float want = (float)good_pixels[i] / 255.0f;
        if (memcmp(&im->pixels[i], &want, sizeof want) != 0)
            fail_msg("pixel %d: %.9g, want %.9g", i, (double)im->pixels[i], (double)want);
    }
    assert_true(im->pixels[0] == 0.0f);
    assert_true(im->pixels[7] == 1.0f);
    assert_true(im->pixels[4] == 128.0f / 255.0f);
    if (with_labels) {
        assert_non_null(im->labels);
        assert_memory_equal(im->labels, good_labels, 3);
    } else {
        assert_null(im->labels);
    }
}

static void reads_plain_and_gzip(void **state)
{
    fixture *fx = *state;
    uint8_t img[64], lab[64];
    size_t ni = good_images_file(img), nl = good_labels_file(lab);
    const char *ip = in_dir(fx, "images.idx"), *lp = in_dir(fx, "labels.idx");
    const char *igz = in_dir(fx, "images.bin"), *lgz = in_dir(fx, "labels.bin"); /* gzip, told by content */
    write_plain(ip, img, ni);
    write_plain(lp, lab, nl);
    write_gz(igz, img, ni);
    write_gz(lgz, lab, nl);

    vgae_images *im = NULL;
    assert_int_equal(vgae_images_read(fx->ctx, ip, lp, &im), VGAE_OK);
    check_good(im, 1);
    vgae_images_free(im);
    assert_int_equal(vgae_images_read(fx->ctx, igz, lgz, &im), VGAE_OK);
    check_good(im, 1);
    vgae_images_free(im);
    assert_int_equal(vgae_images_read(fx->ctx, igz, lp, &im), VGAE_OK);
    check_good(im, 1);
    vgae_images_free(im);
    assert_int_equal(vgae_images_read(fx->ctx, ip, NULL, &im), VGAE_OK);
    check_good(im, 0);
    vgae_images_free(im);
    vgae_images_free(NULL);
}

/* Writes bytes to fx->dir/name (gzip-compressed when gz) and asserts that reading it fails
 * with status and a message holding "name: needle". as_labels: read it as the label file of
 * the good images. */
static void expect_error(fixture *fx, const char *name, const uint8_t *bytes, size_t len, int gz, int as_labels,
                         vgae_status status, const char *needle)
{
    char want[512];
    const char *p = in_dir(fx, name);
    if (gz)
        write_gz(p, bytes, len);
    else
        write_plain(p, bytes, len);
    vgae_images *im = (vgae_images *)&im; /* not NULL: the reader must set it */
    vgae_status st;
    if (as_labels) {
        uint8_t img[64];
        const char *ip = in_dir(fx, "good-images.idx");
        write_plain(ip, img, good_images_file(img));
        st = vgae_images_read(fx->ctx, ip, p, &im);
    } else {
        st = vgae_images_read(fx->ctx, p, NULL, &im);
    }
    snprintf(want, sizeof want, "%s: %s", name, needle);
    assert_error_contains(fx->ctx, st, want);
    assert_int_equal(vgae_ctx_status(fx->ctx), status);
    assert_null(im);
    vgae_ctx_clear(fx->ctx);
}

static void truncated_files(void **state)
{
    fixture *fx = *state;
    uint8_t img[64], lab[64];
    size_t ni = good_images_file(img), nl = good_labels_file(lab);
    expect_error(fx, "short.idx", img, ni - 5, 0, 0, VGAE_EFORMAT, "truncated: 18 pixel bytes expected, 13 present");
    expect_error(fx, "short.gz", img, ni - 5, 1, 0, VGAE_EFORMAT, "truncated: 18 pixel bytes expected, 13 present");
    expect_error(fx, "nodata.idx", img, 16, 0, 0, VGAE_EFORMAT, "truncated: 18 pixel bytes expected, 0 present");
    expect_error(fx, "header.idx", img, 10, 0, 0, VGAE_EFORMAT, "truncated: 16 header bytes expected, 10 present");
    expect_error(fx, "magic-only.idx", img, 3, 0, 0, VGAE_EFORMAT, "not an IDX image file (3 bytes");
    expect_error(fx, "empty.idx", img, 0, 0, 0, VGAE_EFORMAT, "empty file");
    expect_error(fx, "short-labels.idx", lab, nl - 1, 0, 1, VGAE_EFORMAT,
                 "truncated: 3 label bytes expected, 2 present");

    /* a gzip stream cut short */
    uint8_t big[16 + 3 * 2 * 3];
    memcpy(big, img, ni);
    const char *full = in_dir(fx, "full.gz");
    write_gz(full, big, sizeof big);
    FILE *f = fopen(full, "rb");
    assert_non_null(f);
    uint8_t gz[256];
    size_t len = fread(gz, 1, sizeof gz, f);
    fclose(f);
    expect_error(fx, "cut.gz", gz, len - 6, 0, 0, VGAE_EFORMAT, "truncated gzip data");
}

static void wrong_magic_and_type(void **state)
{
    fixture *fx = *state;
    uint8_t img[64], lab[64];
    size_t ni = good_images_file(img), nl = good_labels_file(lab);
    static const uint8_t text[] = "P5\n2 3\n255\n012345";
    expect_error(fx, "pgm.idx", text, sizeof text - 1, 0, 0, VGAE_EFORMAT,
                 "not an IDX image file (magic 0x50350a32; expected 0x00000803)");
    expect_error(fx, "labels-as-images.idx", lab, nl, 0, 0, VGAE_EFORMAT,
                 "not an IDX image file (magic 0x00000801, a label file?; expected 0x00000803)");
    expect_error(fx, "images-as-labels.idx", img, ni, 0, 1, VGAE_EFORMAT,
                 "not an IDX label file (magic 0x00000803, an image file?; expected 0x00000801)");

    img[2] = 0x0D;
    expect_error(fx, "float.idx", img, ni, 0, 0, VGAE_EFORMAT, "data type 0x0d (float) is not unsigned byte (0x08)");
    img[2] = 0x42;
    expect_error(fx, "type42.idx", img, ni, 1, 0, VGAE_EFORMAT,
                 "data type 0x42 (not an IDX type) is not unsigned byte (0x08)");
    lab[2] = 0x09;
    expect_error(fx, "signed-labels.idx", lab, nl, 0, 1, VGAE_EFORMAT,
                 "data type 0x09 (signed byte) is not unsigned byte (0x08)");
}

static void label_count_mismatch(void **state)
{
    fixture *fx = *state;
    uint8_t lab[64];
    static const uint32_t two[1] = {2}, four[1] = {4};
    size_t nl = idx_bytes(lab, 0x08, 1, two, good_labels, 2);
    expect_error(fx, "two-labels.idx", lab, nl, 0, 1, VGAE_EINVAL, "2 labels for 3 images");
    static const uint8_t four_labels[4] = {1, 2, 3, 4};
    nl = idx_bytes(lab, 0x08, 1, four, four_labels, 4);
    expect_error(fx, "four-labels.gz", lab, nl, 1, 1, VGAE_EINVAL, "4 labels for 3 images");
}

static void trailing_garbage(void **state)
{
    fixture *fx = *state;
    uint8_t img[64], lab[64];
    size_t ni = good_images_file(img), nl = good_labels_file(lab);
    memcpy(img + ni, "junk", 4);
    expect_error(fx, "junk.idx", img, ni + 4, 0, 0, VGAE_EFORMAT, "trailing garbage: 4 bytes after the 18 pixel bytes");
    expect_error(fx, "junk.gz", img, ni + 1, 1, 0, VGAE_EFORMAT, "trailing garbage: 1 bytes after the 18 pixel bytes");
    lab[nl] = 9;
    expect_error(fx, "junk-labels.idx", lab, nl + 1, 0, 1, VGAE_EFORMAT,
                 "trailing garbage: 1 bytes after the 3 label bytes");
}

static void zero_and_absurd_dimensions(void **state)
{
    fixture *fx = *state;
    uint8_t buf[64];
    struct {
        uint32_t dims[3];
        const char *needle;
    } cases[] = {
        {{0, 2, 3}, "a dimension is 0 (0 images of 2 x 3 pixels)"},
        {{3, 0, 3}, "a dimension is 0 (3 images of 0 x 3 pixels)"},
        {{3, 2, 0}, "a dimension is 0 (3 images of 2 x 0 pixels)"},
        {{1, 65536, 32768}, "image size 65536 x 32768 is absurd (2^31 pixels or more)"},
        {{1, 2147483648u, 1}, "image size 2147483648 x 1 is absurd"},
        {{1, 1, 4294967295u}, "image size 1 x 4294967295 is absurd"},
        {{100000, 1000, 1000}, "100000 images of 1000 x 1000 pixels are absurd (more than 2^34 pixels in all)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        size_t len = idx_bytes(buf, 0x08, 3, cases[k].dims, good_pixels, 18);
        expect_error(fx, "dims.idx", buf, len, 0, 0, VGAE_EFORMAT, cases[k].needle);
    }
    /* the limits themselves are accepted as far as the header goes: the data is what is missing */
    static const uint32_t at_limit[3] = {8, 65535, 32768}; /* just under 2^31 pixels an image */
    size_t len = idx_bytes(buf, 0x08, 3, at_limit, good_pixels, 18);
    expect_error(fx, "limit.idx", buf, len, 0, 0, VGAE_EFORMAT,
                 "truncated: 17179607040 pixel bytes expected, 18 present");
    static const uint32_t none[1] = {0};
    len = idx_bytes(buf, 0x08, 1, none, NULL, 0);
    expect_error(fx, "no-labels.idx", buf, len, 0, 1, VGAE_EFORMAT, "a dimension is 0 (0 labels)");
}

static void missing_files(void **state)
{
    fixture *fx = *state;
    vgae_images *im = NULL;
    uint8_t img[64];
    const char *ip = in_dir(fx, "images.idx");
    write_plain(ip, img, good_images_file(img));
    assert_error_contains(fx->ctx, vgae_images_read(fx->ctx, in_dir(fx, "nope.idx"), NULL, &im),
                          "nope.idx: cannot open: No such file or directory");
    assert_int_equal(vgae_ctx_status(fx->ctx), VGAE_ENOTFOUND);
    assert_error_contains(fx->ctx, vgae_images_read(fx->ctx, ip, in_dir(fx, "nolabels.idx"), &im),
                          "nolabels.idx: cannot open: No such file or directory");
    assert_null(im);
    assert_error_contains(fx->ctx, vgae_images_read(fx->ctx, fx->dir, NULL, &im), "is a directory, not a file");
    assert_int_equal(vgae_ctx_status(fx->ctx), VGAE_EIO);
    assert_error_contains(fx->ctx, vgae_images_read(fx->ctx, NULL, NULL, &im), "no image file given");
}

/* ---- the split finder ---- */

static void split_names(void **state)
{
    fixture *fx = *state;
    uint8_t img[64], lab[64];
    size_t ni = good_images_file(img), nl = good_labels_file(lab);
    vgae_images *im = NULL;

    /* MNIST's names, gzip */
    write_gz(in_dir(fx, "t10k-images-idx3-ubyte.gz"), img, ni);
    write_gz(in_dir(fx, "t10k-labels-idx1-ubyte.gz"), lab, nl);
    assert_int_equal(vgae_images_read_split(fx->ctx, fx->dir, "t10k", &im), VGAE_OK);
    check_good(im, 1);
    vgae_images_free(im);
    char slash[128];
    snprintf(slash, sizeof slash, "%s/", fx->dir);
    assert_int_equal(vgae_images_read_split(fx->ctx, slash, "test", &im), VGAE_OK);
    check_good(im, 1);
    vgae_images_free(im);

    /* the dotted spelling, plain */
    write_plain(in_dir(fx, "train-images.idx3-ubyte"), img, ni);
    assert_error_contains(fx->ctx, vgae_images_read_split(fx->ctx, fx->dir, "train", &im),
                          "no train-labels-idx1-ubyte[.gz] (nor train-labels.idx1-ubyte[.gz])");
    assert_int_equal(vgae_ctx_status(fx->ctx), VGAE_ENOTFOUND);
    assert_null(im);
    write_plain(in_dir(fx, "train-labels.idx1-ubyte"), lab, nl);
    assert_int_equal(vgae_images_read_split(fx->ctx, fx->dir, "train", &im), VGAE_OK);
    check_good(im, 1);
    vgae_images_free(im);

    /* the undotted name comes first: a broken one is read and reported */
    write_plain(in_dir(fx, "train-images-idx3-ubyte"), img, ni - 1);
    assert_error_contains(fx->ctx, vgae_images_read_split(fx->ctx, fx->dir, "train", &im),
                          "train-images-idx3-ubyte: truncated: 18 pixel bytes expected, 17 present");

    assert_error_contains(fx->ctx, vgae_images_read_split(fx->ctx, fx->dir, "valid", &im),
                          "image split 'valid' is not train, t10k or test");
    assert_int_equal(vgae_ctx_status(fx->ctx), VGAE_EINVAL);
    assert_error_contains(fx->ctx, vgae_images_read_split(fx->ctx, in_dir(fx, "nowhere"), "train", &im),
                          "nowhere: cannot open: No such file or directory");
    assert_int_equal(vgae_ctx_status(fx->ctx), VGAE_ENOTFOUND);
    char empty[128];
    snprintf(empty, sizeof empty, "%s/empty", fx->dir);
    assert_int_equal(mkdir(empty, 0755), 0);
    assert_error_contains(fx->ctx, vgae_images_read_split(fx->ctx, empty, "t10k", &im),
                          "empty: no t10k-images-idx3-ubyte[.gz] (nor t10k-images.idx3-ubyte[.gz])");
}

/* MNIST's test set from the shared data folder. The figures were computed with Python from
 * t10k-images-idx3-ubyte.gz (md5 9fb629c4189551a2d022fa330f9573f3):
 *   d = gzip.open(...).read(); sum(d[16:]) == 264923200; sum(d[16:16+784]) == 18454;
 *   sum(d[-784:]) == 41833; and from the labels file, l[8:18] == [7,2,1,0,4,1,4,9,5,9],
 *   sum(l[8:]) == 44434. */
static void mnist_t10k(void **state)
{
    fixture *fx = *state;
    char *dir = shared_dataset(fx->ctx, "mnist");
    if (!dir)
        skip();
    vgae_images *im = NULL;
    vgae_status st = vgae_images_read_split(fx->ctx, dir, "t10k", &im);
    free(dir);
    if (st)
        fail_msg("%s", vgae_ctx_message(fx->ctx));
    assert_int_equal(im->n, 10000);
    assert_int_equal(im->height, 28);
    assert_int_equal(im->width, 28);
    assert_non_null(im->labels);
    static const uint8_t first[10] = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
    assert_memory_equal(im->labels, first, 10);
    int64_t label_sum = 0, total = 0, first_image = 0, last_image = 0;
    for (int64_t i = 0; i < im->n; i++)
        label_sum += im->labels[i];
    for (int64_t i = 0; i < im->n * 784; i++) {
        float v = im->pixels[i];
        long b = lrintf(v * 255.0f);
        assert_true(b >= 0 && b <= 255);
        assert_true(v == (float)b / 255.0f); /* exactly byte / 255 */
        total += b;
        if (i < 784)
            first_image += b;
        if (i >= (im->n - 1) * 784)
            last_image += b;
    }
    assert_int_equal(label_sum, 44434);
    assert_int_equal(total, 264923200);
    assert_int_equal(first_image, 18454);
    assert_int_equal(last_image, 41833);
    vgae_images_free(im);
}

/* ---- PNG ---- */

/* The whole file, its length in *len. */
static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)size);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks the signature and IHDR (width, height, 8-bit gray) and decodes the pixels with
 * libpng's simplified API; returns them (width * height bytes). */
static uint8_t *check_png(const char *path, uint32_t width, uint32_t height)
{
    size_t len = 0;
    uint8_t *file = read_all(path, &len);
    assert_true(len > 33);
    assert_memory_equal(file, "\x89PNG\r\n\x1a\n", 8);
    assert_memory_equal(file + 12, "IHDR", 4);
    assert_int_equal(be32(file + 16), width);
    assert_int_equal(be32(file + 20), height);
    assert_int_equal(file[24], 8); /* bit depth */
    assert_int_equal(file[25], 0); /* color type: grayscale */
    free(file);

    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path))
        fail_msg("%s: %s", path, img.message);
    assert_int_equal(img.width, width);
    assert_int_equal(img.height, height);
    assert_int_equal(img.format, PNG_FORMAT_GRAY);
    img.format = PNG_FORMAT_GRAY;
    uint8_t *pixels = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(pixels);
    if (!png_image_finish_read(&img, NULL, pixels, 0, NULL))
        fail_msg("%s: %s", path, img.message);
    assert_int_equal(PNG_IMAGE_SIZE(img), (size_t)width * height);
    return pixels;
}

static void png_gray(void **state)
{
    fixture *fx = *state;
    static const uint8_t pixels[6] = {0, 128, 255, 1, 254, 77}; /* 3 wide, 2 tall */
    const char *p = in_dir(fx, "small.png");
    assert_int_equal(vgae_png_write_gray(fx->ctx, p, pixels, 3, 2), VGAE_OK);
    uint8_t *back = check_png(p, 3, 2);
    assert_memory_equal(back, pixels, 6);
    free(back);
    assert_int_equal(count_entries(fx->dir), 1); /* no temporary file left */

    /* overwrite with a larger image */
    uint8_t big[300 * 200];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + i / 300);
    assert_int_equal(vgae_png_write_gray(fx->ctx, p, big, 300, 200), VGAE_OK);
    back = check_png(p, 300, 200);
    assert_memory_equal(back, big, sizeof big);
    free(back);
    assert_int_equal(count_entries(fx->dir), 1);
}

/* The expected grid, pixel by pixel from the definition. */
static uint8_t *expected_grid(const uint8_t *bytes, int64_t n, int32_t h, int32_t w, int32_t cols, int32_t pad,
                              uint8_t background, int32_t zoom, uint32_t *width, uint32_t *height)
{
    int64_t rows = (n + cols - 1) / cols;
    int64_t gw = cols * (w + pad) + pad, gh = rows * (h + pad) + pad;
    *width = (uint32_t)(gw * zoom);
    *height = (uint32_t)(gh * zoom);
    uint8_t *out = malloc((size_t)(*width) * (*height));
    assert_non_null(out);
    for (uint32_t y = 0; y < *height; y++)
        for (uint32_t x = 0; x < *width; x++) {
            int64_t gx = x / zoom, gy = y / zoom;
            uint8_t v = background;
            for (int64_t k = 0; k < n; k++) {
                int64_t x0 = pad + (k % cols) * (w + pad), y0 = pad + (k / cols) * (h + pad);
                if (gx >= x0 && gx < x0 + w && gy >= y0 && gy < y0 + h)
                    v = bytes[k * h * w + (gy - y0) * w + (gx - x0)];
            }
            out[(size_t)y * *width + x] = v;
        }
    return out;
}

static void png_grid(void **state)
{
    fixture *fx = *state;
    /* 3 images of 2 x 3; the bytes each value becomes (clamped, floor(v * 255 + 0.5) in double:
     * 254.5f / 255 is just below 254.5 / 255, and 0.7f * 255 just below 178.5) */
    const float images[18] = {0.0f, 1.0f, 0.5f, -1.0f, 2.0f, INFINITY,
                              -INFINITY, 0.25f, 0.1f, 200.0f / 255, 1.0f / 255, 254.5f / 255,
                              0.998f, 0.002f, 0.3f, 128.0f / 255, 0.75f, 1e-30f};
    const uint8_t bytes[18] = {0, 255, 128, 0, 255, 255, 0, 64, 26, 200, 1, 254, 254, 1, 77, 128, 191, 0};
    const char *p = in_dir(fx, "grid.png");
    struct {
        int32_t cols, pad, zoom;
        float background;
        uint8_t bg;
    } cases[] = {
        {2, 1, 2, 0.5f, 128}, {3, 0, 1, 0.0f, 0}, {1, 2, 3, 1.0f, 255}, {5, 1, 1, 0.2f, 51}, {2, 0, 1, 0.7f, 178},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint32_t width, height;
        uint8_t *want = expected_grid(bytes, 3, 2, 3, cases[c].cols, cases[c].pad, cases[c].bg, cases[c].zoom,
                                      &width, &height);
        assert_int_equal(vgae_png_write_grid(fx->ctx, p, images, 3, 2, 3, cases[c].cols, cases[c].pad,
                                             cases[c].background, cases[c].zoom),
                         VGAE_OK);
        uint8_t *got = check_png(p, width, height);
        if (memcmp(got, want, (size_t)width * height) != 0)
            fail_msg("grid case %zu (%u x %u) differs", c, width, height);
        free(got);
        free(want);
    }
    /* case 0 spelled out: 18 x 14, image 0's first row at (2..7, 2..3) */
    assert_int_equal(vgae_png_write_grid(fx->ctx, p, images, 3, 2, 3, 2, 1, 0.5f, 2), VGAE_OK);
    uint8_t *got = check_png(p, 18, 14);
    static const uint8_t row2[18] = {128, 128, 0, 0, 255, 255, 128, 128, 128, 128, 0, 0, 64, 64, 26, 26, 128, 128};
    assert_memory_equal(got + 2 * 18, row2, 18);
    assert_memory_equal(got + 3 * 18, row2, 18);
    free(got);
    assert_int_equal(count_entries(fx->dir), 1);
}

static void png_bad_arguments(void **state)
{
    fixture *fx = *state;
    const char *p = in_dir(fx, "bad.png");
    static const uint8_t px[6] = {0};
    float im[6] = {0};
    assert_fails_cleanly(fx, vgae_png_write_gray(fx->ctx, p, px, 0, 2), VGAE_EINVAL,
                         "bad.png: PNG size 0 x 2 is invalid (1..1000000 a side)");
    assert_fails_cleanly(fx, vgae_png_write_gray(fx->ctx, p, px, 3, 1000001), VGAE_EINVAL, "3 x 1000001 is invalid");
    assert_fails_cleanly(fx, vgae_png_write_gray(fx->ctx, p, NULL, 3, 2), VGAE_EINVAL,
                         "bad.png: pixels are NULL for a 3 x 2 PNG");
    assert_fails_cleanly(fx, vgae_png_write_gray(fx->ctx, NULL, px, 3, 2), VGAE_EINVAL, "no output path given");

    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 0, 2, 3, 2, 1, 0, 1), VGAE_EINVAL,
                         "bad.png: 0 images of 2 x 3 pixels: need at least one pixel");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 1, 2, 0, 2, 1, 0, 1), VGAE_EINVAL,
                         "1 images of 2 x 0 pixels");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 1, 2, 3, 0, 1, 0, 1), VGAE_EINVAL,
                         "grid of 0 columns, padding 1, zoom 1 is invalid");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 1, 2, 3, 1, -1, 0, 1), VGAE_EINVAL,
                         "padding -1");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 1, 2, 3, 1, 0, 0, 0), VGAE_EINVAL, "zoom 0");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 1, 2, 3, 1, 0, 1.5f, 1), VGAE_EINVAL,
                         "background 1.5 is not in [0, 1]");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 1, 2, 3, 1, 0, NAN, 1), VGAE_EINVAL,
                         "background nan is not in [0, 1]");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 10000000, 28, 28, 100, 2, 0, 1), VGAE_EINVAL,
                         "a grid of 10000000 images of 28 x 28, 100 wide, would be a 3002 x 3000002 PNG");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, INT64_MAX, 28, 28, 1, 2, 0, 1), VGAE_EINVAL,
                         "(at most 1000000 a side)");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 1, 200, 200, 1, 0, 0, 10000), VGAE_EINVAL,
                         "would be a 2000000 x 2000000 PNG");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, NULL, 1, 2, 3, 1, 0, 0, 1), VGAE_EINVAL,
                         "images are NULL for 1 images of 2 x 3");
    im[5] = NAN;
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, p, im, 1, 2, 3, 1, 0, 0, 1), VGAE_EINVAL,
                         "bad.png: image 0, pixel (1, 2) is nan");
}

static void png_unwritable(void **state)
{
    fixture *fx = *state;
    static const uint8_t px[6] = {0};
    const float im[6] = {0};
    char missing[256];
    snprintf(missing, sizeof missing, "%s/nope/out.png", fx->dir);
    assert_fails_cleanly(fx, vgae_png_write_gray(fx->ctx, missing, px, 3, 2), VGAE_EIO,
                         "nope/out.png: cannot write: No such file or directory");
    assert_fails_cleanly(fx, vgae_png_write_grid(fx->ctx, missing, im, 1, 2, 3, 1, 0, 0, 1), VGAE_EIO,
                         "nope/out.png: cannot write: No such file or directory");
    const char *sub = in_dir(fx, "folder.png");
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_error_contains(fx->ctx, vgae_png_write_gray(fx->ctx, sub, px, 3, 2), "folder.png: is a directory");
    assert_int_equal(count_entries(fx->dir), 1);
    assert_int_equal(count_entries(sub), 0);
}

/* A write that fails half-way (the file size limit, with SIGXFSZ ignored, makes write() fail
 * with EFBIG): libpng's error jumps back, everything is freed (ASan checks), no file remains
 * and an existing file is kept. */
static void png_write_fails_midway(void **state)
{
    fixture *fx = *state;
    enum { W = 1000, H = 1000 };
    uint8_t *noise = malloc(W * H);
    assert_non_null(noise);
    uint32_t s = 12345;
    for (size_t i = 0; i < (size_t)W * H; i++) {
        s = s * 1664525u + 1013904223u;
        noise[i] = (uint8_t)(s >> 24);
    }
    const char *p = in_dir(fx, "noise.png");
    static const uint8_t px[6] = {1, 2, 3, 4, 5, 6};
    assert_int_equal(vgae_png_write_gray(fx->ctx, p, px, 3, 2), VGAE_OK);

    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 64 * 1024;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    vgae_status st = vgae_png_write_gray(fx->ctx, p, noise, W, H);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
    free(noise);

    assert_error_contains(fx->ctx, st, "noise.png: cannot write: File too large");
    assert_int_equal(vgae_ctx_status(fx->ctx), VGAE_EIO);
    assert_int_equal(count_entries(fx->dir), 1);
    uint8_t *back = check_png(p, 3, 2);
    assert_memory_equal(back, px, 6);
    free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_plain_and_gzip, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(truncated_files, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(wrong_magic_and_type, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(label_count_mismatch, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(trailing_garbage, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(zero_and_absurd_dimensions, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(missing_files, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(split_names, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(mnist_t10k, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(png_gray, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(png_grid, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(png_bad_arguments, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(png_unwritable, tmpdir_setup, tmpdir_teardown),
        cmocka_unit_test_setup_teardown(png_write_fails_midway, tmpdir_setup, tmpdir_teardown),
    };
    return cmocka_run_group_tests_name("images", tests, NULL, NULL);
}
