/* Partitioning a graph's nodes into P parts for training across processes: fixed blocks (METIS, contiguous or random), runs of blocks to parts. */
#ifndef VGAE_DIST_PARTITION_H
#define VGAE_DIST_PARTITION_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/graph/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vgae_partition_method {
    VGAE_PARTITION_METIS = 0,      /* METIS recursive bisection, few edges cut (a build with METIS) */
    VGAE_PARTITION_CONTIGUOUS = 1, /* nodes 0..n-1 in runs of equal length (+-1) */
    VGAE_PARTITION_RANDOM = 2,     /* a seeded shuffle dealt into blocks of equal size (+-1) */
} vgae_partition_method;

/* The nodes go into K blocks, fixed by the graph, the method, the seed and
 * K alone; part k of P holds the run of blocks from
 * vgae_partition_first_block(K, P, k) to the next part's first. Training
 * sums over nodes block by block, in block order, so that any P <= K gives
 * the same numbers. The nodes in block order (by block, then by number)
 * are the "positions" 0..n-1: each part holds a contiguous range of them,
 * the same range whatever P splits the blocks. METIS's recursive bisection
 * numbers its blocks so that each half of a bisection is a run of numbers:
 * a run of blocks is then a region of the graph, and P = 2, 4, ... parts
 * are the bisection's own halves and quarters. */
typedef struct vgae_partition {
    int32_t n, parts, blocks;
    vgae_partition_method method;
    int32_t *block;       /* n: the block of each node, 0..blocks-1 */
    int32_t *part;        /* n: the part of each node (the part holding its block), 0..parts-1 */
    int32_t *order;       /* n: the node at each position (nodes by block, then by number) */
    int32_t *position;    /* n: each node's position (order's inverse) */
    int32_t *block_start; /* blocks + 1: block b holds positions [block_start[b], block_start[b + 1]) */
    int32_t *sizes;    /* parts: nodes in each part */
    int64_t *inside;   /* parts: edges with both ends in the part */
    int64_t *halo;     /* parts: nodes of other parts adjacent to the part (what it must receive) */
    int64_t edge_cut;  /* edges whose ends lie in different parts */
} vgae_partition;

/* The method named "metis", "contiguous" or "random"; VGAE_EINVAL naming
 * the choices otherwise. */
VGAE_EXPORT vgae_status vgae_partition_method_from_name(vgae_ctx *ctx, const char *name,
                                                        vgae_partition_method *out);
VGAE_EXPORT const char *vgae_partition_method_name(vgae_partition_method method);
/* 1 if this build partitions with METIS (its version in *version, if not
 * NULL), else 0. */
VGAE_EXPORT int vgae_partition_has_metis(const char **version);

/* The first block of part k of `parts` over `blocks` blocks: k * blocks / parts,
 * rounded down (part `parts` gives `blocks`, the end). */
VGAE_EXPORT int32_t vgae_partition_first_block(int32_t blocks, int32_t parts, int32_t k);

/* Splits g's nodes into `blocks` blocks and those into `parts` parts
 * (1 <= parts <= blocks <= g->n). METIS is seeded with the context's seed
 * and the random method draws from a stream of its own derived from it:
 * the same seed and blocks give the same blocks, whatever parts is. Every
 * block is non-empty. The sizes, edges inside, halos and edge cut are
 * filled in. O(n + m) beyond METIS. */
VGAE_EXPORT vgae_status vgae_partition_graph(vgae_ctx *ctx, const vgae_graph *g, int32_t parts,
                                             int32_t blocks, vgae_partition_method method,
                                             vgae_partition **out);
/* Frees a partition; accepts NULL. */
VGAE_EXPORT void vgae_partition_free(vgae_partition *p);

/* Writes one line per node, its part (0-based), as METIS's gpmetis does:
 * whole or not at all. */
VGAE_EXPORT vgae_status vgae_partition_write(vgae_ctx *ctx, const char *path, const vgae_partition *p);

#ifdef __cplusplus
}
#endif
#endif
