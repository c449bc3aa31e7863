/* ROC AUC and average precision over sorted scores, ties as scikit-learn; Hits@K and MRR as OGB. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "vgae/eval/metrics.h"

typedef struct scored {
    double score;
    uint8_t label; /* 0 or 1 */
} scored;

/* Descending by score. Tied items may end in any order: only whole groups are counted. */
static int by_score_desc(const void *pa, const void *pb)
{
    const double a = ((const scored *)pa)->score, b = ((const scored *)pb)->score;
    return (a < b) - (a > b);
}

/* Walks the sorted items one group of equal scores (one threshold) at a time. n_pos and n_neg
 * are both >= 1 for the AUC; the AP needs only n_pos >= 1. Either output may be NULL. */
static void sweep(const scored *items, int64_t n, int64_t n_pos, int64_t n_neg, double *auc,
                  double *ap)
{
    int64_t tp = 0, fp = 0;
    double area2 = 0.0; /* twice the area, in units of one (positive, negative) pair */
    double prec_sum = 0.0;
    for (int64_t i = 0; i < n;) {
        int64_t dtp = 0, dfp = 0, j = i;
        /* == on doubles, as numpy's diff: -0.0 and 0.0 are one threshold */
        for (; j < n && items[j].score == items[i].score; j++) {
            dtp += items[j].label;
            dfp += 1 - items[j].label;
        }
        /* trapezoid between the previous point and this one: width dfp, heights tp and tp + dtp */
        area2 += (double)dfp * (double)(2 * tp + dtp);
        tp += dtp;
        fp += dfp;
        if (dtp)
            prec_sum += (double)dtp * ((double)tp / (double)(tp + fp));
        i = j;
    }
    if (auc)
        *auc = area2 / (2.0 * (double)n_pos * (double)n_neg);
    if (ap)
        *ap = prec_sum / (double)n_pos;
}

static int by_double_desc(const void *pa, const void *pb)
{
    const double a = *(const double *)pa, b = *(const double *)pb;
    return (a < b) - (a > b);
}

/* sweep() over positives and negatives each sorted descending: a threshold
 * at a time, the next highest score of either side with every score equal
 * to it (== as there), the same sums in the same order. */
static void sweep_sides(const double *pos, int64_t n_pos, const double *neg, int64_t n_neg, double *auc,
                        double *ap)
{
    int64_t tp = 0, fp = 0, i = 0, j = 0;
    double area2 = 0.0, prec_sum = 0.0;
    while (i < n_pos || j < n_neg) {
        const double t = i < n_pos && (j == n_neg || pos[i] >= neg[j]) ? pos[i] : neg[j];
        int64_t dtp = 0, dfp = 0;
        for (; i < n_pos && pos[i] == t; i++)
            dtp++;
        for (; j < n_neg && neg[j] == t; j++)
            dfp++;
        area2 += (double)dfp * (double)(2 * tp + dtp);
        tp += dtp;
        fp += dfp;
        if (dtp)
            prec_sum += (double)dtp * ((double)tp / (double)(tp + fp));
    }
    *auc = area2 / (2.0 * (double)n_pos * (double)n_neg);
    *ap = prec_sum / (double)n_pos;
}

static vgae_status check_score(vgae_ctx *ctx, const char *what, const char *array, int64_t k,
                               double s)
{
    if (isfinite(s))
        return VGAE_OK;
    return vgae_fail(ctx, VGAE_EINVAL, "%s: %s %lld is %g, not a finite number", what, array,
                     (long long)k, s);
}

/* Checks and copies scores/labels, sorts them, and fills whichever of auc and ap is wanted. */
static vgae_status labelled(vgae_ctx *ctx, const char *what, const double *scores,
                            const uint8_t *labels, int64_t n, double *auc, double *ap)
{
    int64_t n_pos = 0;
    if (n < 1)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: need at least one score, got n = %lld", what,
                         (long long)n);
    if (!scores || !labels)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: scores or labels is NULL", what);
    for (int64_t k = 0; k < n; k++) {
        vgae_status st = check_score(ctx, what, "score", k, scores[k]);
        if (st)
            return st;
        if (labels[k] > 1)
            return vgae_fail(ctx, VGAE_EINVAL, "%s: label %lld is %u, not 0 or 1", what,
                             (long long)k, (unsigned)labels[k]);
        n_pos += labels[k];
    }
    if (n_pos == 0)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: all %lld labels are 0; %s", what, (long long)n,
                         auc ? "both classes are needed" : "at least one positive is needed");
    if (auc && n_pos == n)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: all %lld labels are 1; both classes are needed",
                         what, (long long)n);

    scored *items = vgae_alloc(ctx, (size_t)n, sizeof *items);
    if (!items)
        return VGAE_ENOMEM;
    for (int64_t k = 0; k < n; k++) {
        items[k].score = scores[k];
        items[k].label = labels[k];
    }
    qsort(items, (size_t)n, sizeof *items, by_score_desc);
    sweep(items, n, n_pos, n - n_pos, auc, ap);
    free(items);
    return VGAE_OK;
}

