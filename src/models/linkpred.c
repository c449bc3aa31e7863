/* The link-prediction run: split a graph, build a model on the training edges, fit it, score the held-out pairs. */
#include <math.h>

#include "core/internal.h"
#include "vgae/models/linkpred.h"

vgae_status vgae_linkpred_run(vgae_ctx *ctx, const vgae_dataset *data,
                              const vgae_graph_ae_options *options, double val_frac,
                              double test_frac, int every, vgae_epoch_fn progress, void *user,
                              vgae_linkpred_result *result)
{
    vgae_split *split = NULL;
    vgae_graph_ae *m = NULL;
    *result = (vgae_linkpred_result){NAN, NAN, NAN, NAN, 0, NAN, 0};
    vgae_status st = vgae_split_make(ctx, data->graph, val_frac, test_frac, &split);
    if (!st)
        st = vgae_graph_ae_new(ctx, options, data, split, &m);
    /* the model has its own copy now */
    vgae_split_free(split);
    if (!st)
        st = vgae_graph_ae_fit(ctx, m, every, progress, user, result);
    vgae_graph_ae_free(m);
    return st;
}
