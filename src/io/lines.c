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

#define RAW_CAP (1 << 17)
/* No text format vgae reads has lines near this long; a file that does is
 * refused rather than gathered into memory (a line of a gigabyte of blanks). */
#define MAX_LINE ((size_t)1 << 26)

vgae_status vgae_lines_open(vgae_ctx *ctx, vgae_lines *lines, const char *path)
{
    memset(lines, 0, sizeof *lines);
    lines->path = path;
    vgae_status st = vgae_zin_open(ctx, &lines->zin, path);
    if (st)
        return st;
    lines->cap = 4096;
    lines->buf = vgae_alloc(ctx, lines->cap, 1);
    lines->raw = vgae_alloc(ctx, RAW_CAP, 1);
    if (!lines->buf || !lines->raw) {
        vgae_lines_close(lines);
        return VGAE_ENOMEM;
    }
    return VGAE_OK;
}

int vgae_lines_next(vgae_ctx *ctx, vgae_lines *lines, char **line, size_t *len)
{
    size_t n = 0;
    for (;;) {
        if (lines->raw_pos == lines->raw_len) {
            size_t got;
            if (vgae_zin_read(ctx, &lines->zin, lines->raw, RAW_CAP, &got))
                return -1;
            lines->raw_pos = 0;
            lines->raw_len = got;
            if (got == 0) {
                if (n == 0)
                    return 0;
                break; /* the last line, without a line break */
            }
        }
        const unsigned char *start = lines->raw + lines->raw_pos;
        const size_t avail = lines->raw_len - lines->raw_pos;
        const unsigned char *nl = memchr(start, '\n', avail);
        const size_t take = nl ? (size_t)(nl - start) + 1 : avail;
        if (memchr(start, '\0', take)) {
            vgae_fail_at(ctx, VGAE_EFORMAT, lines->path, lines->lineno + 1, "line contains a NUL byte");
            return -1;
        }
        if (n + take > MAX_LINE) {
            vgae_fail_at(ctx, VGAE_ERANGE, lines->path, lines->lineno + 1, "a line longer than %zu MiB",
                         MAX_LINE >> 20);
            return -1;
        }
        if (n + take + 1 > lines->cap &&
            vgae_grow(ctx, (void **)&lines->buf, &lines->cap, n + take + 1, 1))
            return -1;
        memcpy(lines->buf + n, start, take);
        n += take;
        lines->raw_pos += take;
        if (nl)
            break;
    }
    lines->buf[n] = '\0';
    while (n > 0 && (lines->buf[n - 1] == '\n' || lines->buf[n - 1] == '\r'))
        lines->buf[--n] = '\0';
    lines->lineno++;
    *line = lines->buf;
    *len = n;
    return 1;
}

void vgae_lines_close(vgae_lines *lines)
{
    vgae_zin_close(&lines->zin);
    free(lines->buf);
    free(lines->raw);
    lines->buf = NULL;
    lines->raw = NULL;
}
