/* Sequence files: a sequence a line (the whole line, a SMILES file's first
 * field or a CSV file's), UTF-8 checked, kept by length and alphabet; the
 * alphabet learned from them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "io/lines.h"
#include "vgae/io/sequences.h"

static const char *const format_names[] = {"auto", "lines", "smi", "csv"};

const char *vgae_seq_format_name(vgae_seq_format f)
{
    return f >= VGAE_SEQ_AUTO && f <= VGAE_SEQ_CSV ? format_names[f] : "unknown";
}

vgae_status vgae_seq_format_from_name(vgae_ctx *ctx, const char *name, vgae_seq_format *out)
{
    for (int f = VGAE_SEQ_AUTO; f <= VGAE_SEQ_CSV; f++)
        if (!strcmp(name, format_names[f])) {
            *out = (vgae_seq_format)f;
            return VGAE_OK;
        }
    return ctx ? vgae_fail(ctx, VGAE_EINVAL, "unknown sequence format '%.40s' (auto, lines, smi, csv)", name)
               : VGAE_EINVAL;
}

int vgae_utf8_get(const unsigned char *s, size_t n, uint32_t *c)
{
    if (n == 0)
        return 0;
    const unsigned b = s[0];
    int len;
    uint32_t v, least;
    if (b < 0x80) {
        *c = b;
        return 1;
    } else if ((b & 0xE0) == 0xC0) {
        len = 2, v = b & 0x1F, least = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3, v = b & 0x0F, least = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
        len = 4, v = b & 0x07, least = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)len > n)
        return 0;
    for (int k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[k] & 0x3F);
    }
    if (v < least || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *c = v;
    return len;
}

int vgae_utf8_put(uint32_t c, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | c >> 6);
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | c >> 12);
        o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | c >> 18);
    o[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

int32_t vgae_alphabet_find(const vgae_alphabet *a, uint32_t c)
{
    int32_t lo = 0, hi = a->size - 1;
    while (lo <= hi) {
        const int32_t mid = lo + (hi - lo) / 2;
        if (a->sym[mid] == c)
            return mid;
        if (a->sym[mid] < c)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

void vgae_seqs_free(vgae_seqs *s)
{
    if (!s)
        return;
    free(s->start);
    free(s->sym);
    free(s->line);
    *s = (vgae_seqs){0};
}

/* The sequence in a line, by format, cut in place: *text and *len. 0, or
 * -1 for a CSV field whose quote is not closed. */
static int field_of(vgae_seq_format format, char *line, size_t *len, char **text)
{
    if (format == VGAE_SEQ_SMI) {
        size_t a = 0;
        while (a < *len && (line[a] == ' ' || line[a] == '\t'))
            a++;
        size_t b = a;
        while (b < *len && line[b] != ' ' && line[b] != '\t')
            b++;
        *text = line + a;
        *len = b - a;
        return 0;
    }
    if (format == VGAE_SEQ_CSV) {
        if (*len && line[0] == '"') { /* "..." with "" for a quote inside */
            size_t w = 0, r = 1;
            for (;; r++) {
                if (r >= *len)
                    return -1;
                if (line[r] == '"') {
                    if (r + 1 < *len && line[r + 1] == '"')
                        r++;
                    else
                        break;
                }
                line[w++] = line[r];
            }
            *text = line;
            *len = w;
            return 0;
        }
        size_t b = 0;
        while (b < *len && line[b] != ',')
            b++;
        *text = line;
        *len = b;
        return 0;
    }
    *text = line;
    return 0;
}

/* The format a file's name says. */
static vgae_seq_format format_of(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash)) {
        const char *ext = dot + 1;
        if (!strcmp(ext, "gz")) { /* name.smi.gz: the extension before */
            const char *end = dot;
            const char *d2 = NULL;
            for (const char *p = slash ? slash + 1 : path; p < end; p++)
                if (*p == '.')
                    d2 = p;
            if (d2) {
                size_t n = (size_t)(end - d2 - 1);
                if ((n == 3 && !strncasecmp(d2 + 1, "smi", 3)) || (n == 6 && !strncasecmp(d2 + 1, "smiles", 6)))
                    return VGAE_SEQ_SMI;
                if (n == 3 && !strncasecmp(d2 + 1, "csv", 3))
                    return VGAE_SEQ_CSV;
            }
            return VGAE_SEQ_LINES;
        }
        if (!strcasecmp(ext, "smi") || !strcasecmp(ext, "smiles"))
            return VGAE_SEQ_SMI;
        if (!strcasecmp(ext, "csv"))
            return VGAE_SEQ_CSV;
    }
    return VGAE_SEQ_LINES;
}

