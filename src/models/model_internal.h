/* Functions shared by the model files: the encoder passes and the decoders. */
#ifndef VGAE_MODEL_INTERNAL_H
#define VGAE_MODEL_INTERNAL_H

#include "core/internal.h"
#include "vgae/layers.h"
#include "vgae/model.h"

/* The encoder: mean, and for a VGAE with with_logvar also logvar (scoring
 * pairs needs the means only). */
vgae_status vgae_gcn_forward(vgae_ctx *ctx, vgae_model *m, int with_logvar);
vgae_status vgae_gcn_backward(vgae_ctx *ctx, vgae_model *m);

/* The sampled loss over the training edges and the n_neg pairs in neg
 * (u, v interleaved). Parallel over fixed parts of the nodes; the same
 * numbers on any thread count. */
vgae_status vgae_decoder_sampled(vgae_ctx *ctx, const vgae_model *m, const vgae_mat *z,
                                 const int32_t *neg, int64_t n_neg, double grad_scale,
                                 vgae_mat *dz, double *nll);

/* This epoch's negatives for the sampled loss into model->neg_buf: as many
 * as the training edges, uniform ordered pairs u != v that are not training
 * edges. One draw from VGAE_STREAM_NEGATIVES keys fixed chunks of pairs,
 * which threads share; the same pairs on any thread count. */
void vgae_sampled_draw_negatives(vgae_ctx *ctx, vgae_model *m);

/* Rows (and columns) of the full loss's square blocks for n nodes: fixed by
 * n alone, so that results do not depend on the thread count. */
int64_t vgae_full_block(int32_t n);

#endif
