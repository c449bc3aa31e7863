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

/* Opens path for writing: "-" is standard output; a device, FIFO or socket
 * is written in place (there is no old content to keep, and a rename would
 * replace the node); a symbolic link is followed, and the file it leads to
 * gets the new content (the link stays); any other path gets a new
 * temporary file in its target's folder (so that the rename stays on one
 * file system). A missing or unwritable folder, a folder as the path, or
 * a link to nowhere is VGAE_EIO naming the path. */
VGAE_EXPORT vgae_status vgae_outfile_open(vgae_ctx *ctx, const char *path, vgae_outfile **out);
/* Whether path could be written, without writing it: what vgae_outfile_open
 * would refuse is refused the same way (a temporary file is made in the
 * folder and removed). For a check before long work. */
VGAE_EXPORT vgae_status vgae_outfile_check(vgae_ctx *ctx, const char *path);
/* Where to write. */
VGAE_EXPORT FILE *vgae_outfile_stream(vgae_outfile *out);
/* The target path as given. */
VGAE_EXPORT const char *vgae_outfile_path(const vgae_outfile *out);
/* Flushes and closes, then renames the temporary file to the target, and
 * frees out. A write error (disk full: "No space left on device", ...)
 * anywhere before is reported here naming the path, and the temporary file
 * is removed: the target is either the old file or the complete new one.
 * After vgae_interrupt_all nothing is renamed: VGAE_EINTR. A target
 * written in place (standard output, a device) has what was written. */
VGAE_EXPORT vgae_status vgae_outfile_commit(vgae_ctx *ctx, vgae_outfile *out);
/* Gives up: closes and removes the temporary file, frees out. Accepts NULL. */
VGAE_EXPORT void vgae_outfile_abort(vgae_outfile *out);
/* Removes the temporary files of every outfile not yet committed or
 * aborted: for a signal handler about to end the process (async-signal-
 * safe; the outfiles must not be used after). */
VGAE_EXPORT void vgae_outfile_remove_pending(void);

#ifdef __cplusplus
}
#endif
#endif
