/* The distributed model's loss without a step, and its parameters: for the gradient checks. */
#ifndef VGAE_DIST_TRAIN_INTERNAL_H
#define VGAE_DIST_TRAIN_INTERNAL_H

#include "vgae/dist/train.h"
#include "vgae/nn/optim.h"

/* The loss's terms (summed over the processes) and every parameter's
 * gradient for the current weights, drawing from the context's streams as
 * an epoch does; no step. Collective. */
vgae_status vgae_dist_gae_loss(vgae_ctx *ctx, vgae_dist_gae *m, vgae_elbo_terms *terms);
/* The parameters (a featureless first layer's: this process's rows). */
vgae_params *vgae_dist_gae_params(vgae_dist_gae *m);

#endif
