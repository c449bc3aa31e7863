/* The figures of a link-prediction split: any scorer of node pairs (a model, a heuristic) on the held-out sets. */
#ifndef VGAE_EVAL_LINK_H
#define VGAE_EVAL_LINK_H

#include <stdint.h>

#include "vgae/core/export.h"
#include "vgae/eval/metrics.h"
#include "vgae/graph/split.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Validation and test figures, for the Hits@K of ks. NaN for a set the
 * split does not have, and for MRR without hard negatives. */
typedef struct vgae_link_figures {
    vgae_hits_ks ks;
    vgae_set_figures val, test;
} vgae_link_figures;

/* Scores n node pairs into scores: higher means likelier an edge. */
typedef vgae_status (*vgae_pair_scorer)(vgae_ctx *ctx, void *self, const vgae_pair *pairs,
                                        int64_t n, double *scores);

/* Scores the held-out pairs of split (positives, shared negatives and, if
 * the split has them, each positive's hard negatives) with score, and
 * computes their figures (vgae_set_metrics). ks NULL: vgae_hits_ks_default. */
VGAE_EXPORT vgae_status vgae_link_evaluate(vgae_ctx *ctx, const vgae_split *split,
                                           vgae_pair_scorer score, void *self,
                                           const vgae_hits_ks *ks, vgae_link_figures *out);

/* The validation figures alone (for model selection, which must not look
 * at the test pairs). */
VGAE_EXPORT vgae_status vgae_link_evaluate_val(vgae_ctx *ctx, const vgae_split *split,
                                               vgae_pair_scorer score, void *self,
                                               const vgae_hits_ks *ks, vgae_set_figures *out);

/* Figures with every number NaN (for "not measured"). */
VGAE_EXPORT vgae_link_figures vgae_link_figures_none(const vgae_hits_ks *ks);

#ifdef __cplusplus
}
#endif
#endif
