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

/* Pairs ahead whose rows are fetched while a pair is scored: on a large
 * graph the rows are scattered over more memory than the caches hold. */
#define SCORE_AHEAD 16
/* Pairs per part of a threaded scoring (every score is computed alone, so
 * the split does not change any number). */
#define SCORE_PART 65536

void vgae_score_pairs(const vgae_mat *emb, const vgae_pair *pairs, int64_t n, double *scores)
{
    const int64_t d = emb->cols;
    for (int64_t k = 0; k < n; k++) {
        if (k + SCORE_AHEAD < n) {
            __builtin_prefetch(emb->data + pairs[k + SCORE_AHEAD].u * d);
            __builtin_prefetch(emb->data + pairs[k + SCORE_AHEAD].v * d);
        }
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
    const int threads = vgae_ctx_threads(ctx);
    const int64_t parts = (n + SCORE_PART - 1) / SCORE_PART;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && parts > 1)
    for (int64_t p = 0; p < 2 * parts; p++) {
        const vgae_pair *pairs = p < parts ? pos : neg;
        const int64_t first = (p % parts) * SCORE_PART;
        const int64_t count = n - first < SCORE_PART ? n - first : SCORE_PART;
        vgae_score_pairs(emb, pairs + first, count, scores + (p < parts ? 0 : n) + first);
    }
    vgae_status st = vgae_link_metrics(ctx, scores, n, scores + n, n, auc, ap);
    free(scores);
    return st;
}

/* vgae_linkpred_train on a training graph already built from the split
 * (which is not read again: the caller may have dropped split->train).
 * On success *model_out borrows train. */
static vgae_status train_on(vgae_ctx *ctx, const vgae_split *split, const vgae_graph *train,
                            const vgae_csr *features, const vgae_model_options *options, int every,
                            vgae_epoch_fn progress, void *user, vgae_model **model_out,
                            vgae_linkpred_result *result)
{
    *result = (vgae_linkpred_result){NAN, NAN, NAN, NAN, 0, NAN, 0};
    *model_out = NULL;
    vgae_model *m = NULL;
    vgae_status st = vgae_model_new(ctx, options, train, features, &m);
    const double start = seconds_now();
    vgae_elbo_terms terms = {0};
    for (int epoch = 1; !st && epoch <= options->epochs; epoch++) {
        int report = progress && (epoch == 1 || epoch == options->epochs ||
                                  (every > 0 && epoch % every == 0));
        /* the loss only where it is shown or kept: the full loss's gradient
         * alone is cheaper, and train_epoch checks it for divergence */
        int want_loss = report || epoch == options->epochs;
        st = vgae_model_train_epoch(ctx, m, want_loss ? &terms : NULL);
        if (!st && want_loss && !isfinite(terms.loss))
            st = vgae_fail(ctx, VGAE_ERANGE, "the loss is %g after epoch %d: training diverged "
                           "(try a smaller --lr)", terms.loss, epoch);
        if (st || !report)
            continue;
        double auc, ap;
        st = vgae_gcn_forward(ctx, m, 0);
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
        return st;
    }
    *model_out = m;
    return VGAE_OK;
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
    vgae_status st = vgae_split_train_graph(ctx, split, &train);
    if (!st)
        st = train_on(ctx, split, train, features, options, every, progress, user, model_out,
                      result);
    if (st) {
        vgae_graph_free(train);
        return st;
    }
    *train_out = train;
    return VGAE_OK;
}

vgae_status vgae_linkpred_evaluate(vgae_ctx *ctx, vgae_model *m, const vgae_split *split,
                                   vgae_linkpred_result *result)
{
    vgae_status st = vgae_gcn_forward(ctx, m, 0); /* the means: all that scoring needs */
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
        st = vgae_split_train_graph(ctx, split, &train);
    if (!st) {
        /* the training graph holds the training pairs now (8 bytes an edge) */
        free(split->train);
        split->train = NULL;
        st = train_on(ctx, split, train, features, options, every, progress, user, &m, result);
    }
    vgae_model_free(m);
    vgae_graph_free(train);
    vgae_split_free(split);
    return st;
}
