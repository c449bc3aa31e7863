/* Reading a whole file, plain or gzip-compressed, into memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/internal.h"
#include "io/lines.h"
#include "io/slurp.h"

vgae_status vgae_slurp(vgae_ctx *ctx, const char *path, char **data, size_t *size)
{
    vgae_status st;
    gzFile gz;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int code = Z_OK;
    const char *msg;

    *data = NULL;
    *size = 0;
    st = vgae_check_readable(ctx, path);
    if (st)
        return st;
    gz = gzopen(path, "rb");
    if (!gz)
        return vgae_fail_at(ctx, VGAE_EIO, path, 0, "cannot open: %s", strerror(errno));
    for (;;) {
        int got;
        st = vgae_grow(ctx, (void **)&buf, &cap, n + (1 << 16) + 1, 1);
        if (st)
            goto done;
        got = gzread(gz, buf + n, (unsigned)(cap - n - 1));
        if (got < 0)
            break;
        if (got == 0)
            break;
        n += (size_t)got;
    }
    msg = vgae_zlib_reason(gzerror(gz, &code), path);
    if (code != Z_OK && code != Z_STREAM_END) {
        st = vgae_fail_at(ctx, code == Z_ERRNO ? VGAE_EIO : VGAE_EFORMAT, path, 0, "%s gzip data (%s)",
                          code == Z_BUF_ERROR ? "truncated" : code == Z_ERRNO ? "cannot read" : "corrupt",
                          code == Z_ERRNO ? strerror(errno) : msg);
        goto done;
    }
    if (n == 0) {
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "empty file");
        goto done;
    }
    buf[n] = '\0';
    *data = buf;
    *size = n;
    buf = NULL;
done:
    gzclose(gz);
    free(buf);
    return st;
}
