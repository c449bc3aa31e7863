/* The link-prediction split (held-out edges and sampled non-edges for validation and test) and its files. */
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

/* Split files. A split is saved as tab-separated text (gzip-compressed
 * files are read transparently):
 *
 *   # vgae split 1
 *   # graph_checksum 0x1a2b3c4d
 *   # nodes 2708
 *   # edges 5278
 *   # val_frac 0.05
 *   # test_frac 0.1
 *   # seed 42
 *   # node_ids index
 *   set<TAB>u<TAB>v<TAB>label
 *   train<TAB>0<TAB>633<TAB>1
 *   ...
 *   val<TAB>12<TAB>45<TAB>1
 *   val<TAB>7<TAB>99<TAB>0
 *   test<TAB>...
 *
 * The first line is the format version; the header lines after it are
 * "# key value" (graph_checksum is vgae_graph_checksum of the graph the
 * split was made from; fractions are written with %.17g; node_ids is
 * "name" or "index"), and keys a reader does not know are ignored. Then the
 * column header line, then one row per pair: set train (label 1 only), val
 * or test (label 1: a held-out edge, 0: a non-edge). The writer puts the
 * rows in the order train, val positives, val negatives, test positives,
 * test negatives; the reader takes them in any order, keeping the order
 * within each set. Nodes are given by the graph's names when it has them
 * (and they are non-empty, unique and free of tabs and line breaks; else
 * by index, and node_ids says "index"), or by index 0..n-1. */

/* Writes the split as text (format above) to path ("-" = stdout),
 * atomically: the file is either the old one or the complete new one. Node
 * ids are g's names when it has usable ones, else 0..n-1. seed is recorded
 * in the header. g must be the graph the split was made from. */
vgae_status vgae_split_write(vgae_ctx *ctx, const char *path, const vgae_split *split,
                             const vgae_graph *g, uint64_t seed);
/* Reads a split of g. The graph checksum in the header must equal
 * vgae_graph_checksum(g), and the nodes and edges counts g's, unless
 * force != 0 (VGAE_EINVAL otherwise: "split.tsv: made for another graph
 * (checksum 0x..., this graph 0x...); ..."). Every row is checked against
 * g: known nodes, no self-pairs, positives are edges of g and negatives are
 * not, no pair (in either orientation) twice, as many negatives as positives
 * in val and in test, at least one training pair. The training pairs and
 * held-out positives need not cover all of g's edges. Malformed content is VGAE_EFORMAT, a mismatch
 * with g VGAE_EINVAL, a newer format version VGAE_EUNSUPPORTED; the message
 * names the file and line. Pairs are stored with u < v; n_edges is g's,
 * the fractions are the header's. *seed receives the header's seed (may be
 * NULL). O(n + rows) expected time. */
vgae_status vgae_split_read(vgae_ctx *ctx, const char *path, const vgae_graph *g, int force,
                            vgae_split **out, uint64_t *seed);
/* A CRC-32 (zlib) of the split's content, for model files to record: the
 * counts n_train, n_val, n_test as little-endian 64-bit integers, then every
 * pair (u, v) of train, val_pos, val_neg, test_pos, test_neg in order, as
 * little-endian 32-bit integers. O(pairs). */
uint32_t vgae_split_checksum(const vgae_split *split);

/* Whether u and v are adjacent in g (binary search in the shorter list). */
int vgae_graph_has_edge(const vgae_graph *g, int32_t u, int32_t v);

#ifdef __cplusplus
}
#endif
#endif
