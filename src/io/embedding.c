/* Node embedding export: word2vec text, TSV, NumPy .npy and MatrixMarket array, written atomically. */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/bytes.h"
#include "core/internal.h"
#include "vgae/io/outfile.h"
#include "vgae/io/embedding.h"

static const char *const format_names[] = {"w2v", "tsv", "npy", "mtx"};
#define N_FORMATS ((int)(sizeof format_names / sizeof format_names[0]))

vgae_status vgae_embed_format_from_name(vgae_ctx *ctx, const char *name, vgae_embed_format *out)
{
    if (!name)
        return vgae_fail(ctx, VGAE_EINVAL, "no embedding format given (w2v, tsv, npy or mtx)");
    for (int k = 0; k < N_FORMATS; k++) {
        if (strcmp(name, format_names[k]) == 0) {
            *out = (vgae_embed_format)k;
            return VGAE_OK;
        }
    }
    return vgae_fail(ctx, VGAE_EINVAL, "unknown embedding format '%s' (w2v, tsv, npy or mtx)", name);
}

const char *vgae_embed_format_name(vgae_embed_format f)
{
    int k = (int)f;
    return k >= 0 && k < N_FORMATS ? format_names[k] : "unknown";
}

/* ASCII-only, locale-free case-insensitive comparison. */
static int same_ascii_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

int vgae_embed_format_guess(const char *path)
{
    static const struct {
        const char *ext;
        vgae_embed_format format;
    } exts[] = {
        {"w2v", VGAE_EMBED_W2V}, {"txt", VGAE_EMBED_W2V}, {"vec", VGAE_EMBED_W2V},
        {"tsv", VGAE_EMBED_TSV}, {"npy", VGAE_EMBED_NPY}, {"mtx", VGAE_EMBED_MTX},
    };
    if (!path)
        return -1;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    while (*base == '.') /* as os.path.splitext: ".npy" alone is a name, not an extension */
        base++;
    const char *dot = strrchr(base, '.');
    if (!dot)
        return -1;
    for (size_t k = 0; k < sizeof exts / sizeof exts[0]; k++)
        if (same_ascii_nocase(dot + 1, exts[k].ext))
            return (int)exts[k].format;
    return -1;
}

/* ---- checks, all before the output file is opened ---- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. Refuses what Python's
 * strict decoder refuses: overlong forms, surrogates, code points beyond U+10FFFF. */
static int utf8_length(const unsigned char *s)
{
    unsigned c = s[0];
    int len;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        min = 0x80;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        min = 0x800;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        min = 0x10000;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (int k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static int is_c_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Whether the format can hold every name; the message names the first that it cannot. */
static vgae_status check_names(vgae_ctx *ctx, const char *path, vgae_embed_format format,
                               char *const *names, int64_t n)
{
    if (!names)
        return VGAE_OK;
    for (int64_t i = 0; i < n; i++) {
        const char *name = names[i];
        if (!name)
            return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "the name of node %lld is NULL", (long long)i);
        if (format == VGAE_EMBED_NPY || format == VGAE_EMBED_MTX)
            continue; /* names are not stored */
        if (!*name)
            return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "node %lld has an empty name; %s cannot hold it",
                                (long long)i, format == VGAE_EMBED_W2V ? "word2vec text" : "tsv");
        if (format == VGAE_EMBED_W2V) {
            for (const char *p = name; *p;) {
                int len = utf8_length((const unsigned char *)p);
                if (is_c_space(*p))
                    return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                                        "node %lld name '%s' contains whitespace; word2vec text cannot hold it "
                                        "(use tsv)",
                                        (long long)i, name);
                if (!len)
                    return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                                        "node %lld name '%s' is not valid UTF-8; word2vec readers refuse it "
                                        "(use tsv)",
                                        (long long)i, name);
                p += len;
            }
        } else if (strpbrk(name, "\t\n\r")) {
            return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                                "node %lld name '%s' contains a tab or line break; tsv cannot hold it",
                                (long long)i, name);
        }
    }
    return VGAE_OK;
}

static vgae_status check_args(vgae_ctx *ctx, const char *path, vgae_embed_format format,
                              const float *data, int64_t n, int64_t d, char *const *names)
{
    if (!path)
        return vgae_fail(ctx, VGAE_EINVAL, "embedding export: no output path given");
    if ((int)format < 0 || (int)format >= N_FORMATS)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "embedding format %d is not one of w2v, tsv, npy, mtx",
                            (int)format);
    if (n < 0 || d < 1)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                            "embedding shape %lld x %lld is invalid (need n >= 0 nodes, d >= 1 columns)",
                            (long long)n, (long long)d);
    if (n > 0 && (n > INT64_MAX / d || (uint64_t)(n * d) > SIZE_MAX / sizeof(float)))
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "embedding shape %lld x %lld is too large",
                            (long long)n, (long long)d);
    if (n > 0 && !data)
        return vgae_fail_at(ctx, VGAE_EINVAL, path, 0, "embedding data is NULL for %lld x %lld values",
                            (long long)n, (long long)d);
    for (int64_t i = 0; i < n; i++) {
        for (int64_t j = 0; j < d; j++) {
            float v = data[i * d + j];
            if (isfinite(v))
                continue;
            const char *what = isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
            if (names && names[i])
                return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                                    "embedding of node %lld ('%s'), column %lld is %s, not a finite number",
                                    (long long)i, names[i], (long long)j, what);
            return vgae_fail_at(ctx, VGAE_EINVAL, path, 0,
                                "embedding of node %lld, column %lld is %s, not a finite number",
                                (long long)i, (long long)j, what);
        }
    }
    return check_names(ctx, path, format, names, n);
}

