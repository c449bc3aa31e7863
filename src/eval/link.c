/* The figures of a link-prediction split: score its held-out sets with any scorer, then AUC, AP, Hits@K and MRR. */
#include <math.h>
#include <stdlib.h>

#include "core/internal.h"
#include "vgae/eval/link.h"

vgae_link_figures vgae_link_figures_none(const vgae_hits_ks *ks)
{
    vgae_link_figures f;
    f.ks = ks ? *ks : vgae_hits_ks_default();
    vgae_set_figures none;
    none.auc = none.ap = none.mrr = NAN;
    for (int i = 0; i < VGAE_MAX_HITS; i++)
        none.hits[i] = none.hard_hits[i] = NAN;
    f.val = f.test = none;
    return f;
}

/* One held-out set: its positives, negatives and hard negatives scored, then its figures. */
static vgae_status one_set(vgae_ctx *ctx, const vgae_pair *pos, const vgae_pair *neg, int64_t n,
                           const vgae_pair *hard, int64_t per_pos, vgae_pair_scorer score,
                           void *self, const vgae_hits_ks *ks, vgae_set_figures *out)
{
    if (n == 0)
        return VGAE_OK;
    const int64_t n_hard = hard ? n * per_pos : 0;
    double *s = vgae_alloc(ctx, (size_t)(2 * n + n_hard), sizeof *s);
    if (!s)
        return VGAE_ENOMEM;
    vgae_status st = score(ctx, self, pos, n, s);
    if (!st)
        st = score(ctx, self, neg, n, s + n);
    if (!st && n_hard)
        st = score(ctx, self, hard, n_hard, s + 2 * n);
    if (!st)
        st = vgae_set_metrics(ctx, s, n, s + n, n, n_hard ? s + 2 * n : NULL, per_pos, ks, out);
    free(s);
    return st;
}

vgae_status vgae_link_evaluate(vgae_ctx *ctx, const vgae_split *split, vgae_pair_scorer score,
                               void *self, const vgae_hits_ks *ks, vgae_link_figures *out)
{
    *out = vgae_link_figures_none(ks);
    vgae_status st = one_set(ctx, split->val_pos, split->val_neg, split->n_val, split->val_hard,
                             split->n_hard, score, self, &out->ks, &out->val);
    if (!st)
        st = one_set(ctx, split->test_pos, split->test_neg, split->n_test, split->test_hard,
                     split->n_hard, score, self, &out->ks, &out->test);
    return st;
}

vgae_status vgae_link_evaluate_val(vgae_ctx *ctx, const vgae_split *split, vgae_pair_scorer score,
                                   void *self, const vgae_hits_ks *ks, vgae_set_figures *out)
{
    vgae_link_figures none = vgae_link_figures_none(ks);
    *out = none.val;
    return one_set(ctx, split->val_pos, split->val_neg, split->n_val, split->val_hard,
                   split->n_hard, score, self, &none.ks, out);
}
