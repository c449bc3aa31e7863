/* Reading a whole file, plain or gzip-compressed, into memory. */
#ifndef VGAE_SLURP_H
#define VGAE_SLURP_H

#include <stddef.h>
#include "vgae/core/context.h"

/* Reads all of path (decompressing gzip) into a malloc'ed, NUL-terminated
 * buffer. An empty file is an error. */
vgae_status vgae_slurp(vgae_ctx *ctx, const char *path, char **data, size_t *size);

#endif
