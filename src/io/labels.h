/* Reading node labels for a graph of known size. */
#ifndef VGAE_IO_LABELS_H
#define VGAE_IO_LABELS_H

#include <stdint.h>

#include "vgae/io/features.h"

/* vgae_labels_read, stopping at the first line past `nodes` (if > 0) with
 * "more labels than the N nodes of GRAPH": a file of any length costs no
 * more than the graph's labels. */
vgae_status vgae_labels_read_for(vgae_ctx *ctx, const char *path, int32_t nodes, const char *graph,
                                 vgae_labels **out);

#endif
