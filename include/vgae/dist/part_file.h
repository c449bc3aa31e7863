/* A partitioned graph on disk: a directory with a manifest and, per part, the rows a process trains on. */
#ifndef VGAE_DIST_PART_FILE_H
#define VGAE_DIST_PART_FILE_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/dist/partition.h"
#include "vgae/graph/split.h"
#include "vgae/nn/sparse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A directory written by vgae_partition_write_dir holds
 *   manifest         "key value" lines: what was partitioned and how (nodes,
 *                    edges, checksums, method, seed, blocks, parts, the split's
 *                    fractions, the edge cut), then a "part K ..." line per part
 *                    (nodes, positions, halo, edges inside); "identity" is a
 *                    CRC-32 of the keys that fix the partition, which every part
 *                    file repeats, so that parts of two runs are never mixed;
 *   assignment       each node's part, one line per node (gpmetis's format);
 *   part-K.vgae      part K in vgae's model container (kind "graph-part"):
 *                    its keys, and the sections
 *                      nodes       the graph's number of each of its positions;
 *                      blocks      every block's first position (blocks + 1);
 *                      adjacency   its rows of Â = D^-1/2 (A_train + I) D^-1/2,
 *                                  A_train the split's training edges, normalized
 *                                  over the whole graph: row pointers (i64),
 *                                  columns as positions, ascending (i32), values
 *                                  (f32);
 *                      features    its rows of the features (the same layout;
 *                                  columns are feature numbers), if the graph has
 *                                  them;
 *                      held_out    the validation and test positives and negatives
 *                                  it holds (the smaller position holds a pair when
 *                                  the two add up to an even number, else the larger;
 *                                  its own comes first): per set a count,
 *                                  then each pair's index in the whole set (i64),
 *                                  and its two positions (i32 each).
 * Nodes are numbered by position (vgae_partition's order: block by block):
 * a part holds the positions [first, first + count), and no part holds the
 * whole graph. The split is made once, on the whole graph, before any of
 * this: P = 1 and P = k train on the same edges and score the same pairs. */

/* A held-out set's pairs owned by a part: pair i is the index[i]-th of its
 * set, (u, v) positions with u the part's. */
typedef struct vgae_part_pairs {
    int64_t count;
    int64_t *index;
    vgae_pair *pairs;
} vgae_part_pairs;

/* The held-out sets in a part, in the order of vgae_split_set 1..4. */
#define VGAE_PART_SETS 4

typedef struct vgae_part {
    int32_t part, parts, blocks;
    int32_t n;                  /* nodes of the whole graph */
    int64_t n_edges;            /* its undirected edges */
    int64_t n_train;            /* the split's training edges (whole graph) */
    int64_t n_val, n_test;      /* its held-out pairs of each sign (whole graph) */
    double val_frac, test_frac;
    uint64_t seed;
    vgae_partition_method method;
    uint32_t graph_checksum, split_checksum, features_checksum, identity;
    int64_t edge_cut;
    int32_t first, count;       /* the positions [first, first + count) are this part's */
    int32_t feature_cols;       /* 0: featureless */
    int32_t *block_start;       /* blocks + 1 */
    int32_t *node;              /* count: the graph's number of each position */
    vgae_csr *a_hat;            /* count x n: rows of Â, columns positions */
    vgae_csr *x;                /* count x feature_cols, or NULL */
    vgae_part_pairs held[VGAE_PART_SETS]; /* val_pos, val_neg, test_pos, test_neg */
} vgae_part;

/* Writes dir: the manifest, the assignment and a part file per part of p,
 * for graph g, its features (NULL: featureless) and a split of g. The
 * context's seed is recorded. dir is made if missing; an existing one must
 * be empty or hold an earlier partition, whose files are replaced (extra
 * part files of a partition into more parts removed). The manifest is
 * written last: until it is, a reader of dir refuses the new parts as not
 * matching it. */
VGAE_EXPORT vgae_status vgae_partition_write_dir(vgae_ctx *ctx, const char *dir, const vgae_graph *g,
                                                 const vgae_csr *features, const vgae_split *split,
                                                 const vgae_partition *p);

/* The number of parts of the partition in dir (from its manifest). */
VGAE_EXPORT vgae_status vgae_part_count(vgae_ctx *ctx, const char *dir, int32_t *parts);

/* Reads part `part` of dir and checks it whole: the container's CRC, its
 * keys against the manifest's, and every section (sizes, positions and
 * feature numbers in range and ascending, the diagonal of each row present,
 * values finite, held-out pairs owned). Errors name the file and the field.
 * O(size of the part). */
VGAE_EXPORT vgae_status vgae_part_read(vgae_ctx *ctx, const char *dir, int32_t part, vgae_part **out);
/* Frees a part; accepts NULL. */
VGAE_EXPORT void vgae_part_free(vgae_part *p);
/* The part holding a position (0 <= position < p->n). O(log blocks). */
VGAE_EXPORT int32_t vgae_part_owner(const vgae_part *p, int32_t position);

#ifdef __cplusplus
}
#endif
#endif
