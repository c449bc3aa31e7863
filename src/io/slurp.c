/* Reading a whole file, plain or gzip-compressed, into memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "io/lines.h"
#include "io/slurp.h"
#include "io/zin.h"

vgae_status vgae_slurp(vgae_ctx *ctx, const char *path, char **data, size_t *size)
{
    vgae_zin r;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    *data = NULL;
    *size = 0;
    vgae_status st = vgae_zin_open(ctx, &r, path);
    if (st)
        return st;
    for (;;) {
        /* room for at least 64 KiB more, growing with what is read */
        const size_t more = n / 2 > ((size_t)1 << 16) ? n / 2 : (size_t)1 << 16;
        if ((st = vgae_grow(ctx, (void **)&buf, &cap, n + more + 1, 1)))
            break;
        size_t got;
        if ((st = vgae_zin_read(ctx, &r, buf + n, cap - n - 1, &got)) || got == 0)
            break;
        n += got;
    }
    if (!st && n == 0)
        st = vgae_fail_at(ctx, VGAE_EFORMAT, path, 0, "empty file");
    if (!st) {
        buf[n] = '\0';
        *data = buf;
        *size = n;
        buf = NULL;
    }
    vgae_zin_close(&r);
    free(buf);
    return st;
}
