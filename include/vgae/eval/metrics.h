/* Metrics of held-out pairs: ROC AUC and AP as scikit-learn computes them, Hits@K and MRR as OGB does. */
#ifndef VGAE_EVAL_METRICS_H
#define VGAE_EVAL_METRICS_H

#include <stdint.h>

#include "vgae/core/context.h"
#include "vgae/core/export.h"
#include "vgae/core/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ROC AUC and average precision of scores against 0/1 labels, computed exactly as scikit-learn's
   roc_auc_score and average_precision_score (ties included).
 *
 * Both sort the n items by score, descending, and take the DISTINCT score values as thresholds
 * (items with equal scores always fall on the same side, so the order of tied items in the input
 * never changes the result). At threshold k, TP_k and FP_k count the positives and the negatives
 * scored >= it; P and N are the totals.
 *
 * ROC AUC: the trapezoidal area under the points (FPR_k, TPR_k) = (FP_k / N, TP_k / P), with
 * (0, 0) prepended. This equals the Mann-Whitney statistic: the fraction of (positive, negative)
 * pairs in which the positive scores higher, a tie counting 1/2. All scores tied give 0.5. The
 * area is summed in double over integers (exact while 2 P N < 2^53) and divided once at the end.
 *
 * Average precision: sum over thresholds of (R_k - R_{k-1}) P_k with recall R_k = TP_k / P,
 * R_0 = 0 and precision P_k = TP_k / (TP_k + FP_k); no interpolation (scikit-learn's step-wise
 * definition). A group of tied scores enters as one step, at the precision of the whole group.
 * Summed in double.
 *
 * Time O(n log n) (one qsort), memory O(n) (a copy of the items).
 *
 * Errors, all VGAE_EINVAL with a one-line message: n < 1; a NULL pointer; a label other than
 * 0 or 1 (the message names its index); a score that is NaN or infinite (named by index); for
 * the AUC, only one class present (scikit-learn raises too). For average precision, no positive
 * label is also an error: scikit-learn 1.2 only warns and returns 0, a value that means nothing.
 * All labels positive is not an error for average precision: precision is 1 at every threshold
 * and the result is 1, as in scikit-learn. VGAE_ENOMEM if the copy cannot be allocated. On any
 * error the output is set to NaN. */
VGAE_EXPORT vgae_status vgae_roc_auc(vgae_ctx *ctx, const double *scores, const uint8_t *labels, int64_t n,
                         double *auc);
VGAE_EXPORT vgae_status vgae_average_precision(vgae_ctx *ctx, const double *scores, const uint8_t *labels,
                                   int64_t n, double *ap);

/* Both at once for link prediction: positives' and negatives' scores as two arrays (a copy of each
 * sorted, 8 bytes a score, and the two merged by threshold).
 * pos holds the n_pos scores of the true edges (label 1), neg the n_neg scores of the sampled
 * non-edges (label 0). The results are those of vgae_roc_auc and vgae_average_precision on the
 * concatenation, bit for bit. Errors (VGAE_EINVAL): n_pos < 1 or n_neg < 1, a NULL pointer, a NaN
 * or infinite score (the message says which array and index); VGAE_ENOMEM. On error both outputs
 * are NaN. */
VGAE_EXPORT vgae_status vgae_link_metrics(vgae_ctx *ctx, const double *pos, int64_t n_pos, const double *neg,
                              int64_t n_neg, double *auc, double *ap);

/* Hits@K against a shared set of negatives, as OGB's link-prediction evaluator computes it
 * (ogbl-collab, ogbl-ddi; the HeaRT paper's uniform setting): with t_K the K-th highest of the
 * n_neg negative scores, the fraction of the n_pos positives scored strictly above t_K; 1 when
 * there are fewer than K negatives. For n_k values of K at once (ks[i] >= 1) into hits[i]. One
 * partial sort of the negatives, then O(n_pos) per K. Errors (VGAE_EINVAL): n_pos < 1, n_neg < 1,
 * a NULL pointer, a K below 1, a NaN or infinite score (named by array and index). On error every
 * hits[i] is NaN. */
VGAE_EXPORT vgae_status vgae_hits_at(vgae_ctx *ctx, const double *pos, int64_t n_pos,
                                     const double *neg, int64_t n_neg, const int *ks, int n_k,
                                     double *hits);

/* Ranks of each positive among its own negatives, as OGB's evaluator for ogbl-citation2 and the
 * HeaRT benchmark compute them: positive i (score pos[i]) has the per_pos negatives
 * neg[i * per_pos .. (i + 1) * per_pos - 1], and its rank is 1 + (the negatives scored above it)
 * + (those tied with it) / 2, the mean of the optimistic and the pessimistic rank. *mrr receives
 * the mean of 1 / rank; hits[i] (if n_k > 0, at most 64) the fraction of positives with rank
 * <= ks[i]. O(n_pos per_pos). Errors as vgae_hits_at (per_pos must be >= 1); on error the outputs
 * are NaN. */
VGAE_EXPORT vgae_status vgae_rank_metrics(vgae_ctx *ctx, const double *pos, int64_t n_pos,
                                          const double *neg, int64_t per_pos, const int *ks,
                                          int n_k, double *mrr, double *hits);

/* ---- the figures of a held-out set ---- */

/* The K of Hits@K to report: n values (0..VGAE_MAX_HITS), each >= 1. */
#define VGAE_MAX_HITS 8
typedef struct vgae_hits_ks {
    int n;
    int k[VGAE_MAX_HITS];
} vgae_hits_ks;

/* 10, 20, 50, 100: OGB's and HeaRT's usual choice. */
VGAE_EXPORT vgae_hits_ks vgae_hits_ks_default(void);

/* Everything reported of one held-out set (validation or test). NaN for what
 * was not computed. */
typedef struct vgae_set_figures {
    double auc, ap;                  /* positives against the set's negatives */
    double hits[VGAE_MAX_HITS];      /* Hits@ks.k[i] against the set's negatives, shared by all
                                        positives (OGB) */
    double mrr;                      /* each positive among its own hard negatives (HeaRT) */
    double hard_hits[VGAE_MAX_HITS]; /* Hits@ks.k[i] among each positive's own hard negatives */
} vgae_set_figures;

/* All of a set's figures from its scores: n_pos positives, n_neg shared
 * negatives (AUC, AP, Hits@K), and optionally per_pos hard negatives per
 * positive, positive-major (MRR and their Hits@K; hard NULL or per_pos 0:
 * those stay NaN). n_pos 0 leaves everything NaN (a split without that
 * set). Errors as the functions above. */
VGAE_EXPORT vgae_status vgae_set_metrics(vgae_ctx *ctx, const double *pos, int64_t n_pos,
                                         const double *neg, int64_t n_neg, const double *hard,
                                         int64_t per_pos, const vgae_hits_ks *ks,
                                         vgae_set_figures *out);
/* The same figures without hard negatives, sorting pos and neg in place
 * (descending) instead of a copy of them: for sets too large to copy.
 * The same bits as vgae_set_metrics. */
VGAE_EXPORT vgae_status vgae_set_metrics_sorting(vgae_ctx *ctx, double *pos, int64_t n_pos, double *neg,
                                                 int64_t n_neg, const vgae_hits_ks *ks, vgae_set_figures *out);

#ifdef __cplusplus
}
#endif
#endif
