/* MatrixMarket files: the reader (banner, size line, entries into checked triplets) and the graph writer. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "core/internal.h"
#include "io/lines.h"
#include "io/mtx.h"
#include "vgae/io/graph_file.h"
#include "vgae/io/outfile.h"

void vgae_mtx_free(vgae_mtx *m)
{
    if (!m)
        return;
    free(m->row);
    free(m->col);
    free(m->val);
    free(m);
}

/* Splits s in place into at most max blank-separated words; returns the count
 * (max + 1 if there were more). */
static int split_words(char *s, char **words, int max)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            return n;
        if (n == max)
            return max + 1;
        words[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        if (*s)
            *s++ = '\0';
    }
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* Parses a non-negative decimal integer that fills the whole word. */
static int parse_count(const char *w, int64_t *out)
{
    char *end;
    long long v;
    if (!isdigit((unsigned char)w[0]))
        return 0;
    errno = 0;
    v = strtoll(w, &end, 10);
    if (*end || errno == ERANGE)
        return 0;
    *out = v;
    return 1;
}

typedef struct header {
    int is_array, symmetric;
    vgae_mtx_field field;
} header;

static vgae_status parse_banner(vgae_ctx *ctx, const char *path, char *line, header *h)
{
    char *w[6];
    int n = split_words(line, w, 5);
    if (n < 1 || strcasecmp(w[0], "%%MatrixMarket") != 0)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 1,
                            "not a MatrixMarket file (the first line must start with %%%%MatrixMarket)");
    if (n != 5)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 1,
                            "MatrixMarket banner must have 5 words: %%%%MatrixMarket matrix "
                            "<coordinate|array> <real|integer|pattern> <general|symmetric>");
    if (strcasecmp(w[1], "matrix") != 0)
        return vgae_fail_at(ctx, VGAE_EUNSUPPORTED, path, 1,
                            "unsupported MatrixMarket object '%s' (only 'matrix')", w[1]);
    if (strcasecmp(w[2], "coordinate") == 0)
        h->is_array = 0;
    else if (strcasecmp(w[2], "array") == 0)
        h->is_array = 1;
    else
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 1,
                            "unknown MatrixMarket format '%s' (expected coordinate or array)", w[2]);
    if (strcasecmp(w[3], "real") == 0 || strcasecmp(w[3], "double") == 0)
        h->field = VGAE_MTX_REAL;
    else if (strcasecmp(w[3], "integer") == 0)
        h->field = VGAE_MTX_INTEGER;
    else if (strcasecmp(w[3], "pattern") == 0)
        h->field = VGAE_MTX_PATTERN;
    else if (strcasecmp(w[3], "complex") == 0)
        return vgae_fail_at(ctx, VGAE_EUNSUPPORTED, path, 1,
                            "complex MatrixMarket matrices are not supported");
    else
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 1, "unknown MatrixMarket field '%s'", w[3]);
    if (h->is_array && h->field == VGAE_MTX_PATTERN)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 1,
                            "'array pattern' is not a valid MatrixMarket combination");
    if (strcasecmp(w[4], "general") == 0)
        h->symmetric = 0;
    else if (strcasecmp(w[4], "symmetric") == 0)
        h->symmetric = 1;
    else if (strcasecmp(w[4], "hermitian") == 0 || strcasecmp(w[4], "skew-symmetric") == 0)
        return vgae_fail_at(ctx, VGAE_EUNSUPPORTED, path, 1,
                            "%s MatrixMarket matrices are not supported (only general or symmetric)",
                            w[4]);
    else
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, 1, "unknown MatrixMarket symmetry '%s'", w[4]);
    return VGAE_OK;
}

