/* The library's clock and paths: monotonic seconds, absolute file names. */
/* realpath() is an XSI function in glibc's headers */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"

double vgae_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

char *vgae_absolute_path(vgae_ctx *ctx, const char *path)
{
    char *abs = realpath(path, NULL);
    if (!abs)
        vgae_fail(ctx, errno == ENOMEM ? VGAE_ENOMEM : VGAE_EIO, "%s: cannot resolve the path: %s",
                  path, strerror(errno));
    return abs;
}
