/* MatrixMarket reader: banner, size line and entries into triplets, with checks. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "io/lines.h"
#include "io/mtx.h"

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
    if (r > vgae_max_nodes(nz) || c > vgae_max_nodes(nz))
        return vgae_fail_at(ctx, VGAE_ERANGE, path, lineno,
                            "header declares a %lld x %lld matrix with only %lld entries; refusing "
                            "more than 2^24 + 16 per entry rows or columns",
                            (long long)r, (long long)c, (long long)nz);
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
