/* The link-prediction run: split a graph, build a model on the training edges, fit it, score the held-out pairs. */
#include <math.h>

#include "core/internal.h"
#include "vgae/models/linkpred.h"

vgae_linkpred_protocol vgae_linkpred_protocol_defaults(void)
{
    vgae_linkpred_protocol p = {.val_frac = 0.05, .test_frac = 0.1, .hard_negatives = VGAE_HARD_AUTO};
    return p;
}

int64_t vgae_linkpred_hard_count(const vgae_linkpred_protocol *protocol, int32_t n, int64_t held)
{
    if (protocol->hard_negatives != VGAE_HARD_AUTO)
        return protocol->hard_negatives;
    if (held > VGAE_HARD_AUTO_HELD)
        return 0;
    int64_t k = 500;
    if (k > n / 4)
        k = n / 4;
    if (held > 0 && k > 5000000 / held)
        k = 5000000 / held;
    return k >= 2 ? k : 0;
}

vgae_status vgae_linkpred_split(vgae_ctx *ctx, const vgae_graph *g,
                                const vgae_linkpred_protocol *protocol, vgae_split **out)
{
    vgae_status st = vgae_split_make(ctx, g, protocol->val_frac, protocol->test_frac, out);
    const int64_t held = st ? 0 : (*out)->n_val + (*out)->n_test;
    const int64_t hard = vgae_linkpred_hard_count(protocol, g->n, held);
    if (!st && hard > 0 && held > 0)
        st = vgae_split_add_hard_negatives(ctx, *out, hard);
    if (st) {
        vgae_split_free(*out);
        *out = NULL;
    }
    return st;
}

vgae_status vgae_linkpred_run(vgae_ctx *ctx, const vgae_dataset *data,
                              const vgae_graph_ae_options *options,
                              const vgae_linkpred_protocol *protocol, int every,
                              vgae_epoch_fn progress, void *user, vgae_linkpred_result *result,
                              vgae_split **split_out)
{
    vgae_split *split = NULL;
    vgae_graph_ae *m = NULL;
    *result = (vgae_linkpred_result){vgae_link_figures_none(&options->hits), 0, NAN, 0, 0};
    if (split_out)
        *split_out = NULL;
    vgae_status st = vgae_linkpred_split(ctx, data->graph, protocol, &split);
    if (!st)
        st = vgae_graph_ae_new(ctx, options, data, split, &m);
    if (!st)
        st = vgae_graph_ae_fit(ctx, m, every, progress, user, result);
    vgae_graph_ae_free(m);
    if (!st && split_out)
        *split_out = split;
    else
        vgae_split_free(split);
    return st;
}

typedef struct {
    const vgae_graph *train;
    vgae_heuristic h;
    const vgae_heuristic_options *options;
} heuristic_scorer;

static vgae_status score_heuristic(vgae_ctx *ctx, void *self, const vgae_pair *pairs, int64_t n,
                                   double *scores)
{
    const heuristic_scorer *s = self;
    return vgae_heuristic_score(ctx, s->train, s->h, s->options, pairs, n, scores);
}

vgae_status vgae_linkpred_baseline(vgae_ctx *ctx, const vgae_split *split, const vgae_graph *train,
                                   vgae_heuristic h, const vgae_heuristic_options *options,
                                   const vgae_hits_ks *ks, vgae_link_figures *out)
{
    *out = vgae_link_figures_none(ks);
    if (train->n != split->n)
        return vgae_fail(ctx, VGAE_EINVAL, "a training graph of %d nodes for a split of %d",
                         train->n, split->n);
    heuristic_scorer s = {train, h, options};
    return vgae_link_evaluate(ctx, split, score_heuristic, &s, ks, out);
}
