/* Drawing uniform non-adjacent node pairs in batches, for the split's and the sampled loss's negatives. */
#ifndef VGAE_NON_EDGES_H
#define VGAE_NON_EDGES_H

#include <stdint.h>
#include "vgae/graph/graph.h"
#include "vgae/core/rng.h"

/* Candidates per batch: enough cache misses in flight to hide DRAM latency. */
#define VGAE_NON_EDGE_BATCH 32

/* Draws `want` (1..VGAE_NON_EDGE_BATCH) candidate pairs (a, b), each as
 * vgae_rng_below(n) twice, and keeps those with a != b that are not edges
 * of g, in the order drawn: returns how many, written to a[] and b[]. The
 * random stream is used exactly as by a loop that draws one candidate at a
 * time, so a caller that never asks for more candidates than it still
 * needs pairs draws the same pairs as that loop. The adjacency lists of a
 * whole batch are fetched together, so that a large graph's cache misses
 * overlap instead of following one another. */
int vgae_non_edge_batch(const vgae_graph *g, vgae_rng *rng, int want, int32_t *a, int32_t *b);

#endif
