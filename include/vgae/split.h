/* The link-prediction split: held-out positive edges and sampled non-edges for validation and test. */
#ifndef VGAE_SPLIT_H
#define VGAE_SPLIT_H

#include <stdint.h>
#include "vgae/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An unordered node pair, stored with u < v. */
typedef struct vgae_pair {
    int32_t u, v;
} vgae_pair;

/* The protocol of Kipf's reference (gae), with its leaks closed:
 * - the undirected edges are shuffled; the first floor(E * val_frac) go to
 *   validation, the next floor(E * test_frac) to test, the rest to training;
 * - as many negatives as positives for validation and for test, drawn
 *   uniformly from the pairs that are not edges of the FULL graph, with no
 *   self-pairs and no repeats: a pair, in either orientation, is in at
 *   most one set (the reference drew validation negatives that could be
 *   test edges);
 * - training sees only the training edges (vgae_split_train_graph): the
 *   encoder's graph and the reconstruction target lack val/test edges. */
typedef struct vgae_split {
    int32_t n;          /* nodes */
    int64_t n_edges;    /* undirected edges of the full graph */
    double val_frac, test_frac;
    int64_t n_train, n_val, n_test;
    vgae_pair *train;   /* n_train training edges */
    vgae_pair *val_pos, *val_neg;   /* n_val each */
    vgae_pair *test_pos, *test_neg; /* n_test each */
} vgae_split;

/* Splits g's edges, drawing from the context's VGAE_STREAM_SPLIT (set the
 * seed first). Fractions are in [0, 1) with val_frac + test_frac < 1. A
 * graph with too few edges for a non-empty training set and the asked-for
 * held-out sets, or too few non-edges for the negatives, is refused with
 * VGAE_EINVAL. O(E + held-out pairs * log(degree)) expected time. */
vgae_status vgae_split_make(vgae_ctx *ctx, const vgae_graph *g, double val_frac, double test_frac,
                            vgae_split **out);
/* The graph of the training edges only (same nodes and names' count). */
vgae_status vgae_split_train_graph(vgae_ctx *ctx, const vgae_split *split, vgae_graph **out);
/* Frees a split; accepts NULL. */
void vgae_split_free(vgae_split *split);

/* Whether u and v are adjacent in g (binary search in the shorter list). */
int vgae_graph_has_edge(const vgae_graph *g, int32_t u, int32_t v);

#ifdef __cplusplus
}
#endif
#endif
