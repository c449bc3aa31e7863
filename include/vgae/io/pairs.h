/* Pair files: one "u v" line per node pair, node ids as the graph's names or numbers. */
#ifndef VGAE_IO_PAIRS_H
#define VGAE_IO_PAIRS_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/graph/graph.h"
#include "vgae/graph/split.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads a file (plain or gzip) of node pairs: per line two node ids
 * separated by blanks, each a name of g's nodes when it has names, else a
 * number 0..n-1 (vgae_node_index_find); '#' starts a comment, blank lines
 * are skipped. Pairs keep the file's order and orientation (u is the first
 * id, v the second). On success *pairs (malloc'ed, free it) holds *count
 * pairs. VGAE_EFORMAT for a line without exactly two ids, VGAE_EINVAL for
 * an id that is not a node, each naming the file and line; I/O errors as
 * the line reader reports them. */
VGAE_EXPORT vgae_status vgae_pairs_read(vgae_ctx *ctx, const char *path, const vgae_node_index *index,
                            vgae_pair **pairs, int64_t *count);

#ifdef __cplusplus
}
#endif
#endif
