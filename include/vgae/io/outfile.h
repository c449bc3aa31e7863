/* Output files written whole or not at all: a temporary file beside the target, renamed over it when complete. */
#ifndef VGAE_IO_OUTFILE_H
#define VGAE_IO_OUTFILE_H

#include <stdio.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every file vgae writes goes through this: a reader of the target sees
 * either the old file or the complete new one, never a part, and a failed
 * run leaves no temporary file behind. */
typedef struct vgae_outfile vgae_outfile;

/* Opens path for writing: "-" is standard output; any other path gets a new
 * temporary file in its folder (so that the rename stays on one file
 * system). A missing or unwritable folder, or a folder as the path, is
 * VGAE_EIO naming the path. */
VGAE_EXPORT vgae_status vgae_outfile_open(vgae_ctx *ctx, const char *path, vgae_outfile **out);
/* Where to write. */
VGAE_EXPORT FILE *vgae_outfile_stream(vgae_outfile *out);
/* The target path as given. */
VGAE_EXPORT const char *vgae_outfile_path(const vgae_outfile *out);
/* Flushes and closes, then renames the temporary file to the target, and
 * frees out. A write error (disk full, ...) anywhere before is reported
 * here, and the temporary file is removed: the target is either the old
 * file or the complete new one. */
VGAE_EXPORT vgae_status vgae_outfile_commit(vgae_ctx *ctx, vgae_outfile *out);
/* Gives up: closes and removes the temporary file, frees out. Accepts NULL. */
VGAE_EXPORT void vgae_outfile_abort(vgae_outfile *out);

#ifdef __cplusplus
}
#endif
#endif
