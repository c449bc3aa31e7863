/* The link-prediction run: split, train, and score held-out pairs with ROC AUC and AP. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "models/model_internal.h"
#include "vgae/metrics.h"

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void vgae_score_pairs(const vgae_mat *emb, const vgae_pair *pairs, int64_t n, double *scores)
{
    const int64_t d = emb->cols;
    for (int64_t k = 0; k < n; k++) {
        const vgae_real *a = emb->data + pairs[k].u * d, *b = emb->data + pairs[k].v * d;
        double x = 0.0;
        for (int64_t c = 0; c < d; c++)
            x += (double)a[c] * b[c];
        scores[k] = 1.0 / (1.0 + exp(-x));
    }
}

vgae_status vgae_evaluate_pairs(vgae_ctx *ctx, const vgae_mat *emb, const vgae_pair *pos,
                                const vgae_pair *neg, int64_t n, double *auc, double *ap)
{
    *auc = *ap = NAN;
    if (n == 0)
        return VGAE_OK;
    double *scores = vgae_alloc(ctx, (size_t)(2 * n), sizeof *scores);
    if (!scores)
        return VGAE_ENOMEM;
    vgae_score_pairs(emb, pos, n, scores);
    vgae_score_pairs(emb, neg, n, scores + n);
    vgae_status st = vgae_link_metrics(ctx, scores, n, scores + n, n, auc, ap);
    free(scores);
    return st;
}

vgae_status vgae_linkpred_train(vgae_ctx *ctx, const vgae_split *split, const vgae_csr *features,
                                const vgae_model_options *options, int every,
                                vgae_epoch_fn progress, void *user, vgae_graph **train_out,
                                vgae_model **model_out, vgae_linkpred_result *result)
{
    *result = (vgae_linkpred_result){NAN, NAN, NAN, NAN, 0, NAN, 0};
    *train_out = NULL;
    *model_out = NULL;
    vgae_graph *train = NULL;
    vgae_model *m = NULL;
    vgae_status st = vgae_split_train_graph(ctx, split, &train);
    if (!st)
        st = vgae_model_new(ctx, options, train, features, &m);
    const double start = seconds_now();
    vgae_elbo_terms terms = {0};
    for (int epoch = 1; !st && epoch <= options->epochs; epoch++) {
        st = vgae_model_train_epoch(ctx, m, &terms);
        if (!st && !isfinite(terms.loss))
            st = vgae_fail(ctx, VGAE_ERANGE, "the loss is %g after epoch %d: training diverged "
                           "(try a smaller --lr)", terms.loss, epoch);
        int report = progress && (epoch == 1 || epoch == options->epochs ||
                                  (every > 0 && epoch % every == 0));
        if (st || !report)
            continue;
        double auc, ap;
        st = vgae_model_encode(ctx, m);
        if (!st)
            st = vgae_evaluate_pairs(ctx, &m->mean, split->val_pos, split->val_neg, split->n_val,
                                     &auc, &ap);
        if (!st)
            progress(user, epoch, &terms, auc, ap, seconds_now() - start);
    }
    if (!st) {
        result->train_seconds = seconds_now() - start;
        result->epochs = options->epochs;
        result->final_loss = terms.loss;
        st = vgae_linkpred_evaluate(ctx, m, split, result);
    }
    if (st) {
        vgae_model_free(m);
        vgae_graph_free(train);
        return st;
    }
    *train_out = train;
    *model_out = m;
    return VGAE_OK;
}

vgae_status vgae_linkpred_evaluate(vgae_ctx *ctx, vgae_model *m, const vgae_split *split,
                                   vgae_linkpred_result *result)
{
    vgae_status st = vgae_model_encode(ctx, m);
    if (!st)
        st = vgae_evaluate_pairs(ctx, &m->mean, split->val_pos, split->val_neg, split->n_val,
                                 &result->val_auc, &result->val_ap);
    if (!st)
        st = vgae_evaluate_pairs(ctx, &m->mean, split->test_pos, split->test_neg, split->n_test,
                                 &result->test_auc, &result->test_ap);
    return st;
}

vgae_status vgae_linkpred_run(vgae_ctx *ctx, const vgae_graph *g, const vgae_csr *features,
                              const vgae_model_options *options, double val_frac,
                              double test_frac, int every, vgae_epoch_fn progress, void *user,
                              vgae_linkpred_result *result)
{
    vgae_split *split = NULL;
    vgae_graph *train = NULL;
    vgae_model *m = NULL;
    *result = (vgae_linkpred_result){NAN, NAN, NAN, NAN, 0, NAN, 0};
    vgae_status st = vgae_split_make(ctx, g, val_frac, test_frac, &split);
    if (!st)
        st = vgae_linkpred_train(ctx, split, features, options, every, progress, user, &train, &m,
                                 result);
    vgae_model_free(m);
    vgae_graph_free(train);
    vgae_split_free(split);
    return st;
}