/* ---- writers: they only write; a write error shows in ferror and is reported by the commit ---- */

static void put_name(FILE *f, char *const *names, int64_t i)
{
    if (names)
        fputs(names[i], f);
    else
        fprintf(f, "%lld", (long long)i);
}

static void write_w2v(FILE *f, const float *data, int64_t n, int64_t d, char *const *names)
{
    fprintf(f, "%lld %lld\n", (long long)n, (long long)d);
    for (int64_t i = 0; i < n && !ferror(f); i++) {
        put_name(f, names, i);
        for (int64_t j = 0; j < d; j++)
            fprintf(f, " %.9g", (double)data[i * d + j]);
        fputc('\n', f);
    }
}

static void write_tsv(FILE *f, const float *data, int64_t n, int64_t d, char *const *names)
{
    fputs("node", f);
    for (int64_t j = 0; j < d; j++)
        fprintf(f, "\td%lld", (long long)j);
    fputc('\n', f);
    for (int64_t i = 0; i < n && !ferror(f); i++) {
        put_name(f, names, i);
        for (int64_t j = 0; j < d; j++)
            fprintf(f, "\t%.9g", (double)data[i * d + j]);
        fputc('\n', f);
    }
}

static void write_mtx(FILE *f, const float *data, int64_t n, int64_t d)
{
    fputs("%%MatrixMarket matrix array real general\n"
          "% vgae node embeddings: row i is node i\n",
          f);
    fprintf(f, "%lld %lld\n", (long long)n, (long long)d);
    for (int64_t j = 0; j < d && !ferror(f); j++) /* column-major, as the array format requires */
        for (int64_t i = 0; i < n; i++)
            fprintf(f, "%.9g\n", (double)data[i * d + j]);
}

/* Version 1.0: magic, version, little-endian uint16 header length, the header dict padded with
 * spaces and a final '\n' so that the data starts at a multiple of 64 bytes (numpy's ARRAY_ALIGN),
 * then the float32 values little-endian, written bytewise so that the host's order does not
 * matter. */
static void write_npy(FILE *f, const float *data, int64_t n, int64_t d)
{
    char dict[160];
    int len = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%lld, %lld), }",
                       (long long)n, (long long)d);
    size_t pad = (64 - (10 + (size_t)len + 1) % 64) % 64;
    size_t header_len = (size_t)len + pad + 1; /* < 160 + 64: fits in uint16 */
    unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    vgae_put_le(prefix + 8, header_len, 2);
    fwrite(prefix, 1, sizeof prefix, f);
    fwrite(dict, 1, (size_t)len, f);
    for (size_t k = 0; k < pad; k++)
        fputc(' ', f);
    fputc('\n', f);

    unsigned char buf[4096];
    size_t used = 0;
    int64_t total = n * d;
    for (int64_t k = 0; k < total; k++) {
        uint32_t bits;
        memcpy(&bits, &data[k], sizeof bits);
        vgae_put_le(buf + used, bits, 4);
        used += 4;
        if (used == sizeof buf) {
            if (fwrite(buf, 1, used, f) != used)
                return;
            used = 0;
        }
    }
    if (used)
        fwrite(buf, 1, used, f);
}

vgae_status vgae_embed_write(vgae_ctx *ctx, const char *path, vgae_embed_format format,
                             const float *data, int64_t n, int64_t d, char *const *names)
{
    vgae_status st = check_args(ctx, path, format, data, n, d, names);
    if (st)
        return st;

    /* "%.9g" in the C locale whatever the process's: uselocale changes this thread only. */
    locale_t c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c_numeric == (locale_t)0)
        return vgae_fail(ctx, VGAE_ENOMEM, "cannot create the C locale for number formatting");

    vgae_outfile *out;
    st = vgae_outfile_open(ctx, path, &out);
    if (st) {
        freelocale(c_numeric);
        return st;
    }
    locale_t old = uselocale(c_numeric);
    switch (format) {
    case VGAE_EMBED_W2V: write_w2v(vgae_outfile_stream(out), data, n, d, names); break;
    case VGAE_EMBED_TSV: write_tsv(vgae_outfile_stream(out), data, n, d, names); break;
    case VGAE_EMBED_NPY: write_npy(vgae_outfile_stream(out), data, n, d); break;
    case VGAE_EMBED_MTX: write_mtx(vgae_outfile_stream(out), data, n, d); break;
    }
    uselocale(old);
    freelocale(c_numeric);
    return vgae_outfile_commit(ctx, out);
}