/* Reads and checks the size line; returns the number of entry lines to expect. */
static vgae_status parse_size(vgae_ctx *ctx, const char *path, int64_t lineno, char *line,
                              const header *h, vgae_mtx *m, int64_t *expect)
{
    char *w[4];
    int64_t r = 0, c = 0, nz = 0;
    int want = h->is_array ? 2 : 3;
    int n = split_words(line, w, 3);
    if (n != want || !parse_count(w[0], &r) || !parse_count(w[1], &c) ||
        (!h->is_array && !parse_count(w[2], &nz)))
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, lineno,
                            "bad size line: expected %s", h->is_array ? "'rows cols'" : "'rows cols entries'");
    if (r > INT32_MAX || c > INT32_MAX)
        return vgae_fail_at(ctx, VGAE_ERANGE, path, lineno,
                            "matrix size %lld x %lld is too large (at most %d rows and columns)",
                            (long long)r, (long long)c, INT32_MAX);
    if (h->symmetric && r != c)
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, lineno,
                            "a symmetric matrix must be square, not %lld x %lld", (long long)r, (long long)c);
    {
        /* At most rows*cols entries (lower triangle with diagonal if symmetric). */
        double cells = h->symmetric ? (double)r * ((double)r + 1) / 2 : (double)r * (double)c;
        if (h->is_array)
            nz = h->symmetric ? (int64_t)cells : r * c;
        else if ((double)nz > cells)
            return vgae_fail_at(ctx, VGAE_ERANGE, path, lineno,
                                "header declares %lld entries, more than a %lld x %lld matrix can hold",
                                (long long)nz, (long long)r, (long long)c);
    }
    char rule[160];
    if (r > vgae_max_nodes(ctx, nz) || c > vgae_max_nodes(ctx, nz))
        return vgae_fail_at(ctx, VGAE_ERANGE, path, lineno,
                            "header declares a %lld x %lld matrix with only %lld entries; rows and "
                            "columns %s", (long long)r, (long long)c, (long long)nz,
                            vgae_max_nodes_rule(ctx, nz, rule));
    m->rows = (int32_t)r;
    m->cols = (int32_t)c;
    *expect = nz;
    return VGAE_OK;
}

static vgae_status parse_value(vgae_ctx *ctx, const char *path, int64_t lineno, const char *w,
                               vgae_mtx_field field, double *out)
{
    char *end;
    double v;
    errno = 0;
    if (field == VGAE_MTX_INTEGER) {
        long long iv = strtoll(w, &end, 10);
        if (end == w || *end || errno == ERANGE)
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, lineno, "'%s' is not an integer", w);
        v = (double)iv;
    } else {
        v = strtod(w, &end);
        if (end == w || *end)
            return vgae_fail_at(ctx, VGAE_EFORMAT, path, lineno, "'%s' is not a number", w);
    }
    if (!isfinite(v))
        return vgae_fail_at(ctx, VGAE_EFORMAT, path, lineno, "value '%s' is not finite", w);
    *out = v;
    return VGAE_OK;
}

static vgae_status push_entry(vgae_ctx *ctx, vgae_mtx *m, size_t *cap, int64_t expect, int32_t i,
                              int32_t j, double v)
{
    if ((size_t)m->nnz == *cap) {
        size_t want = *cap ? *cap * 2 : 1024;
        size_t c;
        if (want > (size_t)expect)
            want = (size_t)expect;
        c = *cap;
        if (vgae_grow(ctx, (void **)&m->row, &c, want, sizeof *m->row))
            return VGAE_ENOMEM;
        c = *cap;
        if (vgae_grow(ctx, (void **)&m->col, &c, want, sizeof *m->col))
            return VGAE_ENOMEM;
        if (m->field != VGAE_MTX_PATTERN) {
            c = *cap;
            if (vgae_grow(ctx, (void **)&m->val, &c, want, sizeof *m->val))
                return VGAE_ENOMEM;
        }
        *cap = c;
    }
    m->row[m->nnz] = i;
    m->col[m->nnz] = j;
    if (m->val)
        m->val[m->nnz] = v;
    m->nnz++;
    return VGAE_OK;
}