vgae_status vgae_roc_auc(vgae_ctx *ctx, const double *scores, const uint8_t *labels, int64_t n,
                         double *auc)
{
    if (!auc)
        return vgae_fail(ctx, VGAE_EINVAL, "roc auc: the output pointer is NULL");
    *auc = NAN;
    return labelled(ctx, "roc auc", scores, labels, n, auc, NULL);
}

vgae_status vgae_average_precision(vgae_ctx *ctx, const double *scores, const uint8_t *labels,
                                   int64_t n, double *ap)
{
    if (!ap)
        return vgae_fail(ctx, VGAE_EINVAL, "average precision: the output pointer is NULL");
    *ap = NAN;
    return labelled(ctx, "average precision", scores, labels, n, NULL, ap);
}

vgae_status vgae_link_metrics(vgae_ctx *ctx, const double *pos, int64_t n_pos, const double *neg,
                              int64_t n_neg, double *auc, double *ap)
{
    static const char what[] = "link metrics";
    if (!auc || !ap)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: an output pointer is NULL", what);
    *auc = NAN;
    *ap = NAN;
    if (n_pos < 1 || n_neg < 1)
        return vgae_fail(ctx, VGAE_EINVAL,
                         "%s: need at least one positive and one negative score, got %lld and %lld",
                         what, (long long)n_pos, (long long)n_neg);
    if (!pos || !neg)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: pos or neg is NULL", what);
    if (n_pos > INT64_MAX - n_neg)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: %lld + %lld scores is too many", what,
                         (long long)n_pos, (long long)n_neg);
    for (int64_t k = 0; k < n_pos; k++) {
        vgae_status st = check_score(ctx, what, "positive score", k, pos[k]);
        if (st)
            return st;
    }
    for (int64_t k = 0; k < n_neg; k++) {
        vgae_status st = check_score(ctx, what, "negative score", k, neg[k]);
        if (st)
            return st;
    }

    /* each side sorted apart (8 bytes a score, not 16 with a label) and
     * merged by threshold: the groups and sums of sweep(), in its order */
    double *sorted = vgae_alloc(ctx, (size_t)(n_pos + n_neg), sizeof *sorted);
    if (!sorted)
        return VGAE_ENOMEM;
    memcpy(sorted, pos, (size_t)n_pos * sizeof *sorted);
    memcpy(sorted + n_pos, neg, (size_t)n_neg * sizeof *sorted);
    qsort(sorted, (size_t)n_pos, sizeof *sorted, by_double_desc);
    qsort(sorted + n_pos, (size_t)n_neg, sizeof *sorted, by_double_desc);
    sweep_sides(sorted, n_pos, sorted + n_pos, n_neg, auc, ap);
    free(sorted);
    return VGAE_OK;
}

/* ---- Hits@K and MRR ---- */

/* Checks n scores of an array; NaN outputs on error are the caller's. */
static vgae_status check_scores(vgae_ctx *ctx, const char *what, const char *array,
                                const double *x, int64_t n)
{
    for (int64_t k = 0; k < n; k++) {
        vgae_status st = check_score(ctx, what, array, k, x[k]);
        if (st)
            return st;
    }
    return VGAE_OK;
}

static vgae_status check_ks(vgae_ctx *ctx, const char *what, const int *ks, int n_k)
{
    if (n_k > 0 && !ks)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: ks is NULL", what);
    for (int i = 0; i < n_k; i++)
        if (ks[i] < 1)
            return vgae_fail(ctx, VGAE_EINVAL, "%s: K = %d; K must be at least 1", what, ks[i]);
    return VGAE_OK;
}

/* Positives and negatives (at least one each, finite) and values of K. */
static vgae_status check_sets(vgae_ctx *ctx, const char *what, const double *pos, int64_t n_pos, const double *neg,
                              int64_t n_neg, const int *ks, int n_k)
{
    if (n_pos < 1 || n_neg < 1 || !pos || !neg)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: need positives and negatives (%lld and %lld)", what,
                         (long long)n_pos, (long long)n_neg);
    vgae_status st = check_ks(ctx, what, ks, n_k);
    if (!st)
        st = check_scores(ctx, what, "positive", pos, n_pos);
    if (!st)
        st = check_scores(ctx, what, "negative", neg, n_neg);
    return st;
}

vgae_status vgae_hits_at(vgae_ctx *ctx, const double *pos, int64_t n_pos, const double *neg,
                         int64_t n_neg, const int *ks, int n_k, double *hits)
{
    const char *what = "Hits@K";
    for (int i = 0; i < n_k; i++)
        hits[i] = NAN;
    vgae_status st = check_sets(ctx, what, pos, n_pos, neg, n_neg, ks, n_k);
    if (st)
        return st;
    /* only the highest max(K) negatives matter: sort a copy, take the K-th */
    double *sorted = vgae_alloc(ctx, (size_t)n_neg, sizeof *sorted);
    if (!sorted)
        return VGAE_ENOMEM;
    memcpy(sorted, neg, (size_t)n_neg * sizeof *sorted);
    qsort(sorted, (size_t)n_neg, sizeof *sorted, by_double_desc);
    for (int i = 0; i < n_k; i++) {
        if (ks[i] > n_neg) {
            hits[i] = 1.0;
            continue;
        }
        const double threshold = sorted[ks[i] - 1];
        int64_t above = 0;
        for (int64_t k = 0; k < n_pos; k++)
            above += pos[k] > threshold;
        hits[i] = (double)above / (double)n_pos;
    }
    free(sorted);
    return VGAE_OK;
}

