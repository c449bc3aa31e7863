/* Output files written atomically: a temporary file beside the target, renamed over it when complete. */
#ifndef VGAE_OUTFILE_H
#define VGAE_OUTFILE_H

#include <stdio.h>
#include "vgae/context.h"

typedef struct vgae_outfile {
    FILE *f;      /* write here */
    char *path;   /* the target ("-": standard output) */
    char *tmp;    /* the temporary file, NULL for standard output */
} vgae_outfile;

/* Opens path for writing: "-" is standard output; any other path gets a new
 * temporary file in its folder (so that the rename stays on one file
 * system). An unwritable folder is an error naming the path. */
vgae_status vgae_outfile_open(vgae_ctx *ctx, vgae_outfile *out, const char *path);
/* Flushes and closes, then renames the temporary file to the target. A
 * write error (disk full, ...) anywhere before is reported here, and the
 * temporary file is removed: the target is either the old file or the
 * complete new one, never a part. */
vgae_status vgae_outfile_commit(vgae_ctx *ctx, vgae_outfile *out);
/* Gives up: closes and removes the temporary file. Accepts a zeroed struct. */
void vgae_outfile_abort(vgae_outfile *out);

#endif
