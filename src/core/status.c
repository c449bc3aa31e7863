/* Names of the status codes, and exact decimal text of doubles. */
#include <stdio.h>
#include <stdlib.h>

#include "core/internal.h"
#include "vgae/core/status.h"

const char *vgae_status_name(vgae_status status)
{
    switch (status) {
    case VGAE_OK: return "ok";
    case VGAE_ENOMEM: return "out of memory";
    case VGAE_EIO: return "input/output error";
    case VGAE_EFORMAT: return "malformed input";
    case VGAE_EUNSUPPORTED: return "unsupported input";
    case VGAE_ERANGE: return "out of range";
    case VGAE_EINVAL: return "invalid argument";
    case VGAE_ENOTFOUND: return "not found";
    case VGAE_EINTERNAL: return "internal library error";
    case VGAE_EINTR: return "interrupted";
    case VGAE_EPEER: return "another process failed";
    }
    return "unknown status";
}

const char *vgae_format_double(char *buf, double x)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, 32, "%.*g", digits, x);
        if (strtod(buf, NULL) == x || x != x)
            break;
    }
    return buf;
}