vgae_status vgae_mtx_read(vgae_ctx *ctx, const char *path, vgae_mtx **out)
{
    vgae_lines lines;
    vgae_mtx *m = NULL;
    header h = {0, 0, VGAE_MTX_PATTERN};
    vgae_status st;
    char *line, *w[4];
    size_t len, cap = 0;
    int64_t expect = 0, seen = 0;
    int got, have_size = 0;
    /* array files list column by column; symmetric ones only the lower triangle */
    int64_t ai = 0, aj = 0;

    *out = NULL;
    st = vgae_lines_open(ctx, &lines, path);
    if (st)
        return st;
    m = vgae_calloc(ctx, 1, sizeof *m);
    if (!m) {
        st = VGAE_ENOMEM;
        goto fail;
    }
    got = vgae_lines_next(ctx, &lines, &line, &len);
    if (got < 0) {
        st = vgae_ctx_status(ctx);
        goto fail;
    }
    if (got == 0) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "empty file (expected a MatrixMarket header)");
        goto fail;
    }
    st = parse_banner(ctx, path, line, &h);
    if (st)
        goto fail;
    m->is_array = h.is_array;
    m->symmetric = h.symmetric;
    m->field = h.field;

    while ((got = vgae_lines_next(ctx, &lines, &line, &len)) == 1) {
        if (line[0] == '%' || is_blank(line))
            continue;
        if (!have_size) {
            st = parse_size(ctx, path, lines.lineno, line, &h, m, &expect);
            if (st)
                goto fail;
            have_size = 1;
            continue;
        }
        if (seen == expect) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno,
                              "more entries than the %lld the header declares", (long long)expect);
            goto fail;
        }
        if (h.is_array) {
            double v;
            if (split_words(line, w, 1) != 1) {
                st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno,
                                  "expected one value per line in an array file");
                goto fail;
            }
            st = parse_value(ctx, path, lines.lineno, w[0], h.field, &v);
            if (st)
                goto fail;
            if (v != 0.0) {
                st = push_entry(ctx, m, &cap, expect, (int32_t)ai, (int32_t)aj, v);
                if (st)
                    goto fail;
            }
            if (++ai == m->rows) {
                aj++;
                ai = h.symmetric ? aj : 0;
            }
        } else {
            int want = h.field == VGAE_MTX_PATTERN ? 2 : 3;
            int64_t i, j;
            double v = 1.0;
            int n = split_words(line, w, 3);
            if (n != want) {
                st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno,
                                  "expected %d fields ('row col%s'), found %s", want,
                                  want == 3 ? " value" : "", n > 3 ? "more" : n == 1 ? "1" : n == 2 ? "2" : "3");
                goto fail;
            }
            if (!parse_count(w[0], &i) || !parse_count(w[1], &j)) {
                st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno,
                                  "row and column must be positive integers, found '%s %s'", w[0], w[1]);
                goto fail;
            }
            if (i < 1 || i > m->rows || j < 1 || j > m->cols) {
                st = vgae_fail_at(ctx, VGAE_ERANGE, path, lines.lineno,
                                  "index (%lld, %lld) out of range for a %d x %d matrix", (long long)i,
                                  (long long)j, m->rows, m->cols);
                goto fail;
            }
            if (h.symmetric && i < j) {
                st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno,
                                  "entry (%lld, %lld) is above the diagonal; a symmetric file stores "
                                  "only the lower triangle", (long long)i, (long long)j);
                goto fail;
            }
            if (want == 3) {
                st = parse_value(ctx, path, lines.lineno, w[2], h.field, &v);
                if (st)
                    goto fail;
            }
            st = push_entry(ctx, m, &cap, expect, (int32_t)(i - 1), (int32_t)(j - 1), v);
            if (st)
                goto fail;
        }
        seen++;
    }
    if (got < 0) {
        st = vgae_ctx_status(ctx);
        goto fail;
    }
    if (!have_size) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno + 1, "missing size line after the banner");
        goto fail;
    }
    if (seen < expect) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, lines.lineno + 1,
                          "file ends after %lld of the %lld entries the header declares", (long long)seen,
                          (long long)expect);
        goto fail;
    }
    vgae_lines_close(&lines);
    *out = m;
    return VGAE_OK;
fail:
    vgae_lines_close(&lines);
    vgae_mtx_free(m);
    return st;
}

/* ---- writing a graph as a MatrixMarket pattern file (plain or gzip) ---- */

/* Lines are formatted into this buffer and written in large pieces: fprintf
 * per edge would spend longer than the rest of the writing. */
