/* Partitioning a graph's nodes into P parts for training across processes: METIS k-way, contiguous or random. */
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
    VGAE_PARTITION_METIS = 0,      /* METIS k-way, minimum edge cut (a build with METIS) */
    VGAE_PARTITION_CONTIGUOUS = 1, /* nodes 0..n-1 in P runs of equal length (+-1) */
    VGAE_PARTITION_RANDOM = 2,     /* a seeded shuffle dealt into P parts of equal size (+-1) */
} vgae_partition_method;

typedef struct vgae_partition {
    int32_t n, parts;
    vgae_partition_method method;
    int32_t *part;     /* n: the part of each node, 0..parts-1 */
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

/* Splits g's nodes into `parts` parts (1 <= parts <= g->n). METIS is seeded
 * with the context's seed and the random method draws from a stream of its
 * own derived from it: the same seed gives the same parts. Every part is
 * non-empty. The sizes, edges inside, halos and edge cut are filled in. */
VGAE_EXPORT vgae_status vgae_partition_graph(vgae_ctx *ctx, const vgae_graph *g, int32_t parts,
                                             vgae_partition_method method, vgae_partition **out);
/* Frees a partition; accepts NULL. */
VGAE_EXPORT void vgae_partition_free(vgae_partition *p);

/* Writes one line per node, its part (0-based), as METIS's gpmetis does:
 * whole or not at all. */
VGAE_EXPORT vgae_status vgae_partition_write(vgae_ctx *ctx, const char *path, const vgae_partition *p);

#ifdef __cplusplus
}
#endif
#endif
