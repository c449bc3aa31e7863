/* The link-prediction split: held-out edges and sampled non-edges for validation and test. */
#ifndef VGAE_GRAPH_SPLIT_H
#define VGAE_GRAPH_SPLIT_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/graph/graph.h"

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
 *   encoder's graph and the reconstruction target lack val/test edges.
 * Optionally, each held-out positive also has n_hard hard negatives of its
 * own (vgae_split_add_hard_negatives), for ranking metrics.
 * A split is made by vgae_split_alloc (vgae_split_make, the split file
 * reader, model files and copies all go through it): train in one
 * allocation, the four held-out sets in one block after it, freed by
 * vgae_split_free. */
typedef struct vgae_split {
    int32_t n;          /* nodes */
    int64_t n_edges;    /* undirected edges of the full graph */
    double val_frac, test_frac;
    int64_t n_train, n_val, n_test;
    vgae_pair *train;   /* n_train training edges */
    vgae_pair *val_pos, *val_neg;   /* n_val each */
    vgae_pair *test_pos, *test_neg; /* n_test each */
    int64_t n_hard;     /* hard negatives per held-out positive; 0: none */
    vgae_pair *val_hard, *test_hard; /* n_val * n_hard and n_test * n_hard: positive i's are
                                        [i * n_hard, (i + 1) * n_hard) */
} vgae_split;

/* The sets of a split, in the order of files and checksums: the five of
 * every split, then the hard negatives of a split that has them. */
typedef enum vgae_split_set {
    VGAE_SET_TRAIN = 0,
    VGAE_SET_VAL_POS = 1,
    VGAE_SET_VAL_NEG = 2,
    VGAE_SET_TEST_POS = 3,
    VGAE_SET_TEST_NEG = 4,
    VGAE_SET_VAL_HARD = 5,
    VGAE_SET_TEST_HARD = 6
} vgae_split_set;

/* A split of n nodes with room for n_train training pairs and n_val, n_test
 * held-out pairs of each sign (their contents uninitialized); n_edges and
 * the fractions are 0. Counts must be >= 0. */
VGAE_EXPORT vgae_status vgae_split_alloc(vgae_ctx *ctx, int32_t n, int64_t n_train, int64_t n_val,
                             int64_t n_test, vgae_split **out);
/* Room for n_hard hard negatives per held-out positive in split->val_hard
 * and test_hard (their contents uninitialized), replacing any it had;
 * n_hard 0 removes them. */
VGAE_EXPORT vgae_status vgae_split_alloc_hard(vgae_ctx *ctx, vgae_split *split, int64_t n_hard);
/* A copy of a split. */
VGAE_EXPORT vgae_status vgae_split_copy(vgae_ctx *ctx, const vgae_split *split, vgae_split **out);
/* Frees a split; accepts NULL. */
VGAE_EXPORT void vgae_split_free(vgae_split *split);

/* The pairs of one set and how many there are (0 for hard negatives a split
 * does not have). */
VGAE_EXPORT const vgae_pair *vgae_split_pairs(const vgae_split *split, vgae_split_set set, int64_t *count);
/* "train", "val", "test", "val_hard", "test_hard" (the set's name in files
 * and messages). */
VGAE_EXPORT const char *vgae_split_set_name(vgae_split_set set);
/* 1 for the positive sets (train, val and test positives), 0 for the negatives. */
VGAE_EXPORT int vgae_split_set_positive(vgae_split_set set);

/* Splits g's edges, drawing from the context's VGAE_STREAM_SPLIT (set the
 * seed first). Fractions are in [0, 1) with val_frac + test_frac < 1. A
 * graph with too few edges for a non-empty training set and the asked-for
 * held-out sets, or too few non-edges for the negatives, is refused with
 * VGAE_EINVAL. O(E + held-out pairs * log(degree)) expected time. */
VGAE_EXPORT vgae_status vgae_split_make(vgae_ctx *ctx, const vgae_graph *g, double val_frac, double test_frac,
                            vgae_split **out);
/* The graph of the training edges only (same nodes). */
VGAE_EXPORT vgae_status vgae_split_train_graph(vgae_ctx *ctx, const vgae_split *split, vgae_graph **out);

/* Hard negatives in the manner of HeaRT (Li et al., NeurIPS 2023): for each
 * validation and test positive (u, v), k negatives of its own, ceil(k/2)
 * pairs (u, w) and floor(k/2) pairs (w, v), the w ranked for their end by
 * two heuristics on the training graph, resource allocation and personalized
 * PageRank (restart 0.15, push to 1e-4 per degree), combined by the sum of
 * their ranks (Borda) over the nodes either reaches, ties broken by a random
 * key; when those nodes are too few, uniform ones fill the rest. A negative
 * is never a positive of any set (nor the node itself), and each positive's
 * list has no repeats. Draws from the context's VGAE_STREAM_HARD, sub-stream
 * = the positive's number, so the result is the same on any thread count.
 * Replaces any hard negatives the split had. k >= 2; a graph too small to
 * give k distinct negatives to a positive is VGAE_EINVAL. */
VGAE_EXPORT vgae_status vgae_split_add_hard_negatives(vgae_ctx *ctx, vgae_split *split, int64_t k);

/* Whether the pair (u, v) of g, 0 <= u, v < g->n, may stand in a set of
 * the given sign: NULL if it may, else why not ("is a self-pair", "is not
 * an edge of the graph", "is an edge of the graph"). The rule every split
 * check applies, row by row in a split file and set by set below. */
VGAE_EXPORT const char *vgae_split_pair_problem(const vgae_graph *g, int32_t u, int32_t v, int positive);

/* Checks split against g: the node counts agree, every pair has nodes of g
 * with u < v and passes vgae_split_pair_problem, no pair appears twice (in
 * either orientation, in one set or two), and there is at least one
 * training pair. VGAE_EINVAL naming the set and the pair otherwise; *set and
 * *index (either may be NULL) then receive where the first problem is. The
 * sets are checked in the order train, val_pos, val_neg, test_pos,
 * test_neg; then hard negatives must not be positives and must not repeat
 * within one positive's list (they may repeat across positives and may be
 * the shared negatives). O(pairs log(degree)) time, O(pairs) memory. */
VGAE_EXPORT vgae_status vgae_split_check(vgae_ctx *ctx, const vgae_split *split, const vgae_graph *g,
                             vgae_split_set *set, int64_t *index);

/* A CRC-32 (zlib) of the split's content, for model files to record: the
 * counts n_train, n_val, n_test as little-endian 64-bit integers, then every
 * pair (u, v) of train, val_pos, val_neg, test_pos, test_neg in order, as
 * little-endian 32-bit integers. Hard negatives do not enter it (they are
 * for scoring, not for training). O(pairs). */
VGAE_EXPORT uint32_t vgae_split_checksum(const vgae_split *split);

#ifdef __cplusplus
}
#endif
#endif
