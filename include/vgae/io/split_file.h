/* Split files: a split saved as tab-separated text and read back against its graph. */
#ifndef VGAE_IO_SPLIT_FILE_H
#define VGAE_IO_SPLIT_FILE_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/graph/graph.h"
#include "vgae/graph/split.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Split files. A split is saved as tab-separated text (gzip-compressed
 * files are read transparently):
 *
 *   # vgae split 3
 *   # graph_checksum 0x1a2b3c4d
 *   # nodes 2708
 *   # edges 5278
 *   # val_frac 0.05
 *   # test_frac 0.1
 *   # seed 42
 *   # node_ids index
 *   # rows_train 4488
 *   # rows_val 526
 *   # rows_test 1054
 *   set<TAB>u<TAB>v<TAB>label
 *   train<TAB>0<TAB>633<TAB>1
 *   ...
 *   val<TAB>12<TAB>45<TAB>1
 *   val<TAB>7<TAB>99<TAB>0
 *   test<TAB>...
 *   # end 0x999b623c
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
 * by index, and node_ids says "index"), or by index 0..n-1.
 *
 * Version 2 adds hard negatives (vgae_split_add_hard_negatives): the header
 * line "# hard_negatives K", and after the test negatives the rows
 * val_hard (K per validation positive, label 0) and test_hard (K per test
 * positive), positive i's K rows being rows i*K .. i*K+K-1 of their set,
 * in the order of the positives. A hard negative is a non-edge of the graph
 * and differs from its positive's other hard negatives; it may equal a
 * shared negative or another positive's hard negative.
 *
 * Version 3, which the writer writes, adds the rows of each set to the
 * header ("# rows_train N", "# rows_val N" and "# rows_test N", positives
 * and negatives together; "# rows_val_hard N" and "# rows_test_hard N"
 * with hard negatives, whose "# hard_negatives K" line is then optional)
 * and ends with "# end 0x..." and the CRC-32 (zlib) of the row lines, each
 * with its line break, in file order: a reader refuses a file without that
 * line (cut short), with other counts, or with another CRC. Versions 1 and
 * 2 read as before. */

/* Writes the split as text (format above) to path ("-" = stdout),
 * atomically: the file is either the old one or the complete new one. Node
 * ids are g's names when it has usable ones, else 0..n-1. seed is recorded
 * in the header. g must be the graph the split was made from. */
VGAE_EXPORT vgae_status vgae_split_write(vgae_ctx *ctx, const char *path, const vgae_split *split,
                             const vgae_graph *g, uint64_t seed);
/* Reads a split of g. The graph checksum in the header must equal
 * vgae_graph_checksum(g), and the nodes and edges counts g's, unless
 * force != 0 (VGAE_EINVAL otherwise: "split.tsv: made for another graph
 * (checksum 0x..., this graph 0x...); ..."). Every row is checked against
 * g: known nodes, no self-pairs, positives are edges of g and negatives are
 * not, no pair (in either orientation) twice, as many negatives as positives
 * in val and in test, at least one training pair, and (version 2) K hard
 * negatives per held-out positive as above. The training pairs and
 * held-out positives need not cover all of g's edges. Malformed content is VGAE_EFORMAT, a mismatch
 * with g VGAE_EINVAL, a newer format version VGAE_EUNSUPPORTED; the message
 * names the file and line. Pairs are stored with u < v; n_edges is g's,
 * the fractions are the header's. *seed receives the header's seed (may be
 * NULL). O(n + rows) expected time. */
VGAE_EXPORT vgae_status vgae_split_read(vgae_ctx *ctx, const char *path, const vgae_graph *g, int force,
                            vgae_split **out, uint64_t *seed);

#ifdef __cplusplus
}
#endif
#endif
