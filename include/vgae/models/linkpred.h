/* The link-prediction run of Kipf & Welling's first table: split, train, score the held-out pairs. */
#ifndef VGAE_MODELS_LINKPRED_H
#define VGAE_MODELS_LINKPRED_H

#include "vgae/core/export.h"
#include "vgae/eval/link.h"
#include "vgae/graph/heuristics.h"
#include "vgae/io/dataset.h"
#include "vgae/models/graph_ae.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the edges are held out and scored. */
typedef struct vgae_linkpred_protocol {
    double val_frac, test_frac; /* of the edges, for validation and test: 0.05 and 0.1 */
    /* hard negatives per held-out positive (vgae_split_add_hard_negatives),
     * for MRR; 0: none; VGAE_HARD_AUTO: 500 as HeaRT uses, but at most N / 4
     * on a graph of N nodes (a small graph has too few non-edges per node)
     * and at most 5,000,000 in all (a large graph's held-out edges would
     * need gigabytes), and none when more than VGAE_HARD_AUTO_HELD edges are
     * held out (each takes a personalized PageRank: about 1/3 ms, so 10^6
     * nodes and 10^7 edges took 8 minutes for 3 per edge):
     * vgae_linkpred_hard_count */
    int64_t hard_negatives;
} vgae_linkpred_protocol;
#define VGAE_HARD_AUTO (-1)
#define VGAE_HARD_AUTO_HELD 100000

/* The hard negatives per positive the protocol asks for on a graph of n
 * nodes with `held` held-out edges (0 when that would be fewer than 2). */
VGAE_EXPORT int64_t vgae_linkpred_hard_count(const vgae_linkpred_protocol *protocol, int32_t n,
                                             int64_t held);

/* Kipf & Welling's 85/5/10 split, with VGAE_HARD_AUTO hard negatives. */
VGAE_EXPORT vgae_linkpred_protocol vgae_linkpred_protocol_defaults(void);

/* Makes the protocol's split of g: vgae_split_make, then the hard negatives
 * (the context's streams; set its seed first). */
VGAE_EXPORT vgae_status vgae_linkpred_split(vgae_ctx *ctx, const vgae_graph *g,
                                            const vgae_linkpred_protocol *protocol,
                                            vgae_split **out);

/* Splits data->graph as the protocol says (vgae_linkpred_split), builds a
 * model on the training edges and fits it (vgae_graph_ae_fit): the
 * validation pairs are scored as it goes, all held-out sets at the end.
 * *split_out (if not NULL) receives the split, for baselines to be scored
 * on the same pairs (the caller frees it). */
VGAE_EXPORT vgae_status vgae_linkpred_run(vgae_ctx *ctx, const vgae_dataset *data,
                                          const vgae_graph_ae_options *options,
                                          const vgae_linkpred_protocol *protocol, int every,
                                          vgae_epoch_fn progress, void *user,
                                          vgae_linkpred_result *result, vgae_split **split_out);

/* The figures of a classical heuristic h (options NULL: its defaults) on
 * the held-out pairs of split, scored on train, the split's training graph
 * (vgae_split_train_graph): a baseline for the models on the same pairs. */
VGAE_EXPORT vgae_status vgae_linkpred_baseline(vgae_ctx *ctx, const vgae_split *split,
                                               const vgae_graph *train, vgae_heuristic h,
                                               const vgae_heuristic_options *options,
                                               const vgae_hits_ks *ks, vgae_link_figures *out);

#ifdef __cplusplus
}
#endif
#endif