/* Where a collection of sequences grows. */
typedef struct builder {
    vgae_seqs *s;
    size_t cap_seq, cap_sym;
} builder;

/* Decodes text (len bytes) into code points appended to s (not yet a
 * sequence of it). Returns 0 and the count in *n; 1 for a byte that is not
 * UTF-8 or a control character, its byte column in *at; -1 out of memory. */
static int decode(vgae_ctx *ctx, builder *b, const char *text, size_t len, int64_t *n, size_t *at)
{
    vgae_seqs *s = b->s;
    const int64_t base = s->start ? s->start[s->count] : 0;
    if (vgae_grow(ctx, (void **)&s->sym, &b->cap_sym, (size_t)base + len + 1, sizeof *s->sym))
        return -1;
    int64_t k = 0;
    for (size_t p = 0; p < len;) {
        uint32_t c;
        const int l = vgae_utf8_get((const unsigned char *)text + p, len - p, &c);
        if (!l || (c < 0x20 && c != '\t') || c == 0x7F) {
            *at = p + 1;
            return 1;
        }
        s->sym[base + k++] = c;
        p += (size_t)l;
    }
    *n = k;
    return 0;
}

/* Keeps or counts the n code points just decoded. Returns nonzero out of memory. */
static int keep(vgae_ctx *ctx, builder *b, int64_t n, int32_t max_len, const vgae_alphabet *known, int64_t line)
{
    vgae_seqs *s = b->s;
    const int64_t base = s->start[s->count];
    if (n == 0) {
        s->blank++;
        return 0;
    }
    if (n > max_len) {
        if (!s->too_long++)
            s->first_too_long = line;
        return 0;
    }
    for (int64_t k = 0; known && k < n; k++)
        if (vgae_alphabet_find(known, s->sym[base + k]) < 0) {
            if (!s->unknown++) {
                s->first_unknown = line;
                s->first_unknown_sym = s->sym[base + k];
            }
            return 0;
        }
    if ((size_t)s->count + 2 > b->cap_seq) {
        size_t cap = b->cap_seq, cap2 = b->cap_seq;
        if (vgae_grow(ctx, (void **)&s->start, &cap, (size_t)s->count + 2, sizeof *s->start) ||
            vgae_grow(ctx, (void **)&s->line, &cap2, (size_t)s->count + 2, sizeof *s->line))
            return 1;
        b->cap_seq = cap < cap2 ? cap : cap2;
    }
    s->line[s->count] = line;
    s->start[s->count + 1] = base + n;
    s->count++;
    if (n > s->longest)
        s->longest = (int32_t)n;
    return 0;
}

static vgae_status start_builder(vgae_ctx *ctx, builder *b, vgae_seqs *out)
{
    *out = (vgae_seqs){0};
    *b = (builder){.s = out};
    if (vgae_grow(ctx, (void **)&out->start, &b->cap_seq, 16, sizeof *out->start))
        return VGAE_ENOMEM;
    size_t cap = 0;
    if (vgae_grow(ctx, (void **)&out->line, &cap, b->cap_seq, sizeof *out->line)) {
        vgae_seqs_free(out);
        return VGAE_ENOMEM;
    }
    out->start[0] = 0;
    return VGAE_OK;
}

/* The character c as text for a message: itself, or U+XXXX when it is not printable ASCII. */
static const char *shown(uint32_t c, char buf[16])
{
    if (c >= 0x21 && c < 0x7F)
        snprintf(buf, 16, "'%c'", (char)c);
    else
        snprintf(buf, 16, "U+%04X", (unsigned)c);
    return buf;
}

