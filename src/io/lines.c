/* Line-by-line reading of text files, plain or gzip-compressed, with line numbers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/internal.h"
#include "io/lines.h"

vgae_status vgae_check_readable(vgae_ctx *ctx, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return vgae_fail_at(ctx, errno == ENOENT ? VGAE_ENOTFOUND : VGAE_EIO, path, 0,
                            "cannot open: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "is a directory, not a file");
    return VGAE_OK;
}

const char *vgae_zlib_reason(const char *msg, const char *path)
{
    size_t n = strlen(path);
    /* zlib puts "path: " before its own reason; the caller names the file already */
    if (msg && strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg ? msg : "";
}

vgae_status vgae_lines_open(vgae_ctx *ctx, vgae_lines *lines, const char *path)
{
    vgae_status st;
    memset(lines, 0, sizeof *lines);
    lines->path = path;
    st = vgae_check_readable(ctx, path);
    if (st)
        return st;
    errno = 0;
    lines->gz = gzopen(path, "rb");
    if (!lines->gz)
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot open: %s",
                            errno ? strerror(errno) : "out of memory");
    gzbuffer(lines->gz, 1 << 17);
    lines->cap = 4096;
    lines->buf = vgae_alloc(ctx, lines->cap, 1);
    if (!lines->buf) {
        gzclose(lines->gz);
        lines->gz = NULL;
        return VGAE_ENOMEM;
    }
    return VGAE_OK;
}

/* Records the zlib error behind a NULL from gzgets, if any; 0 if it was EOF. */
static int read_error(vgae_ctx *ctx, vgae_lines *lines)
{
    int code = Z_OK;
    const char *msg = vgae_zlib_reason(gzerror(lines->gz, &code), lines->path);
    if (code == Z_OK || code == Z_STREAM_END)
        return 0;
    if (code == Z_ERRNO)
        vgae_fail_at(ctx, VGAE_EIO, lines->path, lines->lineno + 1, "read error: %s",
                     strerror(errno));
    else if (code == Z_BUF_ERROR)
        vgae_fail_at(ctx, VGAE_EFORMAT, lines->path, lines->lineno + 1,
                     "truncated gzip data (%s)", msg);
    else
        vgae_fail_at(ctx, VGAE_EFORMAT, lines->path, lines->lineno + 1,
                     "corrupt gzip data (%s)", msg);
    return 1;
}

int vgae_lines_next(vgae_ctx *ctx, vgae_lines *lines, char **line, size_t *len)
{
    size_t n = 0;
    for (;;) {
        z_off_t before = gztell(lines->gz);
        size_t got;
        if (!gzgets(lines->gz, lines->buf + n, (int)(lines->cap - n > INT32_MAX ? INT32_MAX : lines->cap - n))) {
            if (read_error(ctx, lines))
                return -1;
            if (n == 0)
                return 0;
            break; /* last line without a newline */
        }
        got = strlen(lines->buf + n);
        if ((z_off_t)got != gztell(lines->gz) - before) {
            /* gzgets read past a NUL that strlen stops at: not a text line */
            vgae_fail_at(ctx, VGAE_EFORMAT, lines->path, lines->lineno + 1, "line contains a NUL byte");
            return -1;
        }
        n += got;
        if (n > 0 && lines->buf[n - 1] == '\n')
            break;
        if (n + 1 < lines->cap)
            break; /* gzgets stopped short of the buffer: the last line, without a newline */
        if (vgae_grow(ctx, (void **)&lines->buf, &lines->cap, lines->cap * 2, 1))
            return -1;
    }
    while (n > 0 && (lines->buf[n - 1] == '\n' || lines->buf[n - 1] == '\r'))
        lines->buf[--n] = '\0';
    lines->lineno++;
    *line = lines->buf;
    *len = n;
    return 1;
}

void vgae_lines_close(vgae_lines *lines)
{
    if (lines->gz)
        gzclose(lines->gz);
    free(lines->buf);
    lines->gz = NULL;
    lines->buf = NULL;
}
