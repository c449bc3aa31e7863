/* The link-prediction run of Kipf & Welling's first table: split, train, score the held-out pairs. */
#ifndef VGAE_MODELS_LINKPRED_H
#define VGAE_MODELS_LINKPRED_H

#include "vgae/core/export.h"
#include "vgae/io/dataset.h"
#include "vgae/models/graph_ae.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Splits data->graph (VGAE_STREAM_SPLIT; set the context's seed first),
 * builds a model on the training edges and fits it (vgae_graph_ae_fit):
 * the validation pairs are scored as it goes, the test pairs at the end. */
VGAE_EXPORT vgae_status vgae_linkpred_run(vgae_ctx *ctx, const vgae_dataset *data,
                              const vgae_graph_ae_options *options, double val_frac,
                              double test_frac, int every, vgae_epoch_fn progress, void *user,
                              vgae_linkpred_result *result);

#ifdef __cplusplus
}
#endif
#endif