vgae_status vgae_seqs_read(vgae_ctx *ctx, const char *path, vgae_seq_format format, int32_t max_len,
                           const vgae_alphabet *known, vgae_seqs *out)
{
    if (max_len < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "the longest sequence must be at least 1 character, not %d", max_len);
    if (format == VGAE_SEQ_AUTO)
        format = format_of(path);
    builder b;
    vgae_status st = start_builder(ctx, &b, out);
    if (st)
        return st;
    vgae_lines in = {0};
    st = vgae_lines_open(ctx, &in, path);
    char *line;
    size_t len;
    int r;
    while (!st && (r = vgae_lines_next(ctx, &in, &line, &len)) != 0) {
        if (r < 0) {
            st = vgae_ctx_status(ctx);
            break;
        }
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        char *text;
        size_t n_bytes = len;
        if (field_of(format, line, &n_bytes, &text) < 0) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, in.lineno, "a quoted field without its closing quote");
            break;
        }
        int64_t n = 0;
        size_t at = 0;
        const int bad = decode(ctx, &b, text, n_bytes, &n, &at);
        if (bad < 0) {
            st = VGAE_ENOMEM;
        } else if (bad) {
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, in.lineno,
                              "byte %zu (0x%02x) is not UTF-8 text or is a control character: not a text file of "
                              "sequences", at + (size_t)(text - line), (unsigned char)text[at - 1]);
        } else if (keep(ctx, &b, n, max_len, known, in.lineno)) {
            st = VGAE_ENOMEM;
        }
    }
    vgae_lines_close(&in);
    if (!st && out->count == 0) {
        char c[16];
        if (out->too_long || out->unknown)
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0,
                              "no sequence kept: %lld longer than %d characters (the first on line %lld), %lld with "
                              "a character the model does not know (the first %s on line %lld)",
                              (long long)out->too_long, max_len, (long long)out->first_too_long,
                              (long long)out->unknown, out->unknown ? shown(out->first_unknown_sym, c) : "-",
                              (long long)out->first_unknown);
        else
            st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "no sequences (the file is empty or blank)");
    }
    if (st)
        vgae_seqs_free(out);
    return st;
}

vgae_status vgae_seqs_from_text(vgae_ctx *ctx, const char *what, const char *text, int32_t max_len,
                                const vgae_alphabet *known, vgae_seqs *out)
{
    builder b;
    vgae_status st = start_builder(ctx, &b, out);
    if (st)
        return st;
    int64_t n = 0;
    size_t at = 0;
    const int bad = decode(ctx, &b, text, strlen(text), &n, &at);
    if (bad < 0)
        st = VGAE_ENOMEM;
    else if (bad)
        st = vgae_fail(ctx, VGAE_EINVAL, "%s: byte %zu is not UTF-8 text or is a control character", what, at);
    else if (keep(ctx, &b, n, max_len, known, 1))
        st = VGAE_ENOMEM;
    else if (out->blank)
        st = vgae_fail(ctx, VGAE_EINVAL, "%s is empty", what);
    else if (out->too_long)
        st = vgae_fail(ctx, VGAE_EINVAL, "%s has %lld characters, more than the model's %d", what, (long long)n,
                       max_len);
    else if (out->unknown) {
        int64_t k = 0;
        while (vgae_alphabet_find(known, out->sym[k]) >= 0)
            k++;
        char c[16];
        st = vgae_fail(ctx, VGAE_EINVAL, "%s: character %lld, %s, is not in the model's alphabet", what,
                       (long long)k + 1, shown(out->sym[k], c));
    }
    if (st)
        vgae_seqs_free(out);
    return st;
}

static int by_code(const void *a, const void *b)
{
    const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

vgae_status vgae_alphabet_learn(vgae_ctx *ctx, const vgae_seqs *s, vgae_alphabet *out)
{
    out->size = 0;
    const int64_t total = s->count ? s->start[s->count] : 0;
    uint32_t *all = vgae_alloc(ctx, (size_t)(total ? total : 1), sizeof *all);
    if (!all)
        return VGAE_ENOMEM;
    memcpy(all, s->sym, (size_t)total * sizeof *all);
    qsort(all, (size_t)total, sizeof *all, by_code);
    int64_t distinct = 0;
    for (int64_t k = 0; k < total; k++)
        if (k == 0 || all[k] != all[k - 1])
            all[distinct++] = all[k];
    vgae_status st = VGAE_OK;
    if (distinct > VGAE_ALPHABET_MAX) {
        st = vgae_fail(ctx, VGAE_EINVAL, "the sequences have %lld distinct characters, more than the %d a model "
                       "takes", (long long)distinct, VGAE_ALPHABET_MAX);
    } else {
        memcpy(out->sym, all, (size_t)distinct * sizeof *all);
        out->size = (int32_t)distinct;
    }
    free(all);
    return st;
}
