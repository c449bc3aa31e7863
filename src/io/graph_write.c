/* Writing a graph as a MatrixMarket pattern file (plain or gzip), atomically. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/internal.h"
#include "io/outfile.h"
#include "vgae/generate.h"

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

static void write_body(sink *s, const vgae_graph *g, const char *comment)
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
    for (int32_t j = 0; j < g->n; j++)
        for (int64_t p = g->rowptr[j]; p < g->rowptr[j + 1]; p++)
            if (g->adj[p] > j) {
                sink_u64(s, (uint64_t)g->adj[p] + 1, ' ');
                sink_u64(s, (uint64_t)j + 1, '\n');
            }
    sink_flush(s);
}

vgae_status vgae_graph_write_mtx(vgae_ctx *ctx, const vgae_graph *g, const char *path,
                                 const char *comment)
{
    vgae_outfile out;
    vgae_status st = vgae_outfile_open(ctx, &out, path);
    if (st)
        return st;
    sink *s = vgae_calloc(ctx, 1, sizeof *s);
    if (!s) {
        vgae_outfile_abort(&out);
        return VGAE_ENOMEM;
    }
    s->f = out.f;
    if (out.tmp && ends_with_gz(path)) {
        /* zlib writes through its own descriptor; out.f stays empty */
        int fd = dup(fileno(out.f));
        s->gz = fd >= 0 ? gzdopen(fd, "wb1") : NULL;
        if (!s->gz) {
            int err = errno;
            if (fd >= 0)
                close(fd);
            free(s);
            vgae_outfile_abort(&out);
            return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s",
                                fd < 0 ? strerror(err) : "out of memory");
        }
    }
    errno = 0;
    write_body(s, g, comment);
    if (s->gz && gzclose(s->gz) != Z_OK)
        s->failed = 1;
    const int failed = s->failed, err = errno;
    free(s);
    if (failed) {
        vgae_outfile_abort(&out);
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot write: %s",
                            err ? strerror(err) : "write error");
    }
    return vgae_outfile_commit(ctx, &out);
}