vgae_status vgae_rank_metrics(vgae_ctx *ctx, const double *pos, int64_t n_pos, const double *neg,
                              int64_t per_pos, const int *ks, int n_k, double *mrr, double *hits)
{
    const char *what = "MRR";
    *mrr = NAN;
    for (int i = 0; i < n_k; i++)
        hits[i] = NAN;
    if (n_pos < 1 || per_pos < 1 || !pos || !neg)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: need positives and negatives (%lld, %lld each)",
                         what, (long long)n_pos, (long long)per_pos);
    vgae_status st = check_ks(ctx, what, ks, n_k);
    if (!st)
        st = check_scores(ctx, what, "positive", pos, n_pos);
    if (!st)
        st = check_scores(ctx, what, "negative", neg, n_pos * per_pos);
    if (st)
        return st;
    if (n_k > 64)
        return vgae_fail(ctx, VGAE_EINVAL, "%s: %d values of K; at most 64", what, n_k);
    double reciprocal = 0.0;
    int64_t within[64] = {0};
    const int counted = n_k;
    for (int64_t i = 0; i < n_pos; i++) {
        const double *mine = neg + i * per_pos;
        int64_t above = 0, tied = 0;
        for (int64_t k = 0; k < per_pos; k++) {
            above += mine[k] > pos[i];
            tied += mine[k] == pos[i];
        }
        /* ranks are integers or halves: exact in double */
        const double rank = 1.0 + (double)above + 0.5 * (double)tied;
        reciprocal += 1.0 / rank;
        for (int j = 0; j < counted; j++)
            within[j] += rank <= (double)ks[j];
    }
    *mrr = reciprocal / (double)n_pos;
    for (int j = 0; j < counted; j++)
        hits[j] = (double)within[j] / (double)n_pos;
    return VGAE_OK;
}

/* ---- the figures of a held-out set ---- */

vgae_hits_ks vgae_hits_ks_default(void)
{
    vgae_hits_ks ks = {4, {10, 20, 50, 100}};
    return ks;
}

/* A set's figures all NaN, and its values of K checked. */
static vgae_status figures_none(vgae_ctx *ctx, const vgae_hits_ks *ks, vgae_set_figures *out)
{
    out->auc = out->ap = out->mrr = NAN;
    for (int i = 0; i < VGAE_MAX_HITS; i++)
        out->hits[i] = out->hard_hits[i] = NAN;
    if (ks->n < 0 || ks->n > VGAE_MAX_HITS)
        return vgae_fail(ctx, VGAE_EINVAL, "%d values of K for Hits@K (0..%d)", ks->n, VGAE_MAX_HITS);
    return VGAE_OK;
}

vgae_status vgae_set_metrics(vgae_ctx *ctx, const double *pos, int64_t n_pos, const double *neg,
                             int64_t n_neg, const double *hard, int64_t per_pos,
                             const vgae_hits_ks *ks, vgae_set_figures *out)
{
    vgae_status st = figures_none(ctx, ks, out);
    if (st || n_pos == 0)
        return st;
    st = vgae_link_metrics(ctx, pos, n_pos, neg, n_neg, &out->auc, &out->ap);
    if (!st && ks->n)
        st = vgae_hits_at(ctx, pos, n_pos, neg, n_neg, ks->k, ks->n, out->hits);
    if (!st && hard && per_pos > 0)
        st = vgae_rank_metrics(ctx, pos, n_pos, hard, per_pos, ks->k, ks->n, &out->mrr,
                               out->hard_hits);
    return st;
}

vgae_status vgae_set_metrics_sorting(vgae_ctx *ctx, double *pos, int64_t n_pos, double *neg, int64_t n_neg,
                                     const vgae_hits_ks *ks, vgae_set_figures *out)
{
    const char *what = "link metrics";
    vgae_status st = figures_none(ctx, ks, out);
    if (st || n_pos == 0)
        return st;
    st = check_sets(ctx, what, pos, n_pos, neg, n_neg, ks->k, ks->n);
    if (st)
        return st;
    qsort(pos, (size_t)n_pos, sizeof *pos, by_double_desc);
    qsort(neg, (size_t)n_neg, sizeof *neg, by_double_desc);
    sweep_sides(pos, n_pos, neg, n_neg, &out->auc, &out->ap);
    for (int i = 0; i < ks->n; i++) { /* as vgae_hits_at, the K-th negative read off the sorted ones */
        if (ks->k[i] > n_neg) {
            out->hits[i] = 1.0;
            continue;
        }
        const double threshold = neg[ks->k[i] - 1];
        int64_t above = 0;
        while (above < n_pos && pos[above] > threshold)
            above++;
        out->hits[i] = (double)above / (double)n_pos;
    }
    return VGAE_OK;
}