typedef struct sink {
    FILE *f;    /* plain output, or */
    gzFile gz;  /* compressed output */
    char buf[1 << 16];
    size_t len;
    int failed;
} sink;

static void sink_flush(sink *s)
{
    if (s->len && !s->failed) {
        if (s->gz)
            s->failed = gzwrite(s->gz, s->buf, (unsigned)s->len) != (int)s->len;
        else
            s->failed = fwrite(s->buf, 1, s->len, s->f) != s->len;
    }
    s->len = 0;
}

static void sink_text(sink *s, const char *text, size_t n)
{
    while (n > 0) {
        if (s->len == sizeof s->buf)
            sink_flush(s);
        size_t k = sizeof s->buf - s->len < n ? sizeof s->buf - s->len : n;
        memcpy(s->buf + s->len, text, k);
        s->len += k;
        text += k;
        n -= k;
    }
}

/* Appends the decimal digits of x and then `after`. */
static inline void sink_u64(sink *s, uint64_t x, char after)
{
    char digits[24];
    int k = 0;
    do {
        digits[k++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    if (s->len + (size_t)k + 1 > sizeof s->buf)
        sink_flush(s);
    while (k > 0)
        s->buf[s->len++] = digits[--k];
    s->buf[s->len++] = after;
}

static int ends_with_gz(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

static void write_body(vgae_ctx *ctx, sink *s, const vgae_graph *g, const char *comment)
{
    static const char banner[] = "%%MatrixMarket matrix coordinate pattern symmetric\n";
    sink_text(s, banner, sizeof banner - 1);
    for (const char *p = comment; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        sink_text(s, "% ", 2);
        sink_text(s, p, n);
        sink_text(s, "\n", 1);
        p += n + (end != NULL);
    }
    sink_u64(s, (uint64_t)g->n, ' ');
    sink_u64(s, (uint64_t)g->n, ' ');
    sink_u64(s, (uint64_t)g->n_edges, '\n');
    /* column j's entries below the diagonal are row j's larger neighbours */
    int64_t written = 0;
    vgae_progress(ctx, "writing", 0, g->n_edges);
    for (int32_t j = 0; j < g->n; j++)
        for (int64_t p = g->rowptr[j]; p < g->rowptr[j + 1]; p++)
            if (g->adj[p] > j) {
                sink_u64(s, (uint64_t)g->adj[p] + 1, ' ');
                sink_u64(s, (uint64_t)j + 1, '\n');
                if ((++written & 0xffff) == 0)
                    vgae_progress(ctx, "writing", written, g->n_edges);
            }
    sink_flush(s);
    vgae_progress(ctx, "writing", g->n_edges, g->n_edges);
}

vgae_status vgae_graph_write_mtx(vgae_ctx *ctx, const vgae_graph *g, const char *path,
                                 const char *comment)
{
    vgae_outfile *out;
    vgae_status st = vgae_outfile_open(ctx, path, &out);
    if (st)
        return st;
    sink *s = vgae_calloc(ctx, 1, sizeof *s);
    if (!s) {
        vgae_outfile_abort(out);
        return VGAE_ENOMEM;
    }
    s->f = vgae_outfile_stream(out);
    if (strcmp(path, "-") != 0 && ends_with_gz(path)) {
        /* zlib writes through its own descriptor; the stream stays empty */
        int fd = dup(fileno(vgae_outfile_stream(out)));
        s->gz = fd >= 0 ? gzdopen(fd, "wb1") : NULL;
        if (!s->gz) {
            int err = errno;
            if (fd >= 0)
                close(fd);
            free(s);
            vgae_outfile_abort(out);
            return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s",
                                fd < 0 ? strerror(err) : "out of memory");
        }
    }
    errno = 0;
    write_body(ctx, s, g, comment);
    if (s->gz && gzclose(s->gz) != Z_OK)
        s->failed = 1;
    const int failed = s->failed, err = errno;
    free(s);
    if (failed) {
        vgae_outfile_abort(out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s",
                            err ? strerror(err) : "write error");
    }
    return vgae_outfile_commit(ctx, out);
}
